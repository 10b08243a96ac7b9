"""The zoo on one table: every published preset re-evaluated by `zoo eval` on the same test data.

For each published preset (or those named), loads the published weights, recomputes its
model card's metrics with the preset's recipe (what `zoo eval NAME` does) and prints one
markdown table: test NLL (with its estimator), FD-FMNIST, training seconds per epoch (from
the card), seconds to sample 64 images, and whether every metric reproduced the card within
its tolerance.

Usage:
    python benchmarks/zoo_table.py [NAME ...] [--cards-only]

`--cards-only` prints the table from the model cards without recomputing (fast).
"""

import argparse
import json

import zoo
from zoo import hub, recipes

ESTIMATORS = {
    "energy": "AIS log Z",
    "variational": "IWAE",
    "autoregressive": "exact",
}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", help="presets (default: every published one)")
    parser.add_argument("--cards-only", action="store_true", help="do not recompute")
    args = parser.parse_args()
    names = args.names or zoo.list_models(pretrained=True)

    print(
        "| preset | family | data (test split) | test NLL, nats | FD-FMNIST | train s/epoch "
        "| sample 64 (s) | `zoo eval` vs card |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in names:
        recipe = recipes.get_recipe(name)
        folder = hub.download_preset(name)
        card = json.loads((folder / "metadata.json").read_text())
        if args.cards_only:
            measured = {key: metric["value"] for key, metric in card["metrics"].items()}
            verdict = "(card)"
        else:
            model = zoo.load(name)
            measured = recipes.evaluate(model, recipe, verbose=0)
            rows = recipes.compare(recipe, card["metrics"], measured)
            failed = [row["metric"] for row in rows if row["status"] == "FAIL"]
            verdict = f"FAIL: {', '.join(failed)}" if failed else "reproduced"
        nll = measured.get("test_nll")
        if "test_log_likelihood" in measured:  # the RBM card reports log p(v) itself
            nll = -measured["test_log_likelihood"]
        family = zoo.info(name)["family"]
        nll_text = "-" if nll is None else f"{nll:.2f} ({ESTIMATORS.get(family, '?')})"
        nll_card = card["metrics"].get("test_nll", card["metrics"].get("test_log_likelihood", {}))
        limit = _limit(nll_card.get("protocol", ""))
        if nll is not None and limit:
            nll_text += f", {limit} images"
        fd = measured.get("fd_fmnist")
        sampling = measured.get("sampling_seconds_64")
        cells = [
            name,
            family,
            f"{recipe.dataset}, {_short(recipe.preprocessing.description)}",
            nll_text,
            "-" if fd is None else f"{fd:.2f}",
            str(card["training"].get("seconds_per_epoch", "-")),
            "-" if sampling is None else f"{sampling:.2f}",
            verdict,
        ]
        if "test_accuracy" in measured:
            cells[3] = f"accuracy {measured['test_accuracy']:.4f}"
        if "test_reconstruction_cross_entropy" in measured:
            cells[3] = f"reconstruction {measured['test_reconstruction_cross_entropy']:.2f}"
        print("| " + " | ".join(cells) + " |", flush=True)


def _short(description):
    """The preprocessing description up to its first detail: "statically binarized"."""
    for separator in (":", " (", ";"):
        description = description.split(separator)[0]
    return description


def _limit(protocol):
    """ "the first 100 images" in a protocol -> "first 100"."""
    marker = "the first "
    if marker not in protocol:
        return None
    return "first " + protocol.split(marker, 1)[1].split(" ", 1)[0]


if __name__ == "__main__":
    main()

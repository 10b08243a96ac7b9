"""The zoo on one table: every published version of every preset, re-evaluated on the same data.

For each published version (or the presets named), loads the published weights, recomputes
its recipe's metrics (what `zoo eval NAME --version N` does) and prints markdown tables:

1. the floors of FD-FMNIST: real training images against the test images, under each
   reference (grey test images; test images binarized at 0.5), the best a sampler can score;
2. one row per preset version: test NLL (with its estimator), FD-FMNIST under the fair
   protocol (binary models against the binarized test set, grey-level models against the
   grey one) and against the grey test set, seconds to sample 64 images, and whether the
   card's own metrics reproduced within their tolerances.

Usage:
    python benchmarks/zoo_table.py [NAME ...] [--newest-only] [--cards-only] [--data-dir DIR]

`--cards-only` prints the rows from the model cards without recomputing (fast; metrics a
card lacks show as "-").
"""

import argparse

import numpy as np

import zoo
import zoo.data
from zoo import recipes, registry
from zoo.recipes import metrics

ESTIMATORS = {
    "energy": "AIS log Z",
    "variational": "IWAE",
    "autoregressive": "exact",
}
FD_METRICS = ("fd_fmnist", "fd_fmnist_binarized")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", help="presets (default: every published one)")
    parser.add_argument("--cards-only", action="store_true", help="do not recompute")
    parser.add_argument("--newest-only", action="store_true", help="only the newest version")
    parser.add_argument("--data-dir", help="dataset folder (default: zoo.data's places)")
    args = parser.parse_args()
    names = args.names or zoo.list_models(pretrained=True)

    if not args.cards_only:
        print_floors(args.data_dir)
    print(
        "| preset | version | family | test NLL, nats | FD-FMNIST, fair reference | "
        "FD-FMNIST vs grey | sample 64 (s) | `zoo eval` vs card |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in names:
        preset = registry.get_preset(name)
        versions = preset.versions[-1:] if args.newest_only else preset.versions
        for record in versions:
            print("| " + " | ".join(row(preset, record, args)) + " |", flush=True)


def print_floors(data_dir):
    train, _ = zoo.data.load_arrays("fashion_mnist", "train", data_dir=data_dir)
    test, _ = zoo.data.load_arrays("fashion_mnist", "test", data_dir=data_dir)
    print("| FD-FMNIST reference | floor: 2,000 training images vs the test set |")
    print("| --- | --- |")
    for reference, described in metrics.FD_REFERENCES.items():
        floor = metrics.fd_floor(train, test, reference)
        print(f"| {reference} ({described}) | {floor:.2f} |", flush=True)
    print()


def row(preset, record, args):
    recipe = recipes.get_recipe(preset.name)
    card = record.get("metrics", {})
    if args.cards_only:
        measured = {key: metric["value"] for key, metric in card.items()}
        verdict = "(card)"
    else:
        model = zoo.load(preset.name, version=record["version"])
        names = [key for key in recipe.metrics if key in card or key in FD_METRICS]
        measured = recipes.evaluate(model, recipe, data_dir=args.data_dir, names=names, verbose=0)
        rows = recipes.compare(recipe, card, measured)
        failed = [r["metric"] for r in rows if r["status"] == "FAIL"]
        verdict = f"FAIL: {', '.join(failed)}" if failed else "reproduced"
    nll = measured.get("test_nll")
    if "test_log_likelihood" in measured:  # the RBM card reports log p(v) itself
        nll = -measured["test_log_likelihood"]
    nll_text = "-" if nll is None else f"{nll:.2f} ({ESTIMATORS.get(preset.family, '?')})"
    limit = _limit(card.get("test_nll", card.get("test_log_likelihood", {})).get("protocol", ""))
    if nll is not None and limit:
        nll_text += f", {limit} images"
    if "test_accuracy" in measured:
        nll_text = f"accuracy {measured['test_accuracy']:.4f}"
    if "test_error" in measured:  # a DBN with label units classifies by free energy
        nll_text = f"classification error {measured['test_error']:.4f}"
    if "test_reconstruction_cross_entropy" in measured:
        nll_text = f"reconstruction {measured['test_reconstruction_cross_entropy']:.2f}"
    fair_key = "fd_fmnist_binarized" if "fd_fmnist_binarized" in recipe.metrics else "fd_fmnist"
    fair = measured.get(fair_key)
    fair_text = (
        "-" if fair is None else f"{fair:.2f} ({'binarized' if 'bin' in fair_key else 'grey'})"
    )
    return [
        preset.name,
        f"v{record['version']}",
        preset.family,
        nll_text,
        fair_text,
        _number(measured.get("fd_fmnist")),
        _number(measured.get("sampling_seconds_64")),
        verdict,
    ]


def _number(value):
    return "-" if value is None or not np.isfinite(value) else f"{value:.2f}"


def _limit(protocol):
    """ "the first 100 images" in a protocol -> "first 100"."""
    marker = "the first "
    if marker not in protocol:
        return None
    return "first " + protocol.split(marker, 1)[1].split(" ", 1)[0]


if __name__ == "__main__":
    main()

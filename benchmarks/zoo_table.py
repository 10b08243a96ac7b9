"""The zoo on one table: every published version of every preset, re-evaluated on the same data.

Measuring writes records; `--report` renders them into RESULTS.md:

    python benchmarks/zoo_table.py [NAME ...] [--version N | --newest-only] [--metric KEY ...]
    python benchmarks/zoo_table.py --floors            # only the FD-FMNIST floors
    python benchmarks/zoo_table.py --report            # RESULTS.md's "zoo_table" section
    python benchmarks/zoo_table.py --cards-only [NAME ...]  # print from the cards, no records

Measuring loads each published version named (default: every version of every published
preset), recomputes its recipe's metrics as `zoo eval NAME --version N` does (the metrics on
its card, plus FD-FMNIST against both references and the sampling time where its recipe
has them, so that older cards gain the columns they lack), compares them with the card
(`zoo.recipes.compare`) and writes one JSON record per version to
`benchmarks/results/zoo_table/` at once, so an interrupted run keeps what it finished. A
record holds the measured values, the time each metric took, the comparison rows (card
value, tolerance, status), the git commit, the date, the CPU, package versions and the
load average before and after. The floors of FD-FMNIST (2,000 real training images
against the test set, under the grey and the binarized reference) go into a record of
their own, measured with `--floors` or whenever no floors record exists yet.

`--report` renders the newest record of each preset version, one row per version grouped
by preset (v1, v2, v3 side by side), into `benchmarks/RESULTS.md` between
`<!-- BEGIN GENERATED: zoo_table -->` and `<!-- END GENERATED -->`. A version without a
record yet shows its card's values marked "(card)". Reading records and rendering load no
model and no data.

Exit status 1 when a metric is outside its card's tolerance or a version failed to run.
"""

import argparse
import datetime
import json
import os
import pathlib
import re
import sys
import time
import traceback

try:
    from benchmarks import harness
except ImportError:  # `python benchmarks/zoo_table.py`: benchmarks/ is on the path, not its parent
    import harness

ROOT = harness.BENCHMARKS_DIR.parent
RECORDS_DIR = harness.RESULTS_DIR / "zoo_table"
SECTION = "zoo_table"
FLOORS = "floors"

#: Measured for every version whose recipe has them, on its card or not (the table's columns).
ALWAYS_MEASURED = ("fd_fmnist", "fd_fmnist_binarized", "sampling_seconds_64")

#: The headline of a row, first one present wins: `(metric, label, sign, digits)`. A
#: likelihood is shown as a negative log-likelihood in nats (sign -1 turns log p into NLL).
HEADLINES = (
    ("test_nll", None, 1, 2),
    ("test_log_likelihood", None, -1, 2),
    ("test_log_likelihood_lower_bound", None, -1, 2),
    ("test_bits_per_character", "bits/character", 1, 3),
    ("test_accuracy", "accuracy", 1, 4),
    ("test_error", "classification error", 1, 4),
    ("label_accuracy", "label accuracy of samples", 1, 4),
    ("test_reconstruction_cross_entropy", "reconstruction cross-entropy", 1, 2),
    ("test_reconstruction_error", "reconstruction error", 1, 4),
)
LIKELIHOODS = {"test_nll", "test_log_likelihood", "test_log_likelihood_lower_bound"}


# ----------------------------------------------------------------------- records
def record_key(record):
    """What a record measures: `"floors"` or `(preset, version)`."""
    if record.get("kind") == FLOORS:
        return FLOORS
    return (record["preset"], record["version"])


def newest_records(records_dir=RECORDS_DIR):
    """`{(preset, version) or "floors": (path, record)}`, the newest record of each."""
    if not pathlib.Path(records_dir).is_dir():
        return {}
    return harness.newest_records(records_dir, key=record_key)


def write_record(record, records_dir=RECORDS_DIR):
    if record.get("kind") == FLOORS:
        tag = FLOORS
    else:
        tag = f"{record['preset']}-v{record['version']}"
    return harness.write_record(record, records_dir, tag=tag)


def _provenance(command):
    """The fields every record starts with; `run_seconds` and `load_average` are added after."""
    return {
        "benchmark": SECTION,
        "smoke": False,
        "command": list(command if command is not None else [sys.executable, *sys.argv]),
        "started_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "environment": harness.environment(),
    }


def measure_floors(data_dir=None, command=None):
    """The FD-FMNIST floors under every reference, as a record (nothing written)."""
    import zoo.data
    from zoo.recipes import metrics

    record = {"kind": FLOORS, **_provenance(command)}
    load_before, start = os.getloadavg(), time.perf_counter()
    train, _ = zoo.data.load_arrays("fashion_mnist", "train", data_dir=data_dir)
    test, _ = zoo.data.load_arrays("fashion_mnist", "test", data_dir=data_dir)
    floors, seconds = {}, {}
    for reference in metrics.FD_REFERENCES:
        began = time.perf_counter()
        floors[reference] = metrics.fd_floor(train, test, reference)
        seconds[reference] = time.perf_counter() - began
    record.update(
        {
            "protocol": f"FD-FMNIST of {metrics.FD_NUM_SAMPLES:,} training images (drawn "
            f"without replacement, seed {metrics.FD_SEED}) against the {len(test):,} test "
            "images, both prepared as the reference says (zoo.recipes.metrics.fd_floor)",
            "references": dict(metrics.FD_REFERENCES),
            "num_images": metrics.FD_NUM_SAMPLES,
            "test_images": len(test),
            "floors": floors,
            "seconds": seconds,
            "run_seconds": time.perf_counter() - start,
            "load_average": {"before": list(load_before), "after": list(os.getloadavg())},
        }
    )
    return record


def metric_selection(recipe, card_metrics, requested=None):
    """The metrics to recompute: `requested`, else the card's plus `ALWAYS_MEASURED`."""
    if requested:
        unknown = [key for key in requested if key not in recipe.metrics]
        if unknown:
            raise ValueError(
                f"{recipe.preset} has no metric {unknown}; its recipe's: {list(recipe.metrics)}"
            )
        return list(requested)
    return [key for key in recipe.metrics if key in card_metrics or key in ALWAYS_MEASURED]


def fair_reference(recipe_metrics):
    """The FD reference a model is judged against: its own kind of images (or None)."""
    if "fd_fmnist_binarized" in recipe_metrics:
        return "binarized"
    return "grey" if "fd_fmnist" in recipe_metrics else None


def measure_version(name, version, data_dir=None, requested=None, command=None):
    """Recompute one published version's metrics and compare them with its card.

    Returns:
        The record (nothing written). A metric that raises is left out of `measured`
        and its error kept in `errors`; the others are still measured.
    """
    import dataclasses

    import zoo
    from zoo import recipes, registry

    preset = registry.get_preset(name)
    card_metrics = preset.record(version).get("metrics", {})
    recipe = recipes.get_recipe(preset.name)
    names = metric_selection(recipe, card_metrics, requested)
    record = {
        "kind": "preset",
        "preset": preset.name,
        "version": int(version),
        "family": preset.family,
        **_provenance(command),
        "data_dir": None if data_dir is None else str(data_dir),
        "fair_reference": fair_reference(recipe.metrics),
    }
    seconds, errors, examples = {}, {}, {}

    def timed(key, compute):
        def run(model, context):
            began = time.perf_counter()
            try:
                if "n" not in examples:
                    examples["n"] = len(context.raw_images())
                return compute(model, context)
            except Exception as error:  # noqa: BLE001 (one failing metric must not hide the rest)
                errors[key] = f"{type(error).__name__}: {error}"
                return float("nan")
            finally:
                seconds[key] = time.perf_counter() - began

        return run

    timed_recipe = dataclasses.replace(
        recipe,
        metrics={
            key: dataclasses.replace(metric, compute=timed(key, metric.compute))
            if metric.compute is not None
            else metric
            for key, metric in recipe.metrics.items()
        },
    )
    load_before, start = os.getloadavg(), time.perf_counter()
    began = time.perf_counter()
    model = zoo.load(preset.name, version=version)
    load_seconds = time.perf_counter() - began
    measured = recipes.evaluate(model, timed_recipe, data_dir=data_dir, names=names, verbose=0)
    measured = {key: value for key, value in measured.items() if key not in errors}
    record.update(
        {
            "evaluation_examples": examples.get("n"),
            "measured": measured,
            "protocols": {key: recipe.metrics[key].protocol for key in measured},
            "metric_seconds": seconds,
            "load_seconds": load_seconds,
            "errors": errors,
            "comparison": recipes.compare(recipe, card_metrics, measured),
            "run_seconds": time.perf_counter() - start,
            "load_average": {"before": list(load_before), "after": list(os.getloadavg())},
        }
    )
    return record


# ------------------------------------------------------------------ table entries
def card_of(name, version, weights_dir=None):
    """A version's model card (`metadata.json` in the checkout's `zoo_weights/`), or None."""
    from zoo import hub

    path = pathlib.Path(weights_dir or hub.CHECKOUT_WEIGHTS) / name / f"v{version}"
    path = path / "metadata.json"
    return json.loads(path.read_text()) if path.is_file() else None


def table_entries(names=None, version=None, newest_only=False):
    """The preset versions of the table, in order.

    Returns:
        `[{preset, version, family, fair_reference, card}]`, where `card` is the version's
        `metadata.json` (the published record's metrics if the file is not in the
        checkout). Loads no model.
    """
    import zoo
    from zoo import recipes, registry

    entries = []
    for name in names or zoo.list_models(pretrained=True):
        preset = registry.get_preset(name)
        if version is not None:
            published = [preset.record(version)]
        else:
            published = preset.versions[-1:] if newest_only else preset.versions
        try:
            reference = fair_reference(recipes.get_recipe(preset.name).metrics)
        except (KeyError, ValueError):  # a preset without a recipe
            reference = None
        for published_record in published:
            number = published_record["version"]
            card = card_of(preset.name, number) or {"metrics": published_record.get("metrics", {})}
            entries.append(
                {
                    "preset": preset.name,
                    "version": number,
                    "family": preset.family,
                    "fair_reference": reference,
                    "card": card,
                }
            )
    return entries


# ------------------------------------------------------------------------ render
NUMBER = r"(\d[\d,]*\d|\d)"  # 5,000 in "K=5,000, seed 0" (not the comma after it)


def _images(protocol, examples=None):
    """How many evaluation images a protocol scores: "first 100", "10,000", or None."""
    match = re.search(rf"the first {NUMBER} images", protocol)
    if match:
        return f"first {match.group(1)}"
    match = re.search(rf"(?:over|of) the {NUMBER} ", protocol)
    if match:
        return match.group(1)
    if "all images" in protocol:
        return f"{examples:,}" if examples else "all"
    return None


def _estimator(key, protocol, details=True):
    """The estimator a likelihood protocol names, in a few words.

    `details=False` leaves out what sets only its precision (AIS's number of betas).
    """
    if key == "test_log_likelihood_lower_bound":
        match = re.search(rf"num_samples={NUMBER}", protocol)
        samples = f" K={match.group(1)}" if match else ""
        return f"importance-weighted lower bound{samples}, top RBM's log Z by AIS"
    match = re.search(rf"K={NUMBER}", protocol)
    if "importance-weighted" in protocol and match:
        return f"IWAE K={match.group(1)}"
    if "AIS" in protocol:
        betas = re.search(rf"{NUMBER} betas", protocol)
        if betas and details:
            return f"AIS log Z, {int(betas.group(1).replace(',', '')):,} betas"
        return "AIS log Z"
    if "exact" in protocol:
        return "exact"
    return None


def headline(values, protocols, examples=None):
    """The headline cell: test NLL (estimator, images), or the metric a non-likelihood
    preset is judged by; `(text, metric, value)`, or `("-", None, None)`."""
    for key, label, sign, digits in HEADLINES:
        if values.get(key) is None:
            continue
        value = sign * values[key]
        if key in LIKELIHOODS:
            protocol = protocols.get(key, "")
            words = [w for w in (_estimator(key, protocol), _images(protocol, examples)) if w]
            if words and words[-1] == _images(protocol, examples):
                words[-1] += " images"
            bound = "<= " if key == "test_log_likelihood_lower_bound" else ""
            text = f"{bound}{value:.{digits}f}" + (f" ({', '.join(words)})" if words else "")
            return text, key, value
        return f"{label} {value:.{digits}f}", key, value
    return "-", None, None


def _fd(value):
    return "-" if value is None or value != value else f"{value:.2f}"


def training_summary(card):
    """Epochs, stopping reason and wall time from a card's `training` section."""
    training = (card or {}).get("training") or {}
    parts = []
    if training.get("epochs") is not None:
        epochs = training["epochs"]
        parts.append(f"{epochs} epoch{'s' if epochs != 1 else ''}")
    stopping = training.get("stopping")
    if stopping:
        reason = stopping.get("stopped_because")
        why = {
            "patience": f"stopped by patience ({stopping.get('patience_epochs')} epochs)",
            "budget": f"stopped by the {stopping.get('budget_hours')} h budget",
            "epochs": "ran all its epochs",
        }.get(reason, f"stopped: {reason}")
        if stopping.get("best_epoch") is not None:
            why += f", best epoch {stopping['best_epoch']}"
        parts.append(why)
    elif training:
        parts.append("fixed schedule")
    wall = training.get("wall_time_s", training.get("wall_time_seconds"))
    if wall is not None:
        parts.append(f"{wall:,.0f} s")
    continued = training.get("starts_from")
    if continued:
        parts.append(
            f"continues v{continued['version']} ({continued['its_wall_time_s']:,.0f} s): "
            f"{continued['total_wall_time_s']:,.0f} s in all"
        )
    return "; ".join(parts) or "-"


def verdict(record):
    """The `zoo eval` cell of a measured record: reproduced, or which metrics failed."""
    rows = record.get("comparison", [])
    compared = [row for row in rows if row["status"] in ("ok", "FAIL")]
    failed = [row for row in compared if row["status"] == "FAIL"]
    parts = []
    if failed:
        parts.append(
            "**FAIL**: "
            + "; ".join(
                f"{row['metric']} {row['measured']:.4g} vs card {row['card']:.4g} "
                f"(± {row['tolerance']:g})"
                for row in failed
            )
        )
    elif compared:
        parts.append(f"reproduced ({len(compared)} of {len(compared)} within tolerance)")
    else:
        parts.append("nothing to compare")
    skipped = [row["metric"] for row in rows if row["status"] == "not recomputed"]
    if skipped:
        parts.append(f"not recomputable: {', '.join(skipped)}")
    if record.get("errors"):
        parts.append(f"error in {', '.join(record['errors'])}")
    return "; ".join(parts)


def _when(record):
    load = record["load_average"]
    cpu = record["environment"]["cpu"]["model"] or "?"
    return (
        f"{record['started_utc'][:10]}, {cpu}, load {load['before'][0]:.1f}-"
        f"{load['after'][0]:.1f}, {record['run_seconds']:,.0f} s"
    )


def shown_values(entry, record=None):
    """`(values, protocols, examples)` of a row: the record's, else the card's."""
    if record is not None:
        return record["measured"], record.get("protocols", {}), record.get("evaluation_examples")
    card_metrics = (entry["card"] or {}).get("metrics", {})
    values = {key: metric["value"] for key, metric in card_metrics.items()}
    protocols = {key: metric.get("protocol", "") for key, metric in card_metrics.items()}
    return values, protocols, None


def _same_protocol(key, protocols, other_protocols):
    """Whether two likelihood protocols name the same estimator on the same images."""
    first, second = protocols.get(key, ""), other_protocols.get(key, "")
    return (_estimator(key, first, False), _images(first)) == (
        _estimator(key, second, False),
        _images(second),
    )


def row_cells(entry, record=None, first=None):
    """The cells of one preset version's row.

    Args:
        entry: From `table_entries`.
        record: Its newest measured record, or None (the card's values, marked "(card)").
        first: `shown_values` of the preset's first version, to show the change of the
            NLL (same estimator, same images) and the ratio of the fair FD against it;
            None for the first version itself.
    """
    values, protocols, examples = shown_values(entry, record)
    mark = "" if record is not None else " (card)"
    nll, key, value = headline(values, protocols, examples)
    if nll != "-":
        nll += mark
    if first is not None and key in LIKELIHOODS and first[0].get(key) is not None:
        if _same_protocol(key, protocols, first[1]):
            sign = -1 if key != "test_nll" else 1
            nll += f"; {value - sign * first[0][key]:+.2f} vs v1"
    reference = entry.get("fair_reference") or (record or {}).get("fair_reference")
    fair_key = {"binarized": "fd_fmnist_binarized", "grey": "fd_fmnist"}.get(reference)
    fair = values.get(fair_key) if fair_key else None
    fair_text = "-" if fair is None else f"{fair:.2f} ({reference}){mark}"
    if fair is not None and first is not None and first[0].get(fair_key):
        fair_text += f"; {fair / first[0][fair_key]:.2f}x v1"

    def plain(key):
        return "-" if values.get(key) is None else _fd(values[key]) + mark

    return [
        f"`{entry['preset']}`",
        f"v{entry['version']}",
        entry["family"],
        nll,
        fair_text,
        plain("fd_fmnist"),
        plain("sampling_seconds_64"),
        training_summary(entry["card"]),
        verdict(record) if record is not None else "not recomputed yet",
        _when(record) if record is not None else "-",
    ]


HEADER = (
    "preset",
    "version",
    "family",
    "test NLL, nats (estimator, test images)",
    "FD-FMNIST, fair reference",
    "FD-FMNIST vs grey",
    "sample 64 (s)",
    "training (card)",
    "`zoo eval` vs card",
    "recomputed (UTC date, CPU, load average 1 min before-after, seconds)",
)


def preset_table(entries, records):
    """The table of preset versions, v1 first within each preset."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + " --- |" * len(HEADER)]
    firsts = {}  # preset -> (its first version in `entries`, shown_values)
    for entry in entries:
        found = records.get((entry["preset"], entry["version"]))
        record = found[1] if found else None
        version, first = firsts.setdefault(
            entry["preset"], (entry["version"], shown_values(entry, record))
        )
        first = None if version == entry["version"] else first
        lines.append("| " + " | ".join(row_cells(entry, record, first)) + " |")
    return "\n".join(lines) + "\n"


def floors_table(found):
    """The FD-FMNIST floors table from the floors record (`(path, record)` or None)."""
    header = "| FD-FMNIST reference | floor: 2,000 training images vs the test set | measured |"
    lines = [header, "| --- | --- | --- |"]
    if found is None:
        return "\n".join([*lines, "| (no floors record yet) | - | - |"]) + "\n"
    record = found[1]
    for reference, floor in record["floors"].items():
        described = record.get("references", {}).get(reference, "")
        lines.append(f"| {reference}: {described} | {floor:.2f} | {_when(record)} |")
    return "\n".join(lines) + "\n"


def render(entries, records):
    """The generated section: provenance, the floors table, the preset versions' table."""
    measured = [
        records[(e["preset"], e["version"])][1]
        for e in entries
        if (e["preset"], e["version"]) in records
    ]
    commits = sorted({(r["environment"]["git"]["sha"] or "?")[:10] for r in measured})
    provenance = ""
    if commits:
        dirty = any(r["environment"]["git"]["dirty"] for r in measured)
        provenance = f" (commit {', '.join(commits)}{', uncommitted changes' if dirty else ''})"
    lines = [
        "Generated by `python benchmarks/zoo_table.py --report` from the newest record of each "
        "preset version in `benchmarks/results/zoo_table/`; do not edit by hand. "
        f"{len(measured)} of {len(entries)} published versions recomputed{provenance}; the "
        "others show their card's values, marked (card), until `python "
        "benchmarks/zoo_table.py NAME` records them.",
        "",
        floors_table(records.get(FLOORS)),
        preset_table(entries, records),
    ]
    return "\n".join(lines)


def report(records_dir=RECORDS_DIR, results_md=harness.RESULTS_MD, entries=None):
    """Rewrite RESULTS.md's `zoo_table` section from the newest records; returns a sentence."""
    entries = table_entries() if entries is None else entries
    records = newest_records(records_dir)
    text = pathlib.Path(results_md).read_text()
    rendered = harness.replace_generated(text, SECTION, render(entries, records))
    if rendered is None:
        raise SystemExit(f"no `<!-- BEGIN GENERATED: {SECTION} -->` marker in {results_md}")
    pathlib.Path(results_md).write_text(rendered)
    count = sum((e["preset"], e["version"]) in records for e in entries)
    return f"rendered {count} of {len(entries)} preset versions from records into {results_md}"


# -------------------------------------------------------------------------- main
def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", help="presets (default: every published one)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--version", type=int, help="only this published version")
    which.add_argument("--newest-only", action="store_true", help="only the newest version")
    parser.add_argument("--metric", action="append", help="recompute only this metric (repeat)")
    parser.add_argument("--floors", action="store_true", help="measure the FD-FMNIST floors")
    parser.add_argument("--report", action="store_true", help="render the records into RESULTS.md")
    parser.add_argument("--cards-only", action="store_true", help="print from the cards only")
    parser.add_argument("--data-dir", help="dataset folder (default: zoo.data's places)")
    parser.add_argument("--results", default=str(RECORDS_DIR), help="records folder")
    parser.add_argument("--file", default=str(harness.RESULTS_MD), help="the RESULTS.md to update")
    args = parser.parse_args(argv)
    # This checkout's zoo, not another one installed in editable mode: the records name
    # this checkout's commit.
    if str(ROOT) not in sys.path[:1]:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    if args.report:
        print(report(args.results, args.file))
        return 0
    entries = table_entries(args.names, args.version, args.newest_only)
    if args.cards_only:
        print(preset_table(entries, {}))
        return 0

    status = 0
    if args.floors or FLOORS not in newest_records(args.results):
        record = measure_floors(args.data_dir)
        print(f"wrote {write_record(record, args.results)}")
        print(floors_table((None, record)), flush=True)
        if args.floors and not args.names:
            return 0
    for entry in entries:
        label = f"{entry['preset']} v{entry['version']}"
        print(f"== {label}", flush=True)
        try:
            record = measure_version(entry["preset"], entry["version"], args.data_dir, args.metric)
        except Exception:  # noqa: BLE001 (one failing version must not stop the others)
            traceback.print_exc()
            print(f"FAILED to measure {label}", flush=True)
            status = 1
            continue
        path = write_record(record, args.results)
        print(f"wrote {path} ({record['run_seconds']:,.0f} s)")
        print(preset_table([entry], {(entry["preset"], entry["version"]): (path, record)}))
        for row in record["comparison"]:
            print(
                f"  {row['metric']}: card {row['card']} measured {row['measured']} "
                f"tolerance {row['tolerance']} -> {row['status']}"
            )
        if any(row["status"] == "FAIL" for row in record["comparison"]) or record["errors"]:
            status = 1
        print(flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())

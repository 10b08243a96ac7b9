"""benchmarks/zoo_table.py: its records and the table rendered from them (fake records only).

No model is loaded and no dataset read: the records, cards and RESULTS.md are written here.
"""

import importlib
import json
import pathlib
import sys
import types

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

EXACT = (
    "negative log-likelihood in nats per image, exact (log_prob), all images of the "
    "evaluation split, preprocessed as in training (lower is better)"
)
IWAE = (
    "negative log-likelihood in nats per image, importance-weighted estimate (VAE.log_prob, "
    "K=5,000, seed 0), the first 100 images of the evaluation split"
)


@pytest.fixture(scope="module")
def zoo_table():
    if str(ROOT) not in sys.path:  # the checkout's `benchmarks` package
        sys.path.insert(0, str(ROOT))
    return importlib.import_module("benchmarks.zoo_table")


def record(preset="nade_fashion_mnist", version=1, started="2026-12-07T10:00:00+00:00", **kw):
    measured = kw.pop("measured", {"test_nll": 122.1, "fd_fmnist": 44.5})
    base = {
        "benchmark": "zoo_table",
        "smoke": False,
        "kind": "preset",
        "preset": preset,
        "version": version,
        "family": "autoregressive",
        "command": ["python", "benchmarks/zoo_table.py", preset],
        **_provenance(started, 42.0, before=1.5, after=2.5),
        "fair_reference": "binarized",
        "evaluation_examples": 10000,
        "measured": measured,
        "protocols": {key: EXACT for key in measured},
        "metric_seconds": {key: 1.0 for key in measured},
        "errors": {},
        "comparison": [
            {"metric": key, "card": value, "measured": value, "tolerance": 0.05, "status": "ok"}
            for key, value in measured.items()
        ],
    }
    base.update(kw)
    return base


def _provenance(started, run_seconds, before, after):
    """The fields every fake record shares: when, how long, where, at what load."""
    return {
        "started_utc": started,
        "run_seconds": run_seconds,
        "environment": {
            "git": {"sha": "0123456789abcdef", "dirty": False},
            "cpu": {"model": "CPU"},
        },
        "load_average": {"before": [before, 1.0, 1.0], "after": [after, 1.0, 1.0]},
    }


def floors_record(started="2026-12-07T09:00:00+00:00"):
    return {
        "benchmark": "zoo_table",
        "smoke": False,
        "kind": "floors",
        **_provenance(started, 100.0, before=1.0, after=1.0),
        "references": {"grey": "grey test images", "binarized": "binarized test images"},
        "floors": {"grey": 0.84, "binarized": 1.01},
    }


def card(metrics, **training):
    return {
        "metrics": {
            key: {"value": value, "protocol": protocol, "tolerance": 0.05}
            for key, (value, protocol) in metrics.items()
        },
        "training": training,
    }


def entry(preset="nade_fashion_mnist", version=1, metrics=None, **training):
    metrics = metrics or {"test_nll": (122.12, EXACT), "fd_fmnist": (44.55, "FD grey")}
    return {
        "preset": preset,
        "version": version,
        "family": "autoregressive",
        "fair_reference": "binarized",
        "card": card(metrics, **training),
    }


def rows(text):
    """The table rows (not header or rule) of a markdown text, split into cells."""
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("| `")
    ]


def test_records_are_written_one_file_per_version_and_the_newest_wins(zoo_table, tmp_path):
    old = record(version=2, started="2026-12-07T10:00:00+00:00", measured={"test_nll": 110.0})
    new = record(version=2, started="2026-12-07T11:00:00+00:00", measured={"test_nll": 103.0})
    paths = [zoo_table.write_record(r, tmp_path) for r in (new, old, record(), floors_record())]
    assert sorted(p.name for p in paths) == [
        "20261207T090000Z-floors.json",
        "20261207T100000Z-nade_fashion_mnist-v1.json",
        "20261207T100000Z-nade_fashion_mnist-v2.json",
        "20261207T110000Z-nade_fashion_mnist-v2.json",
    ]
    newest = zoo_table.newest_records(tmp_path)
    assert set(newest) == {("nade_fashion_mnist", 1), ("nade_fashion_mnist", 2), "floors"}
    path, chosen = newest[("nade_fashion_mnist", 2)]
    assert chosen["measured"] == {"test_nll": 103.0} and path.name.startswith("20261207T11")
    assert json.loads(path.read_text()) == new


def test_no_records_folder_means_no_records(zoo_table, tmp_path):
    assert zoo_table.newest_records(tmp_path / "missing") == {}


def test_the_harness_does_not_read_the_zoo_table_folder(zoo_table, tmp_path):
    harness = importlib.import_module("benchmarks.harness")
    zoo_table.write_record(record(), tmp_path / "zoo_table")
    assert harness.newest_records(tmp_path) == {}


def test_a_version_without_record_shows_its_card_values_marked(zoo_table):
    entries = [
        entry(version=1, epochs=3, wall_time_s=398.7),
        entry(
            version=2,
            metrics={"test_nll": (102.98, EXACT), "fd_fmnist_binarized": (12.11, "FD bin")},
        ),
    ]
    records = {("nade_fashion_mnist", 1): (pathlib.Path("r.json"), record())}
    v1, v2 = rows(zoo_table.preset_table(entries, records))
    assert not any("(card)" in cell for cell in v1)
    assert v1[3] == "122.10 (exact, 10,000 images)"
    assert v1[8] == "reproduced (2 of 2 within tolerance)"
    assert v1[9] == "2026-12-07, CPU, load 1.5-2.5, 42 s"
    assert v2[3].startswith("102.98 (exact, all images) (card)")
    assert v2[4].startswith("12.11 (binarized) (card)")
    assert v2[8] == "not recomputed yet" and v2[9] == "-"


def test_later_versions_show_their_change_against_v1(zoo_table):
    first = record(measured={"test_nll": 122.0, "fd_fmnist_binarized": 50.0})
    second = record(version=2, measured={"test_nll": 103.0, "fd_fmnist_binarized": 12.5})
    entries = [entry(version=1), entry(version=2)]
    records = {
        ("nade_fashion_mnist", 1): (pathlib.Path("a"), first),
        ("nade_fashion_mnist", 2): (pathlib.Path("b"), second),
    }
    v1, v2 = rows(zoo_table.preset_table(entries, records))
    assert "vs v1" not in v1[3] and v1[4] == "50.00 (binarized)"
    assert v2[3] == "103.00 (exact, 10,000 images); -19.00 vs v1"
    assert v2[4] == "12.50 (binarized); 0.25x v1"


def test_no_change_is_shown_between_different_estimators(zoo_table):
    entries = [
        entry("vae_fashion_mnist", 1, {"test_nll": (126.4, IWAE)}),
        entry("vae_fashion_mnist", 2, {"test_nll": (129.1, EXACT)}),
    ]
    v1, v2 = rows(zoo_table.preset_table(entries, {}))
    assert v1[3] == "126.40 (IWAE K=5,000, first 100 images) (card)"
    assert "vs v1" not in v2[3]


def test_headlines_of_other_metrics(zoo_table):
    bound = (
        "mean over the 10,000 statically binarized test images of "
        "log_prob_lower_bound(x, num_samples=100)"
    )
    text, key, value = zoo_table.headline(
        {"test_log_likelihood_lower_bound": -110.14}, {"test_log_likelihood_lower_bound": bound}
    )
    assert text.startswith("<= 110.14 (importance-weighted lower bound K=100") and value == 110.14
    ais = "mean log p(v) over the 10,000 test images; log Z by AIS, 100 chains, 14,500 betas"
    text, _, _ = zoo_table.headline({"test_log_likelihood": -120.29}, {"test_log_likelihood": ais})
    assert text == "120.29 (AIS log Z, 14,500 betas, 10,000 images)"
    assert zoo_table.headline({"test_accuracy": 0.8984}, {})[0] == "accuracy 0.8984"
    assert zoo_table.headline({"fd_fmnist": 12.0}, {}) == ("-", None, None)


def test_a_failed_metric_is_named_with_its_values(zoo_table):
    failed = record(
        comparison=[
            {
                "metric": "test_nll",
                "card": 122.1,
                "measured": 123.0,
                "tolerance": 0.05,
                "status": "FAIL",
            },
            {
                "metric": "sampling_seconds_64",
                "card": 0.1,
                "measured": 0.2,
                "tolerance": None,
                "status": "info",
            },
            {
                "metric": "classifier_test_error",
                "card": 0.17,
                "measured": None,
                "tolerance": None,
                "status": "not recomputed",
            },
        ],
        errors={"fd_fmnist": "ValueError: boom"},
    )
    text = zoo_table.verdict(failed)
    assert text.startswith("**FAIL**: test_nll 123 vs card 122.1 (± 0.05)")
    assert "not recomputable: classifier_test_error" in text and "error in fd_fmnist" in text


def test_training_summary_from_the_card(zoo_table):
    plateau = card(
        {},
        epochs=44,
        wall_time_s=731.8,
        stopping={"stopped_because": "patience", "patience_epochs": 10, "best_epoch": 34},
    )
    assert zoo_table.training_summary(plateau) == (
        "44 epochs; stopped by patience (10 epochs), best epoch 34; 732 s"
    )
    old = card({}, epochs=1, wall_time_seconds=636)
    assert zoo_table.training_summary(old) == "1 epoch; fixed schedule; 636 s"
    continued = card(
        {},
        epochs=2,
        wall_time_s=1650.0,
        stopping={"stopped_because": "budget", "budget_hours": 0.48, "best_epoch": 2},
        starts_from={"version": 2, "its_wall_time_s": 5462.7, "total_wall_time_s": 7112.7},
    )
    assert zoo_table.training_summary(continued) == (
        "2 epochs; stopped by the 0.48 h budget, best epoch 2; 1,650 s; "
        "continues v2 (5,463 s): 7,113 s in all"
    )
    assert zoo_table.training_summary({"metrics": {}}) == "-"


def test_metric_selection_adds_the_table_columns_to_the_card(zoo_table):
    recipe = types.SimpleNamespace(
        preset="nade_fashion_mnist",
        metrics=dict.fromkeys(["test_nll", "fd_fmnist", "fd_fmnist_binarized", "extra"]),
    )
    assert zoo_table.metric_selection(recipe, {"test_nll": {}}) == [
        "test_nll",
        "fd_fmnist",
        "fd_fmnist_binarized",
    ]
    assert zoo_table.metric_selection(recipe, {}, ["extra"]) == ["extra"]
    with pytest.raises(ValueError, match="no metric"):
        zoo_table.metric_selection(recipe, {}, ["nope"])
    assert zoo_table.fair_reference(recipe.metrics) == "binarized"
    assert zoo_table.fair_reference({"fd_fmnist": None}) == "grey"
    assert zoo_table.fair_reference({"test_accuracy": None}) is None


RESULTS = """# Benchmark results

## The zoo on one table

Prose before.

<!-- BEGIN GENERATED: zoo_table -->
stale table
<!-- END GENERATED -->

Prose after.

<!-- BEGIN GENERATED: made_vs_tfp -->
another benchmark's table
<!-- END GENERATED -->
"""


def test_report_replaces_only_its_section(zoo_table, tmp_path):
    results_md = tmp_path / "RESULTS.md"
    results_md.write_text(RESULTS)
    records_dir = tmp_path / "zoo_table"
    zoo_table.write_record(record(), records_dir)
    zoo_table.write_record(floors_record(), records_dir)
    entries = [entry(version=1), entry(version=2)]
    outcome = zoo_table.report(records_dir, results_md, entries)
    assert "1 of 2" in outcome
    text = results_md.read_text()
    begin, end = "<!-- BEGIN GENERATED: zoo_table -->\n", "<!-- END GENERATED -->"
    before, rest = text.split(begin)
    body, after = rest.split(end, 1)
    old_before, old_rest = RESULTS.split(begin)
    assert before == old_before and after == old_rest.split(end, 1)[1]
    assert "stale table" not in body
    assert "| grey: grey test images | 0.84 |" in body
    assert "1 of 2 published versions recomputed (commit 0123456789)" in body
    assert [r[1] for r in rows(body)] == ["v1", "v2"]
    zoo_table.report(records_dir, results_md, entries)  # a second run changes nothing
    assert results_md.read_text() == text


def test_report_without_floors_record_says_so(zoo_table, tmp_path):
    assert "no floors record yet" in zoo_table.floors_table(None)


def test_report_needs_the_markers(zoo_table, tmp_path):
    results_md = tmp_path / "RESULTS.md"
    results_md.write_text("# no markers\n")
    with pytest.raises(SystemExit, match="BEGIN GENERATED: zoo_table"):
        zoo_table.report(tmp_path, results_md, [entry()])
    assert results_md.read_text() == "# no markers\n"

"""Every model class of the zoo: SavedModel export served by TensorFlow alone, `.keras` files.

A tiny model of every class, and of each configuration that changes the signatures (a
class- or vector-conditional model, a labelled DBN), is exported and served in one child
process that imports neither zoo nor TensorFlow Probability. That every preset of
`zoo.list_models()` exports, and serves what it computes in memory, is checked on the
preset's own architecture by tests/models/test_contract.py; export does not depend on the
weights' values, so published weights are not exported here.
"""

import pathlib

import keras
import numpy as np
import pytest
from support.child_processes import serve_in_tensorflow_only_process
from support.export_checks import assert_served_matches, export_with_expectations
from support.serving_cases import CASES, FAMILY_CASES

import zoo.models as m

# The tests of the `served` fixture run on one xdist worker (`-n 2 --dist loadgroup`): a
# module fixture is made once per worker, and this one exports and serves every model.
ONE_WORKER = pytest.mark.xdist_group("family_serving")


def _binary(*shape):
    return np.random.default_rng(0).integers(0, 2, size=(3, *shape)).astype(np.float32)


# The classes and signature-changing configurations the training cases leave out.
SERVED_ONLY = {
    "PixelRNN": (lambda: m.PixelRNN((4, 4, 1), num_layers=1, units=4), _binary(4, 4, 1)),
    "PixelCNN_conditional": (
        lambda: m.PixelCNN((4, 4, 1), num_layers=2, filters=4, first_kernel_size=3, num_classes=3),
        _binary(4, 4, 1),
    ),
    "DCGAN_conditional": (
        lambda: m.DCGAN((8, 8, 1), latent_dim=4, filters=4, num_classes=3, seed=0),
        _binary(8, 8, 1) * 2 - 1,
    ),
    "MADE_conditional": (lambda: m.MADE(6, [8], conditional_dim=2), _binary(6)),
    "DBN_labelled": (lambda: m.DBN([6, 4, 3], num_labels=2, seed=0), _binary(6)),
    "ImageClassifier": (
        lambda: m.ImageClassifier((8, 8, 1), num_classes=3, filters=4, feature_dim=4),
        _binary(8, 8, 1),
    ),
}
SERVED = sorted({*FAMILY_CASES, *SERVED_ONLY})


def _serve_all(root, models):
    """Export `{name: (build, x)}`, serve all of them in one TensorFlow-only child process."""
    entries, expectations, failures = [], {}, {}
    for name, (build, x) in models.items():
        keras.utils.set_random_seed(0)
        try:
            entry, expected = export_with_expectations(build(), root / name, x)
        except Exception as error:  # noqa: BLE001  (reported per model by the test below)
            failures[name] = error
            continue
        entries.append(entry)
        expectations[name] = expected
    outputs, shown, modules = serve_in_tensorflow_only_process(entries, root / "manifest.json")
    names = [pathlib.Path(e["dir"]).parent.name for e in entries]
    return {
        "expected": expectations,
        "outputs": dict(zip(names, outputs, strict=True)),
        "shown": dict(zip(names, shown, strict=True)),
        "modules": modules,
        "failures": failures,
    }


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A tiny model of every class and conditional configuration, served in one child."""
    models = {name: (case.build, case.data()[:3]) for name, case in FAMILY_CASES.items()}
    models.update(SERVED_ONLY)
    assert len(models) == len(SERVED)  # no name clash
    return _serve_all(tmp_path_factory.mktemp("exports"), models)


@ONE_WORKER
@pytest.mark.parametrize("name", SERVED)
def test_export_serves_identically_without_zoo_or_tfp(served, name):
    if name in served["failures"]:
        raise served["failures"][name]
    assert "zoo" not in served["modules"] and "tensorflow_probability" not in served["modules"]
    expected = served["expected"][name]
    assert_served_matches(expected, served["outputs"][name], name)
    for signature in {key.split("/")[0] for key in expected} | {"serving_default"}:
        assert f"signature_def['{signature}']" in served["shown"][name]


@pytest.mark.parametrize("name", sorted(CASES))
def test_keras_round_trip_then_training_continues(tmp_path, name):
    case = CASES[name]
    model = case.build()
    model.compile(**case.compile_kwargs())
    x = case.data()
    model.fit(x, batch_size=case.batch_size, epochs=1, verbose=0, shuffle=False)
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    assert type(loaded) is type(model)
    for before, after in zip(model.weights, loaded.weights, strict=True):
        np.testing.assert_array_equal(before.numpy(), after.numpy(), err_msg=before.path)
    if not loaded.compiled:
        loaded.compile(**case.compile_kwargs())
    history = loaded.fit(x, batch_size=case.batch_size, epochs=1, steps_per_epoch=1, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values()), history.history
    trainable = [w.path for w in model.trainable_weights]
    moved = [
        a.path
        for a, b in zip(model.weights, loaded.weights, strict=True)
        if a.path in trainable and not np.array_equal(a.numpy(), b.numpy())
    ]
    assert moved, "the step after reloading changed no trainable weight"

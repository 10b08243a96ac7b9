"""Every model class of the zoo: SavedModel export served by TensorFlow alone, `.keras` files."""

import pathlib

import keras
import numpy as np
import pytest
from serving_cases import CASES, FAMILY_CASES
from serving_checks import (
    assert_served_matches,
    export_with_expectations,
    serve_in_tensorflow_only_process,
)

import zoo
import zoo.data
from zoo.models.autoregressive.recurrent_language_model import RecurrentLanguageModel

# Every published preset, the classifier (signatures `classify` and `features`) included.
PUBLISHED_PRESETS = zoo.list_models(pretrained=True)
# The tests of the `served` fixture run on one xdist worker (`-n 2 --dist loadgroup`): a
# module fixture is made once per worker, and this one exports and serves every model.
ONE_WORKER = pytest.mark.xdist_group("family_serving")


def _serve_all(root, models):
    """Export `{name: (build, x)}`, serve all of them in one TensorFlow-only child process."""
    entries, expectations, failures = [], {}, {}
    for name, (build, x) in models.items():
        keras.utils.set_random_seed(0)
        try:
            entry, expected = export_with_expectations(build(), root / name, x)
        except Exception as error:  # noqa: BLE001  (reported per model by the tests below)
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
    """Every family case and every generative preset, served in one child process."""
    models = {name: (case.build, case.data()[:3]) for name, case in FAMILY_CASES.items()}
    # Three synthetic grey 28x28 images (no dataset needed): every preset takes [0, 1] data.
    images = np.random.default_rng(0).integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
    for name in PUBLISHED_PRESETS:
        model = zoo.load(name)  # the checkout's published weights, verified
        if isinstance(model, RecurrentLanguageModel):  # text: character ids
            x = images.reshape(3, -1)[:, : model.sequence_length] % model.vocab_size
        else:
            x = zoo.data.to_unit_interval(images).reshape(3, *model.data_shape)
        models[name] = (lambda model=model: model, x)
    assert len(models) == len(FAMILY_CASES) + len(PUBLISHED_PRESETS)  # no name clash
    return _serve_all(tmp_path_factory.mktemp("exports"), models)


def _check_served(served, name):
    if name in served["failures"]:
        raise served["failures"][name]
    assert "zoo" not in served["modules"] and "tensorflow_probability" not in served["modules"]
    expected = served["expected"][name]
    assert_served_matches(expected, served["outputs"][name], name)
    for signature in {key.split("/")[0] for key in expected} | {"serving_default"}:
        assert f"signature_def['{signature}']" in served["shown"][name]


@ONE_WORKER
@pytest.mark.parametrize("name", sorted(FAMILY_CASES))
def test_export_serves_identically_without_zoo_or_tfp(served, name):
    _check_served(served, name)


@ONE_WORKER
@pytest.mark.parametrize("name", PUBLISHED_PRESETS)
def test_published_preset_serves_identically_without_zoo_or_tfp(served, name):
    _check_served(served, name)
    if zoo.info(name)["family"] == "classifier":
        assert {"classify/logits", "features/features"} <= set(served["expected"][name])


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

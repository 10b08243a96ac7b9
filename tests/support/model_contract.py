"""The contract every zoo model meets, checked once here and reused by each family's tests.

In the spirit of keras-hub's shared test case: build a tiny model, round-trip its config,
fit one step with plain `model.fit`, save and reload `.keras`, and, where the model
samples, check that a seed fixes the samples. `check_condition_alias` checks a conditional
method's deprecated `labels=` alias of `condition=`.
"""

import keras
import numpy as np
import pytest


def run_model_contract(build_model, x, tmp_path, compile_kwargs=None, sample_shape=None):
    """Check the shared model contract.

    Args:
        build_model: Zero-argument callable returning a fresh, tiny model.
        x: Training data `model.fit` accepts (a numpy array or a `tf.data.Dataset`).
        tmp_path: pytest's temporary folder, for the `.keras` file.
        compile_kwargs: Zero-argument callable returning `compile` keyword arguments
            (fresh optimizers each call); default `{"optimizer": "adam"}`.
        sample_shape: Expected shape of one sample; when given, `sample` is checked.

    Returns:
        The trained model and its one-epoch history, for further checks.
    """
    compile_kwargs = compile_kwargs or (lambda: {"optimizer": "adam"})
    model = build_model()

    clone = type(model).from_config(model.get_config())
    assert [tuple(w.shape) for w in clone.weights] == [tuple(w.shape) for w in model.weights]

    model.compile(**compile_kwargs())
    history = model.fit(x, epochs=1, verbose=0, shuffle=False)
    logs = {k: v[-1] for k, v in history.history.items()}
    assert logs, "fit reported no metrics"
    assert all(np.isfinite(v) for v in logs.values()), logs
    assert any(v != 0.0 for v in logs.values()), f"every metric is 0.0: {logs}"

    path = tmp_path / f"{type(model).__name__}.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model)
    for a, b in zip(model.weights, loaded.weights, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)
    if not loaded.compiled:
        loaded.compile(**compile_kwargs())
    loaded.fit(x, epochs=1, verbose=0, steps_per_epoch=1)

    if sample_shape is not None:
        first = np.asarray(model.sample(3, seed=7))
        again = np.asarray(model.sample(3, seed=7))
        other = np.asarray(model.sample(3, seed=8))
        assert first.shape == (3, *sample_shape)
        np.testing.assert_array_equal(first, again)
        assert not np.array_equal(first, other)
    return model, history


def check_condition_alias(name, call, condition):
    """Check that `labels=` is a deprecated alias of `condition=` for one method.

    With `labels=` the method warns (a `DeprecationWarning` naming it, pointing at the line
    that called it) and returns what it returns with `condition=`; with both it raises.

    Args:
        name: The method's qualified name, e.g. `"PixelCNN.sample"`.
        call: A function of the test that calls the method with its keyword arguments,
            e.g. `lambda **kwargs: model.sample(2, seed=0, **kwargs)` (deterministic).
        condition: A valid condition for the method.
    """
    with pytest.warns(DeprecationWarning, match="condition=") as caught:
        aliased = call(labels=condition)
    message = f"`{name}(labels=...)` is deprecated"
    (warning,) = [w for w in caught if message in str(w.message)]
    assert warning.filename == call.__code__.co_filename, warning.filename
    np.testing.assert_array_equal(aliased, call(condition=condition))
    with pytest.raises(ValueError, match="not both"):
        call(condition=condition, labels=condition)

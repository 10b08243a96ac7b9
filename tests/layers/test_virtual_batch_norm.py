"""Reference and virtual batch normalization: their math, and training inside a model."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo.layers.minibatch_discrimination import MinibatchDiscrimination
from zoo.layers.virtual_batch_norm import (
    ReferenceBatchNormalization,
    VirtualBatchNormalization,
)


def _reference_stats(x, reference_size):
    reference = x[:reference_size]
    axes = tuple(range(x.ndim - 1))
    return reference.mean(axes), (reference**2).mean(axes)


def test_reference_batch_norm_uses_reference_statistics_only():
    rng = np.random.default_rng(2)
    x = rng.normal(3.0, 2.0, size=(10, 4, 4, 3)).astype("float32")
    layer = ReferenceBatchNormalization(reference_size=6, epsilon=0.0)
    mean, mean_square = _reference_stats(x, 6)
    want = (x - mean) / np.sqrt(mean_square - mean**2)
    np.testing.assert_allclose(layer(x).numpy(), want, rtol=1e-4, atol=1e-4)


def test_virtual_batch_norm_mixes_reference_and_example():
    rng = np.random.default_rng(3)
    x = rng.normal(1.0, 3.0, size=(7, 2, 2, 3)).astype("float32")
    r = 4
    layer = VirtualBatchNormalization(reference_size=r, epsilon=0.0)
    out = layer(x).numpy()
    ref_mean, ref_square = _reference_stats(x, r)
    for i in range(7):
        if i < r:
            mean, square = ref_mean, ref_square
        else:
            mean = (x[i].mean((0, 1)) + r * ref_mean) / (r + 1)
            square = ((x[i] ** 2).mean((0, 1)) + r * ref_square) / (r + 1)
        want = (x[i] - mean) / np.sqrt(square - mean**2)
        np.testing.assert_allclose(out[i], want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("cls", [ReferenceBatchNormalization, VirtualBatchNormalization])
def test_outputs_do_not_depend_on_other_examples(cls):
    # The point of both layers: unlike batch norm, example i's output is a function of
    # example i and the fixed reference only.
    rng = np.random.default_rng(4)
    reference = rng.normal(size=(5, 3)).astype("float32")
    batch = rng.normal(size=(4, 3)).astype("float32")
    other = rng.normal(size=(4, 3)).astype("float32")
    other[0] = batch[0]
    layer = cls(reference_size=5)
    a = layer(np.concatenate([reference, batch])).numpy()[5]
    b = layer(np.concatenate([reference, other])).numpy()[5]
    np.testing.assert_allclose(a, b, rtol=1e-6)
    assert cls.from_config(layer.get_config()).reference_size == 5


def test_reference_rows_are_required():
    with pytest.raises(ValueError, match="reference_size"):
        VirtualBatchNormalization(reference_size=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="reference rows"):
        ReferenceBatchNormalization(reference_size=8)(tf.zeros([8, 3]))


def test_layers_train_inside_a_model():
    model = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(8),
            VirtualBatchNormalization(reference_size=4),
            keras.layers.Flatten(),
            MinibatchDiscrimination(2, 2),
            keras.layers.Dense(1),
        ]
    )
    model.compile("adam", "mse")
    x = np.random.default_rng(5).normal(size=(12, 3)).astype("float32")
    history = model.fit(x, np.zeros((12, 1)), batch_size=12, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()

"""Minibatch discrimination and reference / virtual batch normalization: their math."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo.layers.minibatch_discrimination import MinibatchDiscrimination
from zoo.layers.tap_conv import TapConv2D
from zoo.layers.virtual_batch_norm import (
    ReferenceBatchNormalization,
    VirtualBatchNormalization,
)


def test_minibatch_discrimination_matches_brute_force():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(5, 4)).astype("float32")
    layer = MinibatchDiscrimination(num_kernels=3, kernel_dim=2)
    out = layer(features).numpy()
    m = (features @ layer.kernel.numpy()).reshape(5, 3, 2)
    want = np.array(
        [
            [sum(np.exp(-np.abs(m[i, b] - m[j, b]).sum()) for j in range(5)) for b in range(3)]
            for i in range(5)
        ]
    )
    np.testing.assert_allclose(out[:, :4], features)
    np.testing.assert_allclose(out[:, 4:], want, rtol=1e-5)


def test_minibatch_discrimination_sees_collapse_and_is_permutation_equivariant():
    layer = MinibatchDiscrimination(num_kernels=2, kernel_dim=3)
    collapsed = np.ones((6, 4), "float32")
    np.testing.assert_allclose(layer(collapsed).numpy()[:, 4:], 6.0)  # every pair identical
    x = np.random.default_rng(1).normal(size=(6, 4)).astype("float32")
    perm = np.array([3, 0, 5, 1, 4, 2])
    np.testing.assert_allclose(layer(x[perm]).numpy(), layer(x).numpy()[perm], rtol=1e-5)
    restored = MinibatchDiscrimination.from_config(layer.get_config())
    assert restored.compute_output_shape((None, 4)) == (None, 6)


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


@pytest.mark.parametrize("filters, kernel_size, padding", [(1, 7, "same"), (3, (3, 5), "valid")])
def test_tap_conv_equals_conv2d_with_the_same_weights(filters, kernel_size, padding):
    x = tf.random.stateless_normal([2, 9, 10, 6], [0, 1])
    conv = keras.layers.Conv2D(filters, kernel_size, padding=padding, bias_initializer="ones")
    tap = TapConv2D.from_config(conv.get_config())
    conv.build(x.shape)
    tap.build(x.shape)
    tap.set_weights(conv.get_weights())
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        want, got = conv(x), tap(x)
        loss_want, loss_got = tf.reduce_sum(want**2), tf.reduce_sum(got**2)
    np.testing.assert_allclose(got, want, atol=1e-5)
    for g_got, g_want in zip(
        tape.gradient(loss_got, [x, *tap.trainable_variables]),
        tape.gradient(loss_want, [x, *conv.trainable_variables]),
        strict=True,
    ):
        np.testing.assert_allclose(g_got, g_want, rtol=1e-4, atol=1e-4)


def test_tap_conv_refuses_strides():
    with pytest.raises(ValueError, match="stride-1"):
        TapConv2D(1, 3, strides=2)

"""TapConv2D: the same function and gradients as Conv2D with the same weights."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo.layers.tap_conv import TapConv2D


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

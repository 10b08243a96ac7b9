"""Live-taps masked convolutions equal the masked full-kernel form: outputs and gradients
(inputs, kernels, biases) of single layers and of whole PixelCNNs, and the published
preset's weights give the same log-likelihoods under both forms."""

import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from zoo.layers.masked import MaskedConv2D, conv_mask, live_window
from zoo.models.autoregressive import PixelCNN, PixelRNN

PRESET = Path(__file__).resolve().parents[3] / "zoo_weights" / "pixelcnn_fashion_mnist" / "v1"


def outputs_and_gradients(model, x, **call_kwargs):
    """Outputs, d(sum(outputs * r))/d inputs and /d every weight, for a fixed random r."""
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = model(x, **call_kwargs)
        r = tf.random.stateless_normal(tf.shape(y), seed=[1, 2])
        objective = tf.reduce_sum(y * r)
    grads = tape.gradient(objective, [x, *model.trainable_weights])
    return y.numpy(), [g.numpy() for g in grads]


def assert_same_function(taps, masked, x, **call_kwargs):
    y_taps, g_taps = outputs_and_gradients(taps, x, **call_kwargs)
    y_masked, g_masked = outputs_and_gradients(masked, x, **call_kwargs)
    np.testing.assert_allclose(y_taps, y_masked, rtol=1e-5, atol=1e-5)
    assert len(g_taps) == len(g_masked)
    for a, b in zip(g_taps, g_masked, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


def layer_pair(filters, kernel_size, mask_type, channels, in_channels):
    layers = [
        MaskedConv2D(filters, kernel_size, mask_type, channels, convolution=form)
        for form in ("taps", "masked")
    ]
    for layer in layers:
        layer.build((None, None, None, in_channels))
    rng = np.random.default_rng(3)
    for weights in zip(*(layer.weights for layer in layers), strict=True):
        value = rng.normal(size=weights[0].shape).astype("float32")
        for w in weights:
            w.assign(value)
    return layers


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize(
    "kernel_size, mask_type",
    [
        (3, "A"),
        (3, "B"),
        (5, "A"),
        (5, "B"),
        (7, "A"),
        (7, "B"),
        (3, "vertical_A"),
        (3, "vertical_B"),
        (7, "vertical_A"),
        (5, "vertical_B"),
        ((1, 3), "A"),
        ((1, 3), "B"),
        ((1, 7), "A"),
        ((1, 5), "B"),
        (1, "A"),
        (1, "B"),
    ],
)
def test_layer_outputs_and_gradients_equal_the_masked_kernel(
    kernel_size, mask_type, channels, padding
):
    taps, masked = layer_pair(6, kernel_size, mask_type, channels, in_channels=2 * channels)
    x = np.random.default_rng(0).normal(size=[2, 8, 9, 2 * channels]).astype("float32")
    assert_same_function(taps, masked, x, padding=padding)


def test_live_window_is_the_rows_down_to_the_centre_row():
    def window(kernel_size, mask_type, channels=1):
        return live_window(conv_mask(kernel_size, channels, channels, mask_type, channels))

    assert window((7, 7), "A") == (0, 4, 0, 7)  # 28 of 49 taps, 24 of them live
    assert window((3, 3), "B") == (0, 2, 0, 3)
    assert window((3, 3), "A", channels=3) == (0, 2, 0, 3)  # R->G at the centre
    assert window((3, 3), "vertical_B") == (0, 2, 0, 3)  # 6 of 9
    assert window((7, 7), "vertical_A") == (0, 3, 0, 7)
    assert window((1, 3), "B") == (0, 1, 0, 2)  # 2 of 3
    assert window((1, 7), "A") == (0, 1, 0, 3)
    assert window((1, 1), "A") is None


def test_layer_config_keeps_the_form_and_rejects_unknown_ones():
    layer = MaskedConv2D(4, 3, "B", convolution="masked")
    assert MaskedConv2D.from_config(layer.get_config()).convolution == "masked"
    assert MaskedConv2D(4, 3, "B").convolution == "taps"
    with pytest.raises(ValueError, match="convolution must be one of"):
        MaskedConv2D(4, 3, "B", convolution="sparse")


def model_pair(build):
    taps, masked = build("taps"), build("masked")
    rng = np.random.default_rng(4)
    masked.set_weights([rng.normal(scale=0.3, size=w.shape) for w in masked.get_weights()])
    taps.set_weights(masked.get_weights())  # same variables, same shapes
    return taps, masked


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("gated", [False, True])
def test_pixelcnn_outputs_and_gradients_equal_the_masked_form(gated, channels):
    shape = (6, 7, channels)
    likelihood = "bernoulli" if channels == 1 else "categorical"
    taps, masked = model_pair(
        lambda form: PixelCNN(
            shape,
            num_layers=2,
            filters=6 * channels,
            gated=gated,
            likelihood=likelihood,
            num_levels=4,
            first_kernel_size=5,
            convolution=form,
        )
    )
    assert taps.get_config()["convolution"] == "taps"
    x = np.random.default_rng(1).integers(0, 2, size=[3, *shape]).astype("float32")
    assert_same_function(taps, masked, x)
    np.testing.assert_allclose(taps.log_prob(x), masked.log_prob(x), rtol=1e-5)


def test_pixelrnn_outputs_and_gradients_equal_the_masked_form():
    taps, masked = model_pair(
        lambda form: PixelRNN((5, 6, 3), num_layers=1, units=6, convolution=form)
    )
    x = np.random.default_rng(1).uniform(size=[2, 5, 6, 3]).astype("float32")
    assert_same_function(taps, masked, np.round(x))


def test_published_preset_weights_give_the_same_log_prob_under_both_forms():
    config = json.loads((PRESET / "config.json").read_text())
    assert "convolution" not in config  # published before the option: taps by default
    taps = PixelCNN.from_config(config)
    masked = PixelCNN.from_config({**config, "convolution": "masked"})
    assert taps.convolution == "taps"
    for model in (taps, masked):
        model.load_weights(PRESET / "model.weights.h5")
    x = (np.random.default_rng(2).uniform(size=[4, 28, 28, 1]) > 0.7).astype("float32")
    log_prob = taps.log_prob(x).numpy()
    assert np.all(log_prob < 0)
    np.testing.assert_allclose(log_prob, masked.log_prob(x), rtol=1e-5)

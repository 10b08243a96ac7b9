"""PixelRNN (Row LSTM): causal receptive field, normalisation, sampling (the row-cached
sampler against full passes), contract."""

import numpy as np
import pytest
import tensorflow as tf
from support.model_contract import run_model_contract
from support.pixel_helpers import (
    all_images,
    earlier_subpixels,
    input_jacobian,
    total_variation_to_model,
)

from zoo.models.autoregressive import PixelRNN
from zoo.random import stateless_seed


@pytest.mark.parametrize("channels", [1, 3])
def test_outputs_ignore_current_and_later_subpixels(channels):
    shape = (4, 5, channels)
    model = PixelRNN(shape, num_layers=2, units=4 * channels, first_kernel_size=3)
    jac = input_jacobian(model, shape)
    allowed = earlier_subpixels(shape)
    assert np.all(jac[~allowed] == 0.0), "an output sees the current or a later sub-pixel"

    def index(i, j, c=0):
        return (i * shape[1] + j) * channels + c

    # The LSTM carries the top row down to the bottom row: far beyond the first kernel.
    assert jac[index(3, 2), index(0, 2)] > 0 and jac[index(3, 2), index(3, 1)] > 0
    if channels == 3:
        assert jac[index(2, 2, 2), index(2, 2, 1)] > 0 and jac[index(2, 2, 1), index(2, 2, 0)] > 0


@pytest.mark.parametrize("likelihood, levels", [("bernoulli", 2), ("logistic_mixture", 3)])
def test_probabilities_of_all_images_sum_to_one(likelihood, levels):
    shape = (2, 2, 1)
    model = PixelRNN(
        shape,
        num_layers=1,
        units=4,
        likelihood=likelihood,
        first_kernel_size=3,
        num_levels=levels,
        num_mixtures=2,
    )
    total = np.exp(model.log_prob(all_images(shape, levels)).numpy().astype("float64")).sum()
    np.testing.assert_allclose(total, 1.0, rtol=1e-4)


def test_samples_follow_the_model_distribution():
    shape = (2, 2, 1)
    model = PixelRNN(shape, num_layers=1, units=4, first_kernel_size=3)
    for w in model.trainable_weights:
        w.assign(w * 4.0)
    assert total_variation_to_model(model, model.sample(4000, seed=3), shape) < 0.06


def _far_from_uniform(model):
    """Random weights large enough that any error of the row cache changes the samples."""
    rng = np.random.default_rng(1)
    for w in model.trainable_weights:
        fan_in = max(1, int(np.prod(w.shape[:-1])))
        scale = 0.5 if len(w.shape) == 1 else 2.0 / np.sqrt(fan_in)
        w.assign(rng.normal(size=w.shape).astype("float32") * scale)


def _rows_by_cache(model, images, labels):
    """The parameters of every row by `_cached_row`, from the rows above only."""
    batch, width = len(images), model.image_shape[1]
    kh, kw = model.first.kernel_size
    padded = tf.pad(
        model.pixel_likelihood.network_input(images),
        [[0, 0], [kh // 2, kh // 2], [kw // 2, kw // 2], [0, 0]],
    )
    biases = [model._class_bias(labels, layer) for layer in range(model.num_layers)]
    zeros = tf.zeros([batch, width, model.units])
    states, rows = [(zeros, zeros)] * model.num_layers, []
    for i in range(model.image_shape[0]):
        recurrents = [conv(h) for conv, (h, _) in zip(model.state_to_state, states, strict=True)]
        cells = [c for _, c in states]
        params, states = model._cached_row(padded[:, i : i + kh], recurrents, cells, biases)
        rows.append(params)
    return np.stack(rows, axis=1)


@pytest.mark.numerics
@pytest.mark.parametrize(
    "config, labels",
    [
        (dict(image_shape=(6, 5, 1), first_kernel_size=3), None),
        (dict(image_shape=(6, 5, 1), first_kernel_size=5, num_classes=3), [0, 2, 1, 2]),
        (dict(image_shape=(4, 4, 3), units=6, likelihood="categorical", num_levels=4), None),
    ],
    ids=["bernoulli", "conditional", "rgb_categorical"],
)
def test_cached_sampler_equals_full_passes(config, labels):
    model = PixelRNN(**{"num_layers": 2, "units": 8, "first_kernel_size": 3, **config})
    _far_from_uniform(model)
    labels = None if labels is None else tf.constant(labels)
    full = tf.function(model.sample_by_full_passes)
    for seed in (0, 7):
        samples = model.sample(4, seed=seed, condition=labels)  # the cached sampler
        np.testing.assert_array_equal(samples, full(4, stateless_seed(seed), labels))
        assert 0 < np.mean(samples) < model.num_levels - 1  # not a constant image
    # Row by row from the cache, the parameters are those of the full pass.
    np.testing.assert_allclose(
        _rows_by_cache(model, samples, labels),
        model(samples, condition=labels),
        rtol=1e-5,
        atol=1e-5,
    )


def test_pixelrnn_contract(tmp_path):
    x = (np.random.default_rng(0).uniform(size=[16, 4, 4, 1]) > 0.5).astype("float32")
    run_model_contract(
        lambda: PixelRNN((4, 4, 1), num_layers=1, units=4, num_classes=None),
        x,
        tmp_path,
        sample_shape=(4, 4, 1),
    )


def test_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match="multiple of 3"):
        PixelRNN((4, 4, 3), num_layers=1, units=4)
    model = PixelRNN((4, 4, 1), num_layers=1, units=4, likelihood="categorical", num_levels=8)
    with pytest.raises(ValueError, match=r"\[0.0, 7.0\]"):
        model.log_prob(np.full([1, 4, 4, 1], 9.0, "float32"))

"""PixelRNN (Row LSTM): causal receptive field, normalisation, sampling, contract."""

import numpy as np
import pytest
from model_contract import run_model_contract
from pixel_helpers import all_images, earlier_subpixels, input_jacobian, total_variation_to_model

from zoo.models.autoregressive import PixelRNN


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

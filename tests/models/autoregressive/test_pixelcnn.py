"""PixelCNN: causal receptive fields (no blind spot for the gated stack), normalisation,
cached sampling, the three likelihoods and class conditioning."""

import numpy as np
import pytest
import tensorflow as tf
from support.model_contract import check_condition_alias, run_model_contract
from support.pixel_helpers import (
    all_images,
    earlier_subpixels,
    input_jacobian,
    total_variation_to_model,
)

from zoo.models.autoregressive import PixelCNN
from zoo.random import stateless_seed

# Also run under the other oneDNN setting by .ci/run (CPU kernels differ in numerics).
pytestmark = pytest.mark.numerics


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("gated", [False, True])
def test_outputs_ignore_current_and_later_subpixels(gated, channels):
    shape = (5, 5, channels)
    model = PixelCNN(shape, num_layers=4, filters=6 * channels, gated=gated, first_kernel_size=3)
    jac = input_jacobian(model, shape)
    allowed = earlier_subpixels(shape)
    assert np.all(jac[~allowed] == 0.0), "an output sees the current or a later sub-pixel"

    # Every output sees its left neighbour and the pixel above (where they exist).
    def index(i, j, c=0):
        return (i * shape[1] + j) * channels + c

    assert jac[index(2, 2), index(2, 1)] > 0 and jac[index(2, 2), index(1, 2)] > 0
    if channels == 3:  # B sees R and G of its own pixel, G sees R
        assert jac[index(2, 2, 2), index(2, 2, 0)] > 0 and jac[index(2, 2, 2), index(2, 2, 1)] > 0
        assert jac[index(2, 2, 1), index(2, 2, 0)] > 0


@pytest.mark.parametrize("channels", [1, 3])
def test_gated_stack_has_no_blind_spot(channels):
    shape = (5, 5, channels)
    # Enough layers that the receptive field spans the image; 8 features per colour group
    # so that no path is cut by ReLUs that happen to be off for every test input.
    model = PixelCNN(shape, num_layers=4, filters=8 * channels, gated=True, first_kernel_size=3)
    jac = input_jacobian(model, shape)
    allowed = earlier_subpixels(shape)
    blind = np.argwhere(allowed & (jac == 0.0))
    assert len(blind) == 0, f"(out, in) pairs in the blind spot: {blind[:5].tolist()}"


def test_residual_stack_has_the_classic_blind_spot():
    """The reason the gated stack exists: the plain masked stack misses the upper right."""
    shape = (5, 5, 1)
    model = PixelCNN(shape, num_layers=4, filters=4, first_kernel_size=3)
    jac = input_jacobian(model, shape)
    assert jac[2 * 5 + 0, 0 * 5 + 4] == 0.0  # pixel (2, 0) cannot see (0, 4)


@pytest.mark.parametrize(
    "shape, likelihood, levels, gated",
    [
        ((2, 2, 1), "bernoulli", 2, False),
        ((2, 2, 1), "bernoulli", 2, True),
        ((1, 1, 3), "categorical", 3, True),
        ((1, 2, 1), "logistic_mixture", 4, False),
        ((1, 1, 3), "logistic_mixture", 3, True),
    ],
)
def test_probabilities_of_all_images_sum_to_one(shape, likelihood, levels, gated):
    model = PixelCNN(
        shape,
        num_layers=2,
        filters=6,
        gated=gated,
        likelihood=likelihood,
        first_kernel_size=3,
        num_levels=levels,
        num_mixtures=2,
        num_classes=3,
    )
    images = all_images(shape, levels)
    for label in range(2):
        labels = np.full([len(images)], label)
        total = np.exp(model.log_prob(images, condition=labels).numpy().astype("float64")).sum()
        np.testing.assert_allclose(total, 1.0, rtol=1e-4)


@pytest.mark.parametrize(
    "shape, likelihood, num_classes",
    [((2, 3, 3), "categorical", 4), ((3, 3, 1), "logistic_mixture", None)],
)
def test_cached_sampler_equals_full_passes(shape, likelihood, num_classes):
    model = PixelCNN(
        shape,
        num_layers=2,
        filters=6,
        gated=True,
        likelihood=likelihood,
        first_kernel_size=5,
        num_levels=8,
        num_mixtures=2,
        num_classes=num_classes,
    )
    for w in model.trainable_weights:  # far from uniform, so any cache error shows
        w.assign(w * 3.0)
    labels = tf.constant([0, 3, 1, 2]) if num_classes else None
    seed = stateless_seed(5)
    cached = tf.function(model.sample_cached)(4, seed, labels)
    full = tf.function(model.sample_by_full_passes)(4, seed, labels)
    np.testing.assert_array_equal(cached, full)
    np.testing.assert_array_equal(model.sample(4, seed=5, condition=labels), cached)


@pytest.mark.parametrize("gated", [False, True])
def test_samples_follow_the_model_distribution(gated):
    shape = (2, 2, 1)
    model = PixelCNN(shape, num_layers=2, filters=4, gated=gated, first_kernel_size=3)
    for w in model.trainable_weights:
        w.assign(w * 4.0)
    samples = model.sample(4000, seed=2)
    assert total_variation_to_model(model, samples, shape) < 0.06


def test_bad_input_raises_clear_errors():
    model = PixelCNN((4, 4, 1), num_layers=1, filters=4)
    with pytest.raises(ValueError, match=r"\(batch, 4, 4, 1\)"):
        model.log_prob(np.zeros([2, 4, 4], "float32"))
    with pytest.raises(ValueError, match=r"\[0.0, 1.0\]"):
        model.log_prob(np.full([2, 4, 4, 1], 3.0, "float32"))
    with pytest.raises(ValueError, match="multiple of 6"):
        PixelCNN((4, 4, 3), num_layers=1, filters=8)
    with pytest.raises(ValueError, match="likelihood"):
        PixelCNN((4, 4, 1), num_layers=1, filters=4, likelihood="gaussian")
    conditional = PixelCNN((4, 4, 1), num_layers=1, filters=4, num_classes=2)
    with pytest.raises(ValueError, match="labels"):
        conditional.log_prob(np.zeros([2, 4, 4, 1], "float32"))


def test_gated_pixelcnn_contract(tmp_path):
    x = (np.random.default_rng(0).uniform(size=[16, 6, 6, 1]) > 0.5).astype("float32")
    run_model_contract(
        lambda: PixelCNN((4, 4, 1), num_layers=1, filters=4, gated=True),
        x[:, :4, :4],
        tmp_path,
        sample_shape=(4, 4, 1),
    )


def test_conditional_logistic_mixture_pixelcnn_contract(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=[16, 4, 4, 1]).astype("uint8")
    labels = rng.integers(0, 3, size=[16])
    data = tf.data.Dataset.from_tensor_slices((images, labels)).batch(8)
    model, _ = run_model_contract(
        lambda: PixelCNN(
            (4, 4, 1), num_layers=1, filters=4, likelihood="logistic_mixture", num_classes=3
        ),
        data,
        tmp_path,
    )
    samples = model.sample(2, seed=0, condition=[1, 2]).numpy()
    assert samples.shape == (2, 4, 4, 1) and samples.min() >= 0 and samples.max() <= 255
    np.testing.assert_array_equal(samples, np.round(samples))


def test_labels_is_a_deprecated_alias_of_condition():
    model = PixelCNN((3, 3, 1), num_layers=1, filters=4, num_classes=3)
    images = (np.random.default_rng(0).uniform(size=[2, 3, 3, 1]) > 0.5).astype("float32")
    labels = np.array([2, 0])
    check_condition_alias(
        "PixelCNN.log_prob", lambda **kwargs: model.log_prob(images, **kwargs), labels
    )
    check_condition_alias(
        "PixelCNN.sample", lambda **kwargs: model.sample(2, seed=0, **kwargs), labels
    )


def test_conditional_pixelcnn_exports_signatures_that_take_the_condition(tmp_path):
    import zoo

    model = PixelCNN((3, 3, 1), num_layers=1, filters=4, num_classes=3)
    path = zoo.export_saved_model(model, tmp_path / "cpixelcnn")
    served = tf.saved_model.load(str(path)).signatures
    labels = np.array([2, 0], "int32")
    samples = served["sample"](num_samples=tf.constant(2), seed=tf.constant(4), condition=labels)
    np.testing.assert_array_equal(samples["samples"], model.sample(2, seed=4, condition=labels))
    np.testing.assert_allclose(
        served["log_prob"](x=samples["samples"], condition=labels)["log_prob"],
        model.log_prob(samples["samples"], condition=labels),
        rtol=1e-5,
    )

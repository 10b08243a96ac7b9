"""Preprocessing: dtypes, ranges, seeds and the checks on bad input."""

import math

import numpy as np
import pytest
import tensorflow as tf

from zoo.data import (
    binarize_dynamic,
    binarize_static,
    bits_per_dim,
    dequantize,
    to_unit_interval,
)

ALL_LEVELS = np.arange(256, dtype=np.uint8)


def test_to_unit_interval():
    y = to_unit_interval(ALL_LEVELS)
    assert isinstance(y, np.ndarray) and y.dtype == np.float32
    assert y[0] == 0.0 and y[-1] == 1.0 and np.all(np.diff(y) > 0)
    assert tf.is_tensor(to_unit_interval(tf.constant(ALL_LEVELS)))
    with pytest.raises(ValueError, match="uint8"):
        to_unit_interval(y)


def test_binarize_static_thresholds_intensities():
    bits = binarize_static(ALL_LEVELS, threshold=0.5)
    assert bits.dtype == np.float32 and set(np.unique(bits)) == {0.0, 1.0}
    np.testing.assert_array_equal(bits, (ALL_LEVELS / 255.0 > 0.5).astype(np.float32))
    floats = np.array([0.0, 0.3, 0.7, 1.0], np.float32)
    np.testing.assert_array_equal(binarize_static(floats, threshold=0.3), [0, 0, 1, 1])


@pytest.mark.parametrize("function", [binarize_static, binarize_dynamic])
def test_binarize_rejects_bad_input(function):
    with pytest.raises(ValueError, match=r"\[0.0, 1.0\]"):
        function(np.array([0.2, 1.5], np.float32))
    with pytest.raises(ValueError, match="uint8 images or float"):
        function(np.array([0, 255], np.int64))


def test_binarize_static_rejects_a_threshold_outside_the_unit_interval():
    with pytest.raises(ValueError, match="threshold"):
        binarize_static(ALL_LEVELS, threshold=1.0)


def test_binarize_dynamic_is_a_seeded_bernoulli_draw():
    probs = np.tile(np.linspace(0.0, 1.0, 11, dtype=np.float32), (4000, 1))
    bits = binarize_dynamic(probs, seed=1)
    assert bits.dtype == np.float32 and set(np.unique(bits)) == {0.0, 1.0}
    assert np.all(bits[:, 0] == 0) and np.all(bits[:, -1] == 1)
    # Column means estimate p; 5 standard errors of a Bernoulli mean over 4,000 draws.
    tolerance = 5 * np.sqrt(probs[0] * (1 - probs[0]) / len(probs))
    assert np.all(np.abs(bits.mean(axis=0) - probs[0]) <= tolerance + 1e-7)
    np.testing.assert_array_equal(bits, binarize_dynamic(probs, seed=1))
    assert np.any(bits != binarize_dynamic(probs, seed=2))


def test_binarize_dynamic_inside_tf_function_matches_eager_and_checks_range():
    x = tf.constant(ALL_LEVELS)
    traced = tf.function(lambda images: binarize_dynamic(images, seed=3))
    np.testing.assert_array_equal(traced(x).numpy(), binarize_dynamic(ALL_LEVELS, seed=3))
    traced_floats = tf.function(lambda images: binarize_dynamic(images, seed=3))
    with pytest.raises(tf.errors.InvalidArgumentError, match="pixel intensities"):
        traced_floats(tf.constant([0.5, 2.0]))


def test_dequantize_stays_in_each_pixels_bin():
    x = np.repeat(ALL_LEVELS, 200)
    y = dequantize(x, seed=0)
    assert y.dtype == np.float32 and y.min() >= 0.0 and y.max() <= 1.0
    assert np.all(y >= x / 256.0) and np.all(y <= (x + 1.0) / 256.0)
    noise = y * 256.0 - x  # U[0, 1): mean 1/2, standard error sqrt(1/12 / n)
    assert abs(noise.mean() - 0.5) < 5 * math.sqrt(1 / 12 / len(x))
    np.testing.assert_array_equal(y, dequantize(x, seed=0))
    assert np.any(y != dequantize(x, seed=1))
    with pytest.raises(ValueError, match="uint8"):
        dequantize(x.astype(np.float32) / 255.0)


def test_bits_per_dim_units():
    num_dims = 784
    # Fair coins: log p = -D log 2 nats, exactly one bit per dimension.
    assert bits_per_dim(-num_dims * math.log(2.0), num_dims) == pytest.approx(1.0)
    # The uniform density on [0, 1]^D (log p = 0) of dequantized 8-bit data is the uniform
    # distribution over 256 levels: 8 bits per dimension.
    assert bits_per_dim(np.zeros(3), num_dims, num_bins=256) == pytest.approx([8.0] * 3)
    with pytest.raises(ValueError, match="positive integers"):
        bits_per_dim(0.0, 0)

"""Toy data: the mixtures have the modes they claim; bars-and-stripes lists every pattern."""

import itertools
import math

import numpy as np
import pytest

from zoo.data import toy


def nearest_center(points, centers):
    distances = np.linalg.norm(points[:, None, :] - centers[None], axis=-1)
    return distances.argmin(axis=1), distances.min(axis=1)


def check_mixture_samples(mixture, num_samples=4000):
    points, modes = mixture.sample(num_samples, seed=0, return_modes=True)
    assert points.shape == (num_samples, 2) and points.dtype == np.float32
    nearest, distance = nearest_center(points, mixture.centers)
    np.testing.assert_array_equal(nearest, modes)  # the modes are well separated
    assert len(np.unique(nearest)) == mixture.num_modes
    counts = np.bincount(nearest, minlength=mixture.num_modes)
    expected = num_samples / mixture.num_modes
    assert np.all(np.abs(counts - expected) < 5 * math.sqrt(expected))
    # The distance to the center over std is Rayleigh: P(r < 3) = 1 - exp(-9 / 2).
    within_3_std = np.mean(distance < 3 * mixture.std)
    p = 1 - math.exp(-4.5)
    assert abs(within_3_std - p) < 5 * math.sqrt(p * (1 - p) / num_samples)


def test_ring_of_eight_has_eight_distinct_modes_on_the_circle():
    ring = toy.ring_mixture(num_modes=8, radius=2.0, std=0.02)
    assert ring.centers.shape == (8, 2) and ring.std == 0.02
    np.testing.assert_allclose(np.linalg.norm(ring.centers, axis=1), 2.0, rtol=1e-6)
    gaps = [np.linalg.norm(a - b) for a, b in itertools.combinations(ring.centers, 2)]
    # endpoint=False: neighbours are a chord 2 r sin(pi / 8) apart, none coincide.
    assert min(gaps) == pytest.approx(2 * 2.0 * math.sin(math.pi / 8), rel=1e-5)
    check_mixture_samples(ring)


def test_grid_has_twenty_five_modes_on_a_symmetric_lattice():
    grid = toy.grid_mixture(grid=5, spacing=2.0, std=0.02)
    assert grid.centers.shape == (25, 2)
    assert sorted(set(grid.centers[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert len({tuple(c) for c in grid.centers.tolist()}) == 25
    np.testing.assert_allclose(grid.centers.mean(axis=0), 0.0, atol=1e-6)
    check_mixture_samples(grid)


def test_sampling_functions_are_seeded():
    a = toy.ring_of_gaussians(100, seed=3)
    np.testing.assert_array_equal(a, toy.ring_of_gaussians(100, seed=3))
    assert np.any(a != toy.ring_of_gaussians(100, seed=4))
    b = toy.grid_of_gaussians(100, grid=3, seed=3)
    assert b.shape == (100, 2)
    assert len(np.unique(nearest_center(b, toy.grid_mixture(3).centers)[0])) == 9


def test_distribution_density_at_a_center():
    ring = toy.ring_mixture(num_modes=8, std=0.1)
    # At a center the other components are > 7 std away: log(1/8) + log N(0; 0, 0.1^2 I).
    expected = math.log(1 / 8) - math.log(2 * math.pi * 0.1**2)
    log_prob = ring.distribution.log_prob(ring.centers).numpy()
    np.testing.assert_allclose(log_prob, expected, rtol=1e-4)


def test_bad_mixture_parameters():
    with pytest.raises(ValueError, match="std must be positive"):
        toy.ring_mixture(std=0.0)
    with pytest.raises(ValueError, match="grid must be positive"):
        toy.grid_mixture(grid=0)


def is_bars_or_stripes(image):
    return bool(np.all(image == image[:1]) or np.all(image == image[:, :1]))


@pytest.mark.parametrize("size", [2, 3, 4])
def test_bars_and_stripes_lists_each_pattern_once(size):
    patterns = toy.bars_and_stripes(size)
    assert patterns.shape == (2 ** (size + 1) - 2, size, size, 1)
    assert patterns.dtype == np.float32 and set(np.unique(patterns)) == {0.0, 1.0}
    assert len({p.tobytes() for p in patterns}) == len(patterns)
    assert all(is_bars_or_stripes(p[..., 0]) for p in patterns)
    # Brute force: every binary image that is bars or stripes is listed.
    codes = np.arange(2 ** (size * size))[:, None] >> np.arange(size * size) & 1
    images = codes.reshape(-1, size, size)
    bars = np.all(images == images[:, :1], axis=(1, 2))
    stripes = np.all(images == images[:, :, :1], axis=(1, 2))
    assert np.sum(bars | stripes) == len(patterns)


def test_sample_bars_and_stripes_draws_valid_patterns_uniformly():
    samples = toy.sample_bars_and_stripes(3000, size=3, seed=0)
    assert samples.shape == (3000, 3, 3, 1)
    patterns = {p.tobytes(): i for i, p in enumerate(toy.bars_and_stripes(3))}
    counts = np.bincount([patterns[s.tobytes()] for s in samples], minlength=len(patterns))
    expected = 3000 / len(patterns)
    assert np.all(np.abs(counts - expected) < 5 * math.sqrt(expected))
    np.testing.assert_array_equal(samples, toy.sample_bars_and_stripes(3000, size=3, seed=0))

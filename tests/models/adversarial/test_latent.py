"""Latent interpolation, attribute vectors and interpolation grids."""

import itertools

import numpy as np
import pytest

from zoo import plotting
from zoo.models import DCGAN
from zoo.models.adversarial import latent


def test_lerp_and_slerp_endpoints_and_geometry():
    rng = np.random.default_rng(0)
    z0, z1 = rng.normal(size=64), rng.normal(size=64)
    for path in (latent.lerp(z0, z1, 7), latent.slerp(z0, z1, 7)):
        np.testing.assert_allclose(path[0], z0, rtol=1e-5)
        np.testing.assert_allclose(path[-1], z1, rtol=1e-5)
    # Equal-norm ends: slerp stays on the sphere, lerp's midpoint dips inside.
    z1 = z1 / np.linalg.norm(z1) * np.linalg.norm(z0)
    norms = np.linalg.norm(latent.slerp(z0, z1, 9), axis=1)
    np.testing.assert_allclose(norms, np.linalg.norm(z0), rtol=1e-5)
    assert np.linalg.norm(latent.lerp(z0, z1, 9)[4]) < 0.9 * np.linalg.norm(z0)
    # Equal angular steps along the great circle.
    path = latent.slerp(z0, z1, 5).astype(np.float64)
    steps = [
        np.arccos(np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b))
        for a, b in itertools.pairwise(path)
    ]
    np.testing.assert_allclose(steps, steps[0], rtol=1e-4)
    np.testing.assert_allclose(latent.slerp(z0, 2 * z0, 3), latent.lerp(z0, 2 * z0, 3))


def test_attribute_vector_and_arithmetic():
    with_attr = np.array([[1.0, 2.0], [3.0, 4.0]])
    without = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 3.0]])
    np.testing.assert_allclose(latent.attribute_vector(with_attr, without), [1.0, 2.0])
    np.testing.assert_allclose(
        latent.latent_arithmetic(with_attr, without, [[5.0, 5.0]]), [6.0, 7.0]
    )
    with pytest.raises(ValueError, match="latent_dim"):
        latent.attribute_vector(with_attr, np.zeros((2, 3)))


def test_interpolation_grid_of_a_tanh_dcgan(tmp_path):
    gan = DCGAN((28, 28, 1), latent_dim=4, filters=4)
    z = gan.sample_latents(4, seed=0).numpy()
    grid = plotting.interpolation_grid(gan, z[:2], z[2:], num_steps=5, path=tmp_path / "walk.png")
    assert grid.shape == (2 * 30 + 2, 5 * 30 + 2)  # 28-pixel tiles, 2-pixel padding
    assert (tmp_path / "walk.png").exists()
    with pytest.raises(ValueError, match="rows, latent_dim"):
        plotting.interpolation_grid(gan, z[:2], z[:3])

"""Tests of the latent-space pictures in zoo.plotting (reconstructions, manifold, traversals)."""

import statistics

import numpy as np
import pytest

from zoo import plotting
from zoo.models import VAE


class RecordingDecoder:
    """A stand-in latent model: records the codes it decodes, draws z[0] as grey level."""

    def __init__(self, latent_dim):
        self.latent_dim = latent_dim
        self.codes = None

    def generate(self, z):
        self.codes = np.asarray(z)
        grey = statistics.NormalDist().cdf
        levels = np.array([grey(v) for v in self.codes[:, 0]], np.float32)
        return np.broadcast_to(levels[:, None, None, None], (len(z), 4, 4, 1))


def test_reconstruction_grid_alternates_original_and_reconstruction_rows(tmp_path):
    originals = np.zeros((5, 4, 4, 1), np.float32)
    reconstructions = np.full((5, 4, 4, 1), 0.5, np.float32)
    grid = plotting.reconstruction_grid(
        originals, reconstructions, columns=3, path=tmp_path / "r.png"
    )
    padding, tile = 2, 4
    assert grid.shape == (4 * (tile + padding) + padding, 3 * (tile + padding) + padding)
    tops = [padding + r * (tile + padding) for r in range(4)]
    first_column = [grid[top, padding] for top in tops]
    assert first_column == [0, 128, 0, 128]  # original, reconstruction, original, ...
    assert grid[tops[2], padding + 2 * (tile + padding)] == 255  # blank filler tile
    assert (tmp_path / "r.png").exists()
    with pytest.raises(ValueError, match="same shape"):
        plotting.reconstruction_grid(originals, reconstructions[:4])


def test_latent_manifold_grid_covers_prior_quantiles_in_two_dims():
    model = RecordingDecoder(latent_dim=3)
    grid = plotting.latent_manifold_grid(model, num_per_side=5, dims=(0, 2))
    codes = model.codes.reshape(5, 5, 3)
    expected = [statistics.NormalDist().inv_cdf(p) for p in np.linspace(0.05, 0.95, 5)]
    np.testing.assert_allclose(codes[0, :, 0], expected, rtol=1e-6)  # columns vary z[0]
    np.testing.assert_allclose(codes[:, 0, 2], expected, rtol=1e-6)  # rows vary z[2]
    assert np.all(codes[..., 1] == 0)  # the other coordinate stays at the prior mean
    assert grid.shape == (5 * 6 + 2, 5 * 6 + 2)
    # Grey level = Phi(z[0]): it grows from left to right along each row.
    row = grid[2, 2::6][:5]
    assert np.all(np.diff(row.astype(int)) > 0)


def test_latent_traversal_grid_varies_one_coordinate_per_row():
    model = RecordingDecoder(latent_dim=4)
    origin = np.array([0.1, -0.2, 0.3, 0.4], np.float32)
    values = [-1.0, 0.0, 1.0]
    plotting.latent_traversal_grid(model, origin, dims=[1, 3], values=values)
    codes = model.codes.reshape(2, 3, 4)
    for row, dim in enumerate([1, 3]):
        np.testing.assert_array_equal(codes[row, :, dim], values)
        others = np.delete(codes[row], dim, axis=-1)
        np.testing.assert_array_equal(others, np.tile(np.delete(origin, dim), (3, 1)))
    with pytest.raises(ValueError, match=r"z must have shape \(4,\)"):
        plotting.latent_traversal_grid(model, origin[:2])


def test_plots_of_a_vae_are_written(tmp_path):
    vae = VAE.mlp((8, 8, 1), latent_dim=2, hidden_units=[8])
    x = np.zeros((4, 8, 8, 1), np.float32)
    plotting.reconstruction_grid(x, vae.reconstruct(x), path=tmp_path / "r.png")
    plotting.latent_manifold_grid(vae, num_per_side=4, path=tmp_path / "m.png", scale=2)
    z = vae.encode(x[:1]).mean()[0]
    plotting.latent_traversal_grid(vae, z, path=tmp_path / "t.png")
    assert all((tmp_path / name).stat().st_size > 0 for name in ("r.png", "m.png", "t.png"))

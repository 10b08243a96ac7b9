"""Toy data: 2-D Gaussian mixtures for mode collapse, bars-and-stripes for small binary models.

- `ring_of_gaussians` / `grid_of_gaussians` draw samples; `ring_mixture` / `grid_mixture`
  give the mixture itself (`centers`, `std`, the `tfp` distribution), which mode-coverage
  metrics need: a sample is high quality within 3 `std` of its nearest center, a mode is
  covered when it has one.
- `bars_and_stripes` lists every n x n bars-and-stripes image; `sample_bars_and_stripes`
  draws them uniformly.

Defaults follow the mode-collapse literature: 8 modes on a circle of radius 2 (angles
`2 pi k / 8`, spaced with `endpoint=False` so the first and last do not coincide) and a 5 x 5
grid with spacing 2 (centers -4, -2, 0, 2, 4), both with standard deviation 0.02.

#### References
Metz, Poole, Pfau and Sohl-Dickstein (2017). Unrolled generative adversarial networks.
Srivastava, Valkov, Russell, Gutmann and Sutton (2017). VEEGAN: reducing mode collapse in
GANs using implicit variational learning.
MacKay (2003). Information theory, inference, and learning algorithms (bars and stripes).
"""

import dataclasses
import itertools

import numpy as np
import tensorflow as tf

from zoo.random import split_seed, stateless_seed


@dataclasses.dataclass(frozen=True, eq=False)
class GaussianMixture2D:
    """An equally weighted mixture of isotropic 2-D Gaussians.

    Attributes:
        centers: float32 array `[num_modes, 2]`, the component means.
        std: Standard deviation of every component along each axis.
    """

    centers: np.ndarray
    std: float

    @property
    def num_modes(self) -> int:
        """Number of components."""
        return len(self.centers)

    @property
    def distribution(self):
        """The mixture as a `tfp.distributions.MixtureSameFamily` (for `log_prob` etc.)."""
        import tensorflow_probability as tfp

        tfd = tfp.distributions
        return tfd.MixtureSameFamily(
            tfd.Categorical(logits=tf.zeros([self.num_modes])),
            tfd.MultivariateNormalDiag(
                loc=self.centers,
                scale_diag=tf.fill(self.centers.shape, np.float32(self.std)),
            ),
        )

    def sample(self, num_samples: int, seed=None, return_modes: bool = False):
        """Draw samples, each from a uniformly chosen component.

        Args:
            num_samples: How many points.
            seed: Anything `zoo.random.stateless_seed` takes; the same seed gives the same
                points.
            return_modes: Also return the index of each point's component.

        Returns:
            float32 array `[num_samples, 2]`, and with `return_modes` an int64 array
            `[num_samples]` of component indices.
        """
        mode_seed, noise_seed = split_seed(seed, 2)
        modes = tf.random.stateless_uniform(
            [num_samples], mode_seed, maxval=self.num_modes, dtype=tf.int64
        )
        noise = tf.random.stateless_normal([num_samples, 2], noise_seed, stddev=self.std)
        points = (tf.gather(self.centers, modes) + noise).numpy()
        return (points, modes.numpy()) if return_modes else points


def ring_mixture(num_modes: int = 8, radius: float = 2.0, std: float = 0.02):
    """The ring of Gaussians: `num_modes` centers evenly spaced on a circle.

    Args:
        num_modes: Number of components.
        radius: Radius of the circle.
        std: Standard deviation of each component.

    Returns:
        A `GaussianMixture2D`.

    #### Examples

    ```python
    >>> ring_mixture().centers[:2].round(3)
    array([[2.   , 0.   ],
           [1.414, 1.414]], dtype=float32)

    ```

    #### References
    Metz, Poole, Pfau and Sohl-Dickstein (2017). Unrolled generative adversarial networks.
    """
    _check_positive(num_modes=num_modes, radius=radius, std=std)
    angles = np.linspace(0.0, 2.0 * np.pi, num_modes, endpoint=False)
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return GaussianMixture2D(centers.astype(np.float32), float(std))


def grid_mixture(grid: int = 5, spacing: float = 2.0, std: float = 0.02):
    """The grid of Gaussians: `grid` x `grid` centers on a square lattice around the origin.

    The coordinates are the midpoints of `grid` equal cells, `np.linspace(-s, s, grid,
    endpoint=False) + spacing / 2` with `s = grid * spacing / 2` (-4, -2, 0, 2, 4 by default).

    Args:
        grid: Centers per side.
        spacing: Distance between neighbouring centers.
        std: Standard deviation of each component.

    Returns:
        A `GaussianMixture2D` with `grid ** 2` components, row by row.

    #### Examples

    ```python
    >>> grid_mixture().centers[[0, 1, 24]]
    array([[-4., -4.],
           [-4., -2.],
           [ 4.,  4.]], dtype=float32)

    ```

    #### References
    Srivastava et al. (2017). VEEGAN: reducing mode collapse in GANs using implicit
    variational learning.
    """
    _check_positive(grid=grid, spacing=spacing, std=std)
    half_width = grid * spacing / 2.0
    coords = np.linspace(-half_width, half_width, grid, endpoint=False) + spacing / 2.0
    centers = np.array(list(itertools.product(coords, coords)))
    return GaussianMixture2D(centers.astype(np.float32), float(std))


def ring_of_gaussians(
    num_samples: int,
    num_modes: int = 8,
    radius: float = 2.0,
    std: float = 0.02,
    seed=None,
) -> np.ndarray:
    """Draw points from the ring of Gaussians (`ring_mixture`; its `centers`, `std` there).

    Args:
        num_samples: How many points.
        num_modes: As in `ring_mixture`.
        radius: As in `ring_mixture`.
        std: As in `ring_mixture`.
        seed: Anything `zoo.random.stateless_seed` takes.

    Returns:
        float32 array `[num_samples, 2]`.

    #### Examples

    ```python
    >>> ring_of_gaussians(2500, seed=0).shape
    (2500, 2)

    ```
    """
    return ring_mixture(num_modes, radius, std).sample(num_samples, seed)


def grid_of_gaussians(
    num_samples: int, grid: int = 5, spacing: float = 2.0, std: float = 0.02, seed=None
) -> np.ndarray:
    """Draw points from the grid of Gaussians (`grid_mixture`; its `centers`, `std` there).

    Args:
        num_samples: How many points.
        grid: As in `grid_mixture`.
        spacing: As in `grid_mixture`.
        std: As in `grid_mixture`.
        seed: Anything `zoo.random.stateless_seed` takes.

    Returns:
        float32 array `[num_samples, 2]`.

    #### Examples

    ```python
    >>> grid_of_gaussians(2500, seed=0).shape
    (2500, 2)

    ```
    """
    return grid_mixture(grid, spacing, std).sample(num_samples, seed)


def bars_and_stripes(size: int = 4) -> np.ndarray:
    """Every distinct bars-and-stripes image of a `size` x `size` grid.

    An image is a set of fully on columns (bars) or a set of fully on rows (stripes); the
    empty and the full image are both, so there are `2 ** (size + 1) - 2` distinct images.

    Args:
        size: Side of the grid.

    Returns:
        float32 array `[2 ** (size + 1) - 2, size, size, 1]` of 0s and 1s; flatten it with
        `.reshape(len(x), -1)` for a vector model such as an RBM.

    #### Examples

    ```python
    images = bars_and_stripes(2)   # 6 images of 2 x 2
    images[1, :, :, 0].tolist()    # [[0.0, 1.0], [0.0, 1.0]]: the right column on
    ```

    #### References
    MacKay (2003). Information theory, inference, and learning algorithms.
    """
    _check_positive(size=size)
    lines = np.array(list(itertools.product([0.0, 1.0], repeat=size)), np.float32)
    bars = np.repeat(lines[:, None, :], size, axis=1)  # each row repeated: columns on / off
    stripes = np.transpose(bars, (0, 2, 1))
    # The empty and the full image are both bars and stripes: keep them once.
    patterns = np.concatenate([bars, stripes[1:-1]])
    return patterns[..., None]


def sample_bars_and_stripes(num_samples: int, size: int = 4, seed=None) -> np.ndarray:
    """Draw bars-and-stripes images uniformly from the distinct ones (`bars_and_stripes`).

    Args:
        num_samples: How many images.
        size: Side of the grid.
        seed: Anything `zoo.random.stateless_seed` takes.

    Returns:
        float32 array `[num_samples, size, size, 1]` of 0s and 1s.
    """
    patterns = bars_and_stripes(size)
    indices = tf.random.stateless_uniform(
        [num_samples], stateless_seed(seed), maxval=len(patterns), dtype=tf.int64
    )
    return patterns[indices.numpy()]


def _check_positive(**values):
    for name, value in values.items():
        if not value > 0:
            raise ValueError(f"{name} must be positive; got {value}.")

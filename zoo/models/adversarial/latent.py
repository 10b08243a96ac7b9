"""Walking and doing arithmetic in a generator's latent space.

- `interpolate(z0, z1, num_steps, spherical=True)`: points from `z0` to `z1`, linear or
  along the great circle (slerp). For Gaussian latents in many dimensions, slerp keeps the
  norm near `sqrt(latent_dim)` where the prior's mass is, instead of cutting through the
  low-norm interior (White 2016).
- `attribute_vector(with_attribute, without_attribute)`: the difference of group means,
  e.g. "smiling woman" − "neutral woman"; adding it to another latent transfers the
  attribute (vector arithmetic, Radford et al. 2016, who average three exemplars per group).
- `latent_arithmetic(a, b, c)`: `mean(a) − mean(b) + mean(c)`, "man with glasses − man +
  woman".

Every function takes and returns numpy arrays `[..., latent_dim]`; decode the result with
the model's `generate(z)` (GANs) or `decode(z)`. `zoo.plotting.interpolation_grid` draws
the walks.

#### References
- Radford, Metz, Chintala, 2016. Unsupervised Representation Learning with Deep
  Convolutional Generative Adversarial Networks.
- White, 2016. Sampling Generative Networks.
"""

import numpy as np


def _vector(z, name):
    z = np.asarray(z, np.float64)
    if z.ndim != 1:
        raise ValueError(f"{name} must be one latent vector (latent_dim,); got {z.shape}.")
    return z


def lerp(z0, z1, num_steps):
    """`num_steps` evenly spaced points on the segment from `z0` to `z1` (both included)."""
    z0, z1 = _vector(z0, "z0"), _vector(z1, "z1")
    t = np.linspace(0.0, 1.0, num_steps)[:, None]
    return ((1.0 - t) * z0 + t * z1).astype(np.float32)


def slerp(z0, z1, num_steps):
    """`num_steps` points along the great circle from `z0` to `z1` (both included).

    With angle `Ω` between the vectors, `z(t) = sin((1-t)Ω)/sin Ω · z0 + sin(tΩ)/sin Ω · z1`;
    (nearly) parallel vectors fall back to `lerp`.
    """
    z0, z1 = _vector(z0, "z0"), _vector(z1, "z1")
    cos = np.dot(z0, z1) / (np.linalg.norm(z0) * np.linalg.norm(z1) + 1e-12)
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return lerp(z0, z1, num_steps)
    t = np.linspace(0.0, 1.0, num_steps)[:, None]
    points = (np.sin((1.0 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)
    return points.astype(np.float32)


def interpolate(z0, z1, num_steps=8, spherical=True):
    """`slerp(z0, z1, num_steps)` if `spherical`, else `lerp`; `[num_steps, latent_dim]`.

    #### Examples

    ```python
    z = gan.sample_latents(2, seed=0).numpy()
    images = gan.generate(interpolate(z[0], z[1], num_steps=10))
    ```
    """
    return (slerp if spherical else lerp)(z0, z1, num_steps)


def attribute_vector(with_attribute, without_attribute):
    """Mean of latents showing an attribute minus the mean of latents without it.

    Args:
        with_attribute: `[n, latent_dim]` latents whose images show the attribute.
        without_attribute: `[m, latent_dim]` latents whose images do not.

    Returns:
        float32 `[latent_dim]`.

    Raises:
        ValueError: for groups that are not non-empty `[n, latent_dim]` of equal width.
    """
    a, b = np.asarray(with_attribute, np.float64), np.asarray(without_attribute, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or not len(a) or not len(b):
        raise ValueError(
            "attribute groups must be non-empty (n, latent_dim) arrays of the same width; "
            f"got {a.shape} and {b.shape}."
        )
    return (a.mean(0) - b.mean(0)).astype(np.float32)


def latent_arithmetic(a, b, c):
    """`mean(a) − mean(b) + mean(c)` over groups of latents `[n_i, latent_dim]`."""
    return (attribute_vector(a, b) + np.asarray(c, np.float64).mean(0)).astype(np.float32)

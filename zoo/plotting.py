"""Pictures of what models do: image grids saved as PNG, reconstructions, latent spaces.

Every function takes images as arrays of shape `[n, height, width]` or
`[n, height, width, channels]` (1 or 3 channels) with values in `[0, 1]` (floats) or
`[0, 255]` (uint8).
"""

import math
import pathlib
import statistics

import numpy as np
from PIL import Image


def image_grid(images, rows: int | None = None, padding: int = 2, pad_value: float = 1.0):
    """Tile images into one uint8 array, row by row.

    Args:
        images: Array `[n, h, w]` or `[n, h, w, c]` with `c` in (1, 3).
        rows: Number of rows; default the smallest square that holds all images.
        padding: Pixels between tiles and around the border.
        pad_value: Padding intensity in [0, 1].

    Returns:
        uint8 array `[H, W]` (grayscale) or `[H, W, 3]`.

    Raises:
        ValueError: for another shape or values outside the ranges above.

    #### Examples

    ```python
    >>> image_grid(np.zeros([6, 28, 28, 1]), rows=2).shape
    (62, 92)

    ```
    """
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or len(images) == 0:
        raise ValueError(
            f"images must have shape (n, h, w) or (n, h, w, 1|3) with n > 0; got {images.shape}."
        )
    images = _to_unit(images)
    n, h, w, c = images.shape
    rows = rows or math.ceil(math.sqrt(n))
    cols = math.ceil(n / rows)
    grid = np.full(
        (rows * (h + padding) + padding, cols * (w + padding) + padding, c),
        pad_value,
        dtype=np.float32,
    )
    for i, image in enumerate(images):
        r, k = divmod(i, cols)
        top, left = padding + r * (h + padding), padding + k * (w + padding)
        grid[top : top + h, left : left + w] = image
    grid = np.round(grid * 255).astype(np.uint8)
    return grid[..., 0] if c == 1 else grid


def save_image_grid(images, path, rows: int | None = None, scale: int = 1, **kwargs):
    """Save `image_grid(images, rows, **kwargs)` as a PNG file.

    Args:
        images: See `image_grid`.
        path: Output file; parent folders are created.
        rows: See `image_grid`.
        scale: Integer upscaling factor (nearest neighbour), for small images.
        **kwargs: `padding`, `pad_value`.

    Returns:
        The path written, as `pathlib.Path`.
    """
    grid = image_grid(images, rows=rows, **kwargs)
    if scale > 1:
        grid = grid.repeat(scale, axis=0).repeat(scale, axis=1)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(grid).save(path)
    return path


def reconstruction_grid(originals, reconstructions, columns: int = 8, path=None, scale: int = 1):
    """Originals and their reconstructions in alternating rows, `columns` pairs per row pair.

    Args:
        originals: Images `[n, h, w]` or `[n, h, w, c]` (see the module docstring).
        reconstructions: Images of the same shape, e.g. `model.reconstruct(originals)`.
        columns: Images per row.
        path: If given, also save the grid there as PNG.
        scale: Integer upscaling factor for the saved PNG.

    Returns:
        uint8 grid array, as `image_grid`: rows 1, 3, ... originals, rows 2, 4, ... their
        reconstructions.

    Raises:
        ValueError: if the two arrays differ in shape, or as `image_grid`.

    #### Examples

    ```python
    grid = reconstruction_grid(x[:16], vae.reconstruct(x[:16]), columns=8)
    ```
    """
    originals, reconstructions = np.asarray(originals), np.asarray(reconstructions)
    if originals.shape != reconstructions.shape:
        raise ValueError(
            f"originals and reconstructions must have the same shape; got "
            f"{originals.shape} and {reconstructions.shape}."
        )
    originals, reconstructions = _to_unit(originals), _to_unit(reconstructions)
    row_pairs = math.ceil(len(originals) / columns)
    blank = np.ones((row_pairs * columns - len(originals), *originals.shape[1:]), np.float32)
    tiles = [np.concatenate([images, blank]) for images in (originals, reconstructions)]
    tiles = np.stack([t.reshape(row_pairs, columns, *t.shape[1:]) for t in tiles], axis=1)
    return _grid(tiles.reshape(-1, *originals.shape[1:]), 2 * row_pairs, path, scale)


def latent_manifold_grid(
    model,
    num_per_side: int = 15,
    dims=(0, 1),
    probability_range=(0.05, 0.95),
    path=None,
    scale: int = 1,
):
    """Decode a 2-D grid of latent values: the learned manifold (Kingma and Welling 2014, Fig. 4).

    Grid points are evenly spaced *probabilities* mapped through the standard normal
    inverse CDF, so the grid covers the N(0, I) prior evenly in mass. Latent coordinates
    other than `dims` stay at 0, the prior mean.

    Args:
        model: A latent model with `latent_dim` and `generate(z)` (VAE) or `decode(z)`
            returning images in [0, 1].
        num_per_side: Images per row and per column.
        dims: The two latent coordinates to vary (columns, rows).
        probability_range: Lowest and highest prior quantile on each axis.
        path: If given, also save the grid there as PNG.
        scale: Integer upscaling factor for the saved PNG.

    Returns:
        uint8 grid array with `num_per_side` rows; z[dims[1]] grows downwards and
        z[dims[0]] to the right.

    Raises:
        TypeError: if the model has neither `generate(z)` nor `decode(z)`.

    #### Examples

    ```python
    latent_manifold_grid(vae, num_per_side=20, path="manifold.png")
    ```

    #### References
    Kingma and Welling (2014). Auto-Encoding Variational Bayes.
    """
    quantile = statistics.NormalDist().inv_cdf
    values = [quantile(p) for p in np.linspace(*probability_range, num_per_side)]
    rows, cols = np.meshgrid(values, values, indexing="ij")
    z = np.zeros((num_per_side**2, model.latent_dim), np.float32)
    z[:, dims[0]], z[:, dims[1]] = cols.ravel(), rows.ravel()
    return _grid(_decode(model, z), num_per_side, path, scale)


def latent_traversal_grid(
    model,
    z,
    dims=None,
    values=(-3.0, -2.25, -1.5, -0.75, 0.0, 0.75, 1.5, 2.25, 3.0),
    path=None,
    scale: int = 1,
):
    """Vary one latent coordinate of `z` per row, the others fixed (as in beta-VAE papers).

    Args:
        model: A latent model with `latent_dim` and `generate(z)` or `decode(z)`.
        z: One latent vector `[latent_dim]` (e.g. a posterior mean), the traversals' origin.
        dims: Coordinates to traverse, one row each; default all (at most 10).
        values: The values each traversed coordinate takes, one column each.
        path: If given, also save the grid there as PNG.
        scale: Integer upscaling factor for the saved PNG.

    Returns:
        uint8 grid array with `len(dims)` rows and `len(values)` columns.

    Raises:
        ValueError: if `z` is not a vector of length `model.latent_dim`.
        TypeError: if the model has neither `generate(z)` nor `decode(z)`.

    #### Examples

    ```python
    z = vae.encode(x[:1]).mean()[0]
    latent_traversal_grid(vae, z, values=np.linspace(-2, 2, 7))
    ```

    #### References
    Higgins et al. (2017). beta-VAE: Learning Basic Visual Concepts with a Constrained
    Variational Framework.
    """
    z = np.asarray(z, np.float32)
    if z.shape != (model.latent_dim,):
        raise ValueError(f"z must have shape ({model.latent_dim},); got {z.shape}.")
    dims = list(range(min(model.latent_dim, 10))) if dims is None else list(dims)
    values = np.asarray(values, np.float32)
    codes = np.tile(z, (len(dims), len(values), 1))
    for row, dim in enumerate(dims):
        codes[row, :, dim] = values
    return _grid(_decode(model, codes.reshape(-1, model.latent_dim)), len(dims), path, scale)


def _decode(model, z):
    """Images of latent codes `z`: the model's `generate(z)`, else its `decode(z)`."""
    from zoo.models.contract import is_distribution, supports

    method = next((name for name in ("generate", "decode") if supports(model, name)), None)
    if method is None:
        raise TypeError(
            f"{type(model).__name__} has neither `generate(z)` nor `decode(z)` (see its "
            "contract_methods); latent plots need a model that maps codes to images."
        )
    decoded = getattr(model, method)(z)
    # A likelihood (an RBM's p(v | h)) is drawn as its mean.
    return np.asarray(decoded.mean() if is_distribution(decoded) else decoded)


def _grid(images, rows, path, scale):
    if path is not None:
        save_image_grid(images, path, rows=rows, scale=scale)
    return image_grid(images, rows=rows)


def _to_unit(images):
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 255.0
    images = images.astype(np.float32)
    if images.min() < 0.0 or images.max() > 1.0:
        raise ValueError(f"float images must lie in [0, 1]; got [{images.min()}, {images.max()}].")
    return images


def interpolation_grid(
    model, starts, ends, num_steps: int = 8, spherical: bool = True, path=None, scale: int = 1
):
    """One row per latent pair: the images along the walk from `starts[i]` to `ends[i]`.

    Args:
        model: A latent model with `generate(z)` (GAN, VAE) or `decode(z)`. Images are
            rescaled from `model.data_range` (e.g. `(-1, 1)` for a tanh DCGAN) when the
            model has one, else expected in [0, 1].
        starts: `[rows, latent_dim]` first latents.
        ends: `[rows, latent_dim]` last latents.
        num_steps: Images per row, both ends included.
        spherical: Spherical (slerp) or linear interpolation, see
            `zoo.models.adversarial.latent.interpolate`.
        path: If given, also save the grid there as PNG.
        scale: Integer upscaling factor for the saved PNG.

    Returns:
        uint8 grid array with `rows` rows and `num_steps` columns.

    Raises:
        ValueError: if `starts` and `ends` are not `[rows, latent_dim]` of one shape.
        TypeError: if the model has neither `generate(z)` nor `decode(z)`.

    #### Examples

    ```python
    z = gan.sample_latents(8, seed=0).numpy()
    interpolation_grid(gan, z[:4], z[4:], num_steps=10, path="walk.png", scale=2)
    ```

    #### References
    White (2016). Sampling Generative Networks.
    """
    from zoo.models.adversarial.latent import interpolate
    from zoo.models.contract import data_range_of

    starts, ends = np.asarray(starts), np.asarray(ends)
    if starts.shape != ends.shape or starts.ndim != 2:
        raise ValueError(
            f"starts and ends must be (rows, latent_dim) of one shape; got {starts.shape} "
            f"and {ends.shape}."
        )
    codes = np.concatenate(
        [interpolate(a, b, num_steps, spherical) for a, b in zip(starts, ends, strict=True)]
    )
    images = _decode(model, codes)
    low, high = data_range_of(model) or (0.0, 1.0)
    return _grid((images - low) / (high - low), len(starts), path, scale)


def learning_curve_plot(curve, path, monitor="val_loss", title=None):
    """Plot a training run's per-epoch logs (a model card's `learning_curve`) as a PNG.

    Draws the training loss (when the logs have one) and `monitor` against the epoch,
    marks the best epoch of `monitor` (its lowest value), and saves the figure.

    Args:
        curve: List of per-epoch dicts with `epoch`, `loss` and `monitor` (as written by
            `zoo.callbacks.PlateauStopping`).
        path: Output PNG path (its folder is created).
        monitor: The validation log to draw beside `loss`.
        title: Figure title.

    Returns:
        The path written, as a `pathlib.Path`.

    Raises:
        ImportError: without matplotlib (`pip install matplotlib`).
        ValueError: for an empty curve.
    """
    if not curve:
        raise ValueError("The learning curve has no epoch.")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            "Plotting a learning curve needs matplotlib: pip install matplotlib."
        ) from error
    epochs = [entry["epoch"] for entry in curve]
    figure, axes = plt.subplots(figsize=(6, 3.5), dpi=100)
    if all("loss" in entry for entry in curve):
        axes.plot(epochs, [entry["loss"] for entry in curve], label="training loss")
    if all(monitor in entry for entry in curve):
        values = [entry[monitor] for entry in curve]
        axes.plot(epochs, values, label=monitor)
        best = int(np.argmin(values))
        axes.axvline(
            epochs[best], color="grey", linestyle=":", label=f"best epoch ({epochs[best]})"
        )
    axes.set_xlabel("epoch")
    axes.set_ylabel("nats per example")
    axes.legend()
    axes.grid(alpha=0.3)
    if title:
        axes.set_title(title)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path

"""Pictures of what models do: image grids saved as PNG.

Every function takes images as arrays of shape `[n, height, width]` or
`[n, height, width, channels]` (1 or 3 channels) with values in `[0, 1]` (floats) or
`[0, 255]` (uint8).
"""

import math
import pathlib

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

    Example:
        >>> image_grid(np.zeros([6, 28, 28, 1]), rows=2).shape
        (62, 92)
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


def _to_unit(images):
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 255.0
    images = images.astype(np.float32)
    if images.min() < 0.0 or images.max() > 1.0:
        raise ValueError(
            f"float images must lie in [0, 1]; got [{images.min()}, {images.max()}]."
        )
    return images

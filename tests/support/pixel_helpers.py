"""Helpers shared by the PixelCNN and PixelRNN tests."""

import itertools

import numpy as np
import tensorflow as tf


def earlier_subpixels(shape):
    """allowed[out, in]: True when sub-pixel `in` precedes sub-pixel `out` (raster, then RGB)."""
    order = np.arange(np.prod(shape))  # flattening [h, w, c] is exactly the raster order
    return order[None, :] < order[:, None]


def input_jacobian(model, shape, batch=6):
    """|d params(out) / d x(in)| summed over parameters and a few random inputs."""
    x = tf.constant(np.random.default_rng(0).uniform(size=[batch, *shape]).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        params = model(x)
    jac = tape.batch_jacobian(params, x).numpy()  # [b, h, w, c, p, h, w, c]
    size = int(np.prod(shape))
    jac = np.abs(jac).reshape(batch, size, -1, size).sum(axis=(0, 2))
    return jac  # [out, in]


def all_images(shape, levels):
    """Every image of `shape` with values in 0..levels-1, `[levels**size, *shape]`."""
    values = itertools.product(range(levels), repeat=int(np.prod(shape)))
    return np.array(list(values), "float32").reshape(-1, *shape)


def total_variation_to_model(model, samples, shape, levels=2):
    """Half the L1 distance between sample frequencies and the model's probabilities."""
    n = len(samples)
    index = np.asarray(samples).reshape(n, -1) @ (levels ** np.arange(np.prod(shape))[::-1])
    freq = np.bincount(index.astype(int), minlength=levels ** int(np.prod(shape))) / n
    prob = np.exp(np.asarray(model.log_prob(all_images(shape, levels)), "float64"))
    return 0.5 * np.abs(freq - prob).sum()

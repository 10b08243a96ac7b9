"""Turning 8-bit images into what a likelihood needs: [0, 1] floats, bits, dequantized values.

Each function takes a numpy array or a tensor of any shape and returns the same kind
(numpy in, numpy out when run eagerly; tensors in `tf.data` maps and `tf.function`s).
Values are checked, never clipped: a wrong dtype or an intensity outside [0, 1] raises a
`ValueError` (inside a traced function, a `tf.debugging` assertion with the same message).

- `binarize_static`: a fixed threshold, the same bits every epoch.
- `binarize_dynamic`: stochastic binarization, each pixel a Bernoulli draw with probability
  equal to its intensity; a fresh draw per call (per epoch in `zoo.data.load`) acts as a
  regularizer (Salakhutdinov and Murray, 2008).
- `dequantize`: uniform dequantization (x + u) / 256, u ~ U[0, 1), so that a density model
  of the result bounds the discrete log-likelihood; `bits_per_dim` converts the units.

#### References
Salakhutdinov and Murray (2008). On the quantitative analysis of deep belief networks.
Theis, van den Oord and Bethge (2016). A note on the evaluation of generative models.
"""

import math

import tensorflow as tf

from zoo.checks import check_in_range
from zoo.random import stateless_seed

NUM_LEVELS = 256  # values an 8-bit pixel takes


def to_unit_interval(x):
    """Scale 8-bit images to float32 intensities in [0, 1] (x / 255).

    Args:
        x: uint8 array or tensor, any shape.

    Returns:
        float32, same shape and kind as `x`.

    Raises:
        ValueError: if `x` is not uint8.

    #### Examples

    ```python
    >>> import numpy as np
    >>> to_unit_interval(np.array([0, 51, 255], np.uint8))
    array([0. , 0.2, 1. ], dtype=float32)

    ```
    """
    numpy_out, x = _as_tensor(x)
    _check_uint8(x, "to_unit_interval")
    return _as_output(tf.cast(x, tf.float32) / 255.0, numpy_out)


def binarize_static(x, threshold: float = 0.5):
    """Binarize images with a fixed threshold: 1 where the intensity exceeds it.

    Args:
        x: uint8 images (scaled by 1/255 first) or float intensities in [0, 1].
        threshold: Intensity in [0, 1) above which a pixel becomes 1.

    Returns:
        float32 array or tensor of 0s and 1s, same shape and kind as `x`.

    Raises:
        ValueError: for another dtype, intensities outside [0, 1] or a threshold outside
            [0, 1).

    #### Examples

    ```python
    >>> import numpy as np
    >>> binarize_static(np.array([0, 127, 128, 255], np.uint8))
    array([0., 0., 1., 1.], dtype=float32)

    ```
    """
    if not 0.0 <= threshold < 1.0:
        raise ValueError(f"threshold must lie in [0, 1); got {threshold}.")
    numpy_out, x = _as_tensor(x)
    probs = _intensities(x, "binarize_static")
    return _as_output(tf.cast(probs > threshold, tf.float32), numpy_out)


def binarize_dynamic(x, seed=None):
    """Binarize images stochastically: each pixel is 1 with probability equal to its intensity.

    Args:
        x: uint8 images (scaled by 1/255 first) or float intensities in [0, 1].
        seed: Anything `zoo.random.stateless_seed` takes; the same seed gives the same bits.

    Returns:
        float32 array or tensor of 0s and 1s, same shape and kind as `x`.

    Raises:
        ValueError: for another dtype or intensities outside [0, 1].

    #### Examples

    ```python
    >>> import numpy as np
    >>> bits = binarize_dynamic(np.full([2, 3], 0.5, np.float32), seed=0)
    >>> np.unique(bits).tolist()
    [0.0, 1.0]

    ```

    #### References
    Salakhutdinov and Murray (2008). On the quantitative analysis of deep belief networks.
    """
    numpy_out, x = _as_tensor(x)
    probs = _intensities(x, "binarize_dynamic")
    # u < p with u ~ U[0, 1) is a Bernoulli(p) draw, as in tfd.Bernoulli; faster than
    # tf.random.stateless_binomial(counts=1) (see benchmarks/RESULTS.md).
    noise = tf.random.stateless_uniform(tf.shape(probs), stateless_seed(seed), dtype=tf.float32)
    return _as_output(tf.cast(noise < probs, tf.float32), numpy_out)


def dequantize(x, seed=None):
    """Uniformly dequantize 8-bit images: (x + u) / 256 with u ~ U[0, 1) per pixel.

    A continuous density p fitted to the result bounds the discrete model: for every image,
    log P(x) >= E_u[log p((x + u) / 256)] - D log 256 (Theis et al., 2016); see
    `bits_per_dim(log_prob, num_dims, num_bins=256)`.

    Args:
        x: uint8 array or tensor, any shape.
        seed: Anything `zoo.random.stateless_seed` takes; the same seed gives the same noise.

    Returns:
        float32 values in [0, 1] (1.0 only where float32 rounding of 255/256 + u/256 reaches
        it), same shape and kind as `x`.

    Raises:
        ValueError: if `x` is not uint8.

    #### Examples

    ```python
    >>> import numpy as np
    >>> y = dequantize(np.array([0, 255], np.uint8), seed=0)
    >>> bool(0 <= y[0] < 1 / 256 and 255 / 256 <= y[1] <= 1)
    True

    ```

    #### References
    Theis, van den Oord and Bethge (2016). A note on the evaluation of generative models.
    """
    numpy_out, x = _as_tensor(x)
    _check_uint8(x, "dequantize")
    noise = tf.random.stateless_uniform(tf.shape(x), stateless_seed(seed), dtype=tf.float32)
    return _as_output((tf.cast(x, tf.float32) + noise) / NUM_LEVELS, numpy_out)


def bits_per_dim(log_prob, num_dims: int, num_bins: int = 1):
    """Convert per-example log-likelihoods in nats to bits per dimension.

    bits/dim = (-log_prob + num_dims * log(num_bins)) / (num_dims * log 2).

    Args:
        log_prob: Per-example log-likelihood in nats (array, tensor or float).
        num_dims: Dimensions per example (784 for a 28x28x1 image).
        num_bins: 1 when `log_prob` is a probability mass (Bernoulli or categorical pixels);
            256 when it is a density of images dequantized to [0, 1] with `dequantize`
            (the result is then an upper bound on the discrete model's bits/dim).

    Returns:
        Bits per dimension, same shape and kind as `log_prob`.

    Raises:
        ValueError: if `num_dims` or `num_bins` is not a positive integer.

    #### Examples

    ```python
    >>> import numpy as np
    >>> float(bits_per_dim(-784 * np.log(2), num_dims=784))
    1.0

    ```
    """
    if int(num_dims) != num_dims or num_dims < 1 or int(num_bins) != num_bins or num_bins < 1:
        raise ValueError(
            f"num_dims and num_bins must be positive integers; got {num_dims} and {num_bins}."
        )
    return (-log_prob / num_dims + math.log(num_bins)) / math.log(2.0)


def _as_tensor(x):
    """Return (whether to hand back numpy, `x` as a tensor)."""
    numpy_out = not tf.is_tensor(x) and tf.executing_eagerly()
    return numpy_out, tf.convert_to_tensor(x)


def _as_output(result, numpy_out):
    return result.numpy() if numpy_out else result


def _check_uint8(x, what):
    if x.dtype != tf.uint8:
        raise ValueError(
            f"{what} expects 8-bit images of dtype uint8 (values 0..255); got "
            f"{x.dtype.name}. Pass the raw images of zoo.data.load_arrays."
        )


def _intensities(x, what):
    """uint8 images / 255, or float intensities checked to lie in [0, 1], as float32."""
    if x.dtype == tf.uint8:
        return tf.cast(x, tf.float32) / 255.0
    if not x.dtype.is_floating:
        raise ValueError(
            f"{what} expects uint8 images or float intensities in [0, 1]; got {x.dtype.name}."
        )
    x = check_in_range(x, 0.0, 1.0, name="images", what="pixel intensities")
    return tf.cast(x, tf.float32)

"""A 2-D convolution with few output channels, computed as a projection onto its taps.

A `k×k` convolution from `C` to `F` channels is, at every pixel, the sum over the `k²`
kernel taps `(a, b)` of the input pixel at offset `(a, b)` times the `C×F` matrix
`W[a, b]`. `TapConv2D` computes it in two steps:

1. one pointwise matrix product `P = x · [W[0, 0] … W[k-1, k-1]]` (`C` to `k²·F` channels,
   the convolution's own multiply-adds, as one well-shaped GEMM);
2. a fixed shift-and-sum of the `k²` planes of `P` (`y[i, j, f] = Σ_ab P[i+a, j+b, (a, b, f)]`),
   a convolution with a constant one-hot kernel (`k⁴·F²` multiply-adds per pixel).

Same parameters (`kernel [k, k, C, F]`, `bias [F]`), same config and the same outputs as
`keras.layers.Conv2D` (to float32 round-off). It pays when `F` is small and `C` large,
as in an image output layer: TensorFlow's CPU kernels for a `Conv2D` to one channel
reduce over `k²·C` with a matrix-vector product in both directions of back-propagation
(timings: benchmarks/RESULTS.md, "Design notes (measured)"). For `F > 4` the
shift-and-sum's `k⁴·F²` term outgrows the saving; use `Conv2D`.
"""

import keras
import numpy as np
import tensorflow as tf


@keras.saving.register_keras_serializable(package="zoo")
class TapConv2D(keras.layers.Conv2D):
    """`keras.layers.Conv2D` (stride 1, no dilation, no groups) computed tap by tap.

    Args:
        filters: Output channels `F` (meant for small `F`, e.g. an image's channels).
        kernel_size: Int or pair.
        **kwargs: Other `keras.layers.Conv2D` arguments; `strides`, `dilation_rate` and
            `groups` must keep their default 1, `data_format` must be channels_last.

    Raises:
        ValueError: for strides, dilation or groups other than 1, or channels_first.

    #### Examples

    ```python
    >>> layer = TapConv2D(1, 7, padding="same", activation="sigmoid")
    >>> layer(np.zeros([2, 28, 28, 128], "float32")).shape
    TensorShape([2, 28, 28, 1])

    ```
    """

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(filters, kernel_size, **kwargs)
        if self.strides != (1, 1) or self.dilation_rate != (1, 1) or self.groups != 1:
            raise ValueError(
                "TapConv2D computes stride-1, undilated, ungrouped convolutions; got "
                f"strides={self.strides}, dilation_rate={self.dilation_rate}, "
                f"groups={self.groups}. Use keras.layers.Conv2D."
            )
        if self.data_format != "channels_last":
            raise ValueError("TapConv2D expects channels_last data.")

    def convolution_op(self, inputs, kernel):
        kh, kw, channels, filters = kernel.shape
        taps = kh * kw * filters
        # [C, (a, b, f)]: the projection onto every tap's output channel.
        projection = tf.reshape(tf.transpose(kernel, [2, 0, 1, 3]), [channels, taps])
        planes = tf.tensordot(inputs, tf.cast(projection, inputs.dtype), [[3], [0]])
        # One-hot [a, b, (a, b, f), f]: shifts plane (a, b, f) by (a, b) into channel f.
        shift = np.zeros([kh, kw, taps, filters], np.float32)
        for a in range(kh):
            for b in range(kw):
                for f in range(filters):
                    shift[a, b, (a * kw + b) * filters + f, f] = 1.0
        return tf.nn.conv2d(
            planes, tf.constant(shift, planes.dtype), 1, self.padding.upper(), "NHWC"
        )

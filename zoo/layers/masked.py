"""Masked dense and convolution layers: the building blocks of autoregressive networks.

A masked layer multiplies its kernel by a fixed 0/1 mask inside `call`, so that an output
can only see the inputs the mask allows. MADE (Germain et al., 2015) uses `MaskedDense`
with masks built from unit degrees; PixelCNN (van den Oord et al., 2016) uses
`MaskedConv2D` with raster-order masks of type A (the current pixel is hidden) or B (the
current pixel's earlier channels and its own features are visible), and the gated
PixelCNN's vertical stack uses the `"vertical_*"` masks.

Channel groups: with `image_channels=C` (3 for RGB), feature `f` of every layer belongs to
colour group `f % C`, the image channel `c` to group `c`. At the centre position a type-A
mask connects input group `g_in` to output group `g_out` only when `g_in < g_out`, a type-B
mask when `g_in <= g_out`, so that R is predicted from the past, G also from R, B also from
R and G. With this interleaved grouping a stack of `2F` features split into two halves of
`F` (gated activations, LSTM gates) keeps the groups aligned whenever `F % C == 0`.

#### References
- Germain, Gregor, Murray, Larochelle (2015). MADE: Masked Autoencoder for Distribution
  Estimation. ICML.
- van den Oord, Kalchbrenner, Kavukcuoglu (2016). Pixel Recurrent Neural Networks. ICML.
- van den Oord, Kalchbrenner, Vinyals, Espeholt, Graves, Kavukcuoglu (2016). Conditional
  Image Generation with PixelCNN Decoders. NeurIPS.
"""

import keras
import numpy as np
import tensorflow as tf

MASK_TYPES = ("A", "B", "vertical_A", "vertical_B")
CONVOLUTIONS = ("taps", "masked")


@keras.saving.register_keras_serializable(package="zoo")
class MaskedDense(keras.layers.Layer):
    """A dense layer whose kernel is multiplied by one of a few fixed 0/1 masks.

    Args:
        units: Number of output units.
        mask: 0/1 array of shape `[input_dim, units]`, or `[num_masks, input_dim, units]`
            for a layer whose weights are shared by several connectivity patterns
            (MADE's connectivity-agnostic training); then `call` takes `mask_index`.
        activation: Keras activation name or callable.
        use_bias: Add a (never masked) bias.
        kernel_initializer: Initializer of the kernel.
        bias_initializer: Initializer of the bias.

    Raises:
        ValueError: if `mask` has another rank, is not 0/1, or its last axis is not `units`.

    #### Examples

    ```python
    >>> import numpy as np
    >>> layer = MaskedDense(2, mask=np.tril(np.ones([2, 2]), -1))  # out 1 sees in 0
    >>> layer(np.ones([1, 2], "float32")).shape
    TensorShape([1, 2])

    ```

    #### References
    - Germain, Gregor, Murray, Larochelle (2015). MADE: Masked Autoencoder for
      Distribution Estimation. ICML.
    """

    def __init__(
        self,
        units,
        mask,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        mask = np.asarray(mask, dtype="float32")
        if mask.ndim not in (2, 3) or mask.shape[-1] != units:
            raise ValueError(
                f"mask must have shape (input_dim, {units}) or (num_masks, input_dim, {units});"
                f" got {mask.shape}."
            )
        if not np.all((mask == 0) | (mask == 1)):
            raise ValueError("mask must contain only 0 and 1.")
        self.units = units
        self.mask_values = mask
        self.num_masks = 1 if mask.ndim == 2 else mask.shape[0]
        self._masks = mask.reshape([self.num_masks, *mask.shape[-2:]])
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim != self.mask_values.shape[-2]:
            raise ValueError(
                f"inputs must have shape (batch, {self.mask_values.shape[-2]}) to match the "
                f"mask; got {tuple(input_shape)}."
            )
        self.kernel = self.add_weight(
            name="kernel", shape=(input_dim, self.units), initializer=self.kernel_initializer
        )
        self.bias = (
            self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer)
            if self.use_bias
            else None
        )

    def masked_kernel(self, mask_index=0):
        """The kernel times mask number `mask_index` (a Python or tensor integer)."""
        if self.num_masks == 1:
            return self.kernel * self._masks[0]  # a constant: no gather in the step
        return self.kernel * tf.gather(self._masks, mask_index)

    def call(self, inputs, mask_index=0):
        outputs = tf.matmul(inputs, self.masked_kernel(mask_index))
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "mask": self.mask_values.tolist(),
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }


def conv_mask(kernel_size, in_channels, out_channels, mask_type, image_channels=1):
    """The 0/1 mask of a raster-order masked convolution.

    Args:
        kernel_size: `(height, width)`, both odd.
        in_channels: Number of input features.
        out_channels: Number of output features.
        mask_type: `"A"` (the centre pixel only through earlier colour groups), `"B"`
            (also through its own group), `"vertical_A"` (only rows strictly above the
            centre) or `"vertical_B"` (rows above and the whole centre row; for inputs
            that themselves only carry information from rows above).
        image_channels: Number of colour groups (see the module docstring).

    Returns:
        float32 array of shape `[height, width, in_channels, out_channels]`.

    Raises:
        ValueError: for an unknown `mask_type` or an even kernel size.
    """
    height, width = kernel_size
    if mask_type not in MASK_TYPES:
        raise ValueError(f"mask_type must be one of {MASK_TYPES}; got {mask_type!r}.")
    if height % 2 == 0 or width % 2 == 0:
        raise ValueError(f"kernel_size must be odd; got {tuple(kernel_size)}.")
    row, col = height // 2, width // 2
    mask = np.zeros([height, width, in_channels, out_channels], dtype="float32")
    if mask_type == "vertical_A":
        mask[:row] = 1.0
        return mask
    if mask_type == "vertical_B":
        mask[: row + 1] = 1.0
        return mask
    mask[:row] = 1.0
    mask[row, :col] = 1.0
    in_group = np.arange(in_channels)[:, None] % image_channels
    out_group = np.arange(out_channels)[None, :] % image_channels
    visible = in_group < out_group if mask_type == "A" else in_group <= out_group
    mask[row, col] = visible.astype("float32")
    return mask


def live_window(mask):
    """The smallest rectangle of kernel positions that holds every nonzero tap of `mask`.

    A raster mask of type A or B gives the rows down to the centre row (all columns of a
    square kernel); a vertical mask its rows; a `(1, k)` mask the columns up to the centre.
    Taps inside the rectangle that the mask zeroes (the centre row's right part of a type
    A or B mask, or a channel-masked centre tap) stay masked by `MaskedConv2D`: one
    convolution over the rectangle costs less than several over exact blocks.

    Args:
        mask: 0/1 array `[height, width, in_channels, out_channels]`.

    Returns:
        `(row_start, row_stop, column_start, column_stop)`, or None when every tap is
        masked.
    """
    live = np.any(mask != 0, axis=(2, 3))
    rows, columns = np.flatnonzero(live.any(axis=1)), np.flatnonzero(live.any(axis=0))
    if not rows.size:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1


@keras.saving.register_keras_serializable(package="zoo")
class MaskedConv2D(keras.layers.Layer):
    """A 'same'-padded 2-D convolution whose kernel is masked to respect raster order.

    Args:
        filters: Number of output features.
        kernel_size: Integer or `(height, width)`; odd sizes. `(1, k)` gives the
            horizontal stack of the gated PixelCNN.
        mask_type: `"A"`, `"B"`, `"vertical_A"` or `"vertical_B"`; see `conv_mask`.
        image_channels: Number of colour groups (1 for grey, 3 for RGB).
        activation: Keras activation name or callable.
        use_bias: Add a bias.
        kernel_initializer: Initializer of the kernel.
        bias_initializer: Initializer of the bias.
        convolution: `"taps"` convolves only the smallest rectangle of kernel positions
            holding every tap the mask keeps (`live_window`: e.g. the rows down to the
            centre row), a cropped kernel on a shifted, padded view of the input, as van
            den Oord et al. (2016b) compute the gated stacks.
            `"masked"` convolves the whole kernel times its mask. Both give the same
            outputs and gradients and use the same full-size `kernel` variable (its
            masked taps are unused and get zero gradients), so weights move freely
            between the two.

    Raises:
        ValueError: for an unknown `mask_type` or `convolution`, or an even kernel size.

    #### Examples

    ```python
    >>> layer = MaskedConv2D(16, 7, mask_type="A")
    >>> layer(np.zeros([2, 28, 28, 1], "float32")).shape
    TensorShape([2, 28, 28, 16])

    ```

    #### References
    - van den Oord, Kalchbrenner, Kavukcuoglu (2016). Pixel Recurrent Neural Networks. ICML.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        mask_type="B",
        image_channels=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        convolution="taps",
        **kwargs,
    ):
        super().__init__(**kwargs)
        kernel_size = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
        self.kernel_size = tuple(int(k) for k in kernel_size)
        conv_mask(self.kernel_size, 1, 1, mask_type)  # validate early
        if convolution not in CONVOLUTIONS:
            raise ValueError(f"convolution must be one of {CONVOLUTIONS}; got {convolution!r}.")
        self.convolution = convolution
        self.filters = filters
        self.mask_type = mask_type
        self.image_channels = image_channels
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build(self, input_shape):
        in_channels = input_shape[-1]
        self._mask = conv_mask(
            self.kernel_size, in_channels, self.filters, self.mask_type, self.image_channels
        )
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, in_channels, self.filters),
            initializer=self.kernel_initializer,
        )
        self.bias = (
            self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer)
            if self.use_bias
            else None
        )
        self._window = live_window(self._mask)

    @property
    def masked_kernel(self):
        """The kernel times its mask, `[height, width, in_channels, filters]`."""
        return self.kernel * self._mask

    def call(self, inputs, padding="SAME"):
        """Convolve; `padding="VALID"` serves the cached samplers (windows of the input)."""
        if self.convolution == "masked":
            outputs = tf.nn.conv2d(inputs, self.masked_kernel, strides=1, padding=padding)
        else:
            outputs = self._convolve_live_taps(inputs, padding)
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def _convolve_live_taps(self, inputs, padding):
        """The convolution over `live_window` only: a cropped kernel on a shifted input.

        A window of rows `r0:r1` and columns `c0:c1` of a kernel centred at `(ph, pw)`
        reads, for output `(i, j)`, the inputs `i - ph + r0 .. i - ph + r1 - 1` and
        `j - pw + c0 .. j - pw + c1 - 1`: a "VALID" convolution of the input padded by
        `ph - r0` rows on top and `r1 - 1 - ph` below (a negative padding crops), and
        likewise for the columns; `padding="VALID"` starts from zero padding instead.
        """
        height, width = self.kernel_size
        if padding == "SAME":
            base = (height // 2, height - 1 - height // 2, width // 2, width - 1 - width // 2)
        elif padding == "VALID":
            base = (0, 0, 0, 0)
        else:
            raise ValueError(f'padding must be "SAME" or "VALID"; got {padding!r}.')
        if self._window is None:  # every tap masked (a 1x1 type-A layer on one colour group)
            # Zeros that depend on inputs and kernel: their gradients are 0, not None.
            outputs = inputs[..., :1] * (0.0 * self.kernel[0, 0, 0])
            if padding == "VALID":
                outputs = outputs[:, height - 1 :, width - 1 :]
            return outputs
        r0, r1, c0, c1 = self._window
        top, bottom = base[0] - r0, base[1] - (height - r1)
        left, right = base[2] - c0, base[3] - (width - c1)
        x = inputs
        if min(top, bottom, left, right) < 0:  # crop what a negative padding removes
            rows = slice(max(-top, 0), bottom if bottom < 0 else None)
            columns = slice(max(-left, 0), right if right < 0 else None)
            x = x[:, rows, columns]
        kernel = self.kernel[r0:r1, c0:c1]
        window_mask = self._mask[r0:r1, c0:c1]
        if not np.all(window_mask == 1):
            kernel = kernel * window_mask
        pads = [max(top, 0), max(bottom, 0), max(left, 0), max(right, 0)]
        if any(pads):
            # `tf.pad`, then a "VALID" convolution: TensorFlow's CPU convolution with
            # explicit padding is far slower (benchmarks/RESULTS.md, PixelCNN step).
            x = tf.pad(x, [[0, 0], pads[:2], pads[2:], [0, 0]])
        return tf.nn.conv2d(x, kernel, strides=1, padding="VALID")

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "mask_type": self.mask_type,
            "image_channels": self.image_channels,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "convolution": self.convolution,
        }

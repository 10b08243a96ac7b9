"""PixelCNN: masked convolutions model p(x) = prod over sub-pixels in raster order.

Two stacks:

- `gated=False`: the original residual stack. A 7x7 type-A masked convolution, then
  `num_layers` residual blocks (1x1 -> kxk type B -> 1x1, ReLU), then two 1x1 type-B
  layers to the likelihood's parameters. Its receptive field has the well-known blind
  spot to the upper right.
- `gated=True`: the gated PixelCNN of van den Oord et al. (2016b). A vertical stack sees
  only rows above (masks `vertical_A` then `vertical_B`); a horizontal stack sees the
  pixels to the left in the current row ((1, k) type A then B masks) and receives the
  vertical stack through a 1x1 link. Together they cover every earlier pixel: no blind
  spot. Each layer: `tanh(f) * sigmoid(g)` gates, residual connection on the horizontal
  stack, and a class embedding added to both stacks when `num_classes` is set.

Sampling draws one sub-pixel per step. `sample` runs the cached sampler of
Ramachandran et al. (2017) for the gated stack (every layer keeps the activations it has
already computed and only evaluates the new position: the vertical stack once per row,
the horizontal stack once per pixel) and the plain per-sub-pixel full pass otherwise;
both are one compiled `tf.while_loop`.
"""

import keras
import tensorflow as tf

from zoo.layers.masked import MaskedConv2D
from zoo.models.autoregressive.base import AutoregressiveImageModel


def gate(x):
    """The gated activation tanh(a) * sigmoid(b) of the two halves of the last axis."""
    a, b = tf.split(x, 2, axis=-1)
    return tf.tanh(a) * tf.sigmoid(b)


@keras.saving.register_keras_serializable(package="zoo")
class PixelCNN(AutoregressiveImageModel):
    """PixelCNN with a residual or a gated (blind-spot-free) masked-convolution stack.

    Args:
        image_shape: `(height, width, channels)`; channels 1 or 3 (RGB is modelled
            R, then G given R, then B given R and G, by channel-masked convolutions).
        num_layers: Number of residual blocks / gated layers after the first layer.
        filters: Features per layer; a multiple of `channels` (of `2 * channels` for the
            residual stack, whose blocks narrow to `filters // 2`).
        gated: Use the gated vertical + horizontal stacks.
        likelihood: `"bernoulli"` (binary images), `"categorical"` (256-way softmax) or
            `"logistic_mixture"` (discretized logistic mixture); see `pixel_likelihoods`.
        num_classes: Number of classes of a class-conditional model, or None.
        kernel_size: Kernel size of the layers after the first.
        first_kernel_size: Kernel size of the first (type A) layer.
        num_levels: Intensity levels of non-binary data.
        num_mixtures: Components of the logistic mixture.
        convolution: `"taps"` (every masked convolution computes only the kernel
            positions its mask keeps, as cropped convolutions of shifted inputs) or
            `"masked"` (the full kernel times its 0/1 mask). Same outputs, gradients and
            weights; see `MaskedConv2D`.
        **kwargs: Passed to `keras.Model`.

    Raises:
        ValueError: for an unknown likelihood or `convolution`, or `filters` not a
            multiple of the channels.

    #### Examples

    ```python
    model = PixelCNN((28, 28, 1), num_layers=6, filters=64, gated=True)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(binary_images, epochs=5)          # loss: NLL in nats per image
    model.log_prob(binary_images[:8])           # exact, [8]
    model.sample(16, seed=0)                    # [16, 28, 28, 1] in {0, 1}
    ```

    #### References
    - van den Oord, Kalchbrenner, Kavukcuoglu (2016). Pixel Recurrent Neural Networks. ICML.
    - van den Oord, Kalchbrenner, Vinyals, Espeholt, Graves, Kavukcuoglu (2016).
      Conditional Image Generation with PixelCNN Decoders. NeurIPS.
    - Salimans, Karpathy, Chen, Kingma (2017). PixelCNN++. ICLR.
    - Ramachandran, Paine, Khorrami, Babaeizadeh, Chang, Zhang, Hasegawa-Johnson,
      Campbell, Huang (2017). Fast Generation for Convolutional Autoregressive Models. ICLR
      workshop.
    """

    def __init__(
        self,
        image_shape,
        num_layers=6,
        filters=64,
        gated=False,
        likelihood="bernoulli",
        num_classes=None,
        kernel_size=3,
        first_kernel_size=7,
        num_levels=256,
        num_mixtures=5,
        convolution="taps",
        **kwargs,
    ):
        super().__init__(image_shape, likelihood, num_classes, num_levels, num_mixtures, **kwargs)
        channels = self.image_shape[-1]
        multiple = channels if gated else 2 * channels
        if filters % multiple:
            raise ValueError(
                f"filters must be a multiple of {multiple} for {channels} channel(s) "
                f"({'gated' if gated else 'residual'} stack); got {filters}."
            )
        self.num_layers = int(num_layers)
        self.filters = int(filters)
        self.gated = bool(gated)
        self.kernel_size = int(kernel_size)
        self.first_kernel_size = int(first_kernel_size)
        self.convolution = convolution

        def masked(f, k, mask_type, name, activation=None):
            return MaskedConv2D(
                f,
                k,
                mask_type,
                image_channels=channels,
                activation=activation,
                convolution=convolution,
                name=name,
            )

        k, k0, f = self.kernel_size, self.first_kernel_size, self.filters
        if self.gated:
            self.vertical = [masked(2 * f, k0, "vertical_A", "vertical_0")] + [
                masked(2 * f, k, "vertical_B", f"vertical_{i}") for i in range(1, num_layers + 1)
            ]
            self.horizontal = [masked(2 * f, (1, k0), "A", "horizontal_0")] + [
                masked(2 * f, (1, k), "B", f"horizontal_{i}") for i in range(1, num_layers + 1)
            ]
            self.links = [
                keras.layers.Conv2D(2 * f, 1, name=f"link_{i}") for i in range(num_layers + 1)
            ]
            self.horizontal_out = [
                masked(f, 1, "B", f"horizontal_out_{i}") for i in range(num_layers + 1)
            ]
            embedding_size = 2 * f
        else:
            self.first = masked(f, k0, "A", "first")
            self.blocks = [
                [
                    masked(f // 2, 1, "B", f"block_{i}_in", "relu"),
                    masked(f // 2, k, "B", f"block_{i}_conv", "relu"),
                    masked(f, 1, "B", f"block_{i}_out"),
                ]
                for i in range(num_layers)
            ]
            embedding_size = f
        self.embeddings = (
            [
                keras.layers.Embedding(num_classes, embedding_size, name=f"class_{i}")
                for i in range(num_layers + 1)
            ]
            if self.is_conditional
            else []
        )
        self._build_head(f, convolution)
        self._build_by_calling()

    def _class_bias(self, labels, layer):
        if not self.is_conditional:
            return 0.0
        return self.embeddings[layer](labels)[:, None, None, :]

    def call(self, x, condition=None):
        """Distribution parameters `[batch, height, width, channels, params_per_channel]`."""
        x = self.pixel_likelihood.network_input(x)
        if self.gated:
            vertical, horizontal = x, x
            for i in range(self.num_layers + 1):
                vertical, horizontal = self._gated_layer(i, vertical, horizontal, condition)
            return self._params(horizontal)
        h = self.first(x) + self._class_bias(condition, 0)
        for i, (inner, conv, outer) in enumerate(self.blocks):
            h = h + outer(conv(inner(tf.nn.relu(h)))) + self._class_bias(condition, i + 1)
        return self._params(h)

    def _gated_layer(self, i, vertical, horizontal, labels):
        v_pre = self.vertical[i](vertical)
        v_out, h_out = self._gated_combine(i, v_pre, self.horizontal[i](horizontal), labels)
        return v_out, h_out + (horizontal if i > 0 else 0.0)

    def _gated_combine(self, i, v_pre, h_conv, labels):
        """Gates of layer `i` from its convolutions (shared by `call` and the cached sampler)."""
        bias = self._class_bias(labels, i)
        h_pre = h_conv + self.links[i](v_pre) + bias
        return gate(v_pre + bias), self.horizontal_out[i](gate(h_pre))

    @tf.function(reduce_retracing=True)
    def _sample(self, num_samples, seed, condition):
        if self.gated:
            return self.sample_cached(num_samples, seed, condition)
        return self.sample_by_full_passes(num_samples, seed, condition)

    def sample_cached(self, num_samples, seed, condition=None):
        """The cached sampler of the gated stack (traceable; `sample` compiles it).

        Every masked convolution keeps a zero-padded copy of its input. At the start of a
        row the vertical stack computes the whole row from the rows above (it never sees
        the current row of the image); then for each pixel and channel the horizontal
        stack computes one position from the cached pixels to its left. The cost per
        step is that of one position per layer instead of the whole image.
        """
        height, width, channels = self.image_shape
        pad_v = [(conv.kernel_size[0] // 2, conv.kernel_size[1] // 2) for conv in self.vertical]
        pad_h = [conv.kernel_size[1] // 2 for conv in self.horizontal]
        in_sizes = [channels] + [self.filters] * self.num_layers

        def padded(rows, cols, size):
            return tf.zeros([num_samples, rows, cols, size])

        # Caches: the vertical stack's inputs (image, then gated v features), padded.
        v_cache = [
            padded(height + 2 * pr, width + 2 * pc, n)
            for (pr, pc), n in zip(pad_v, in_sizes, strict=True)
        ]
        # The horizontal stack's inputs for the current row, left-padded.
        h_cache = [padded(1, width + 2 * p, n) for p, n in zip(pad_h, in_sizes, strict=True)]

        def row_step(i, image, v_cache):
            # Vertical stack on row i: layer depth reads rows i-p..i+p of its padded input.
            v_pre_row, v_cache = [], list(v_cache)
            for depth, conv in enumerate(self.vertical):
                pr, pc = pad_v[depth]
                window = v_cache[depth][:, i : i + 2 * pr + 1]
                pre = conv(window, padding="VALID")  # [B, 1, W, 2F]
                v_pre_row.append(pre)
                if depth + 1 < len(self.vertical):
                    v_out = gate(pre + self._class_bias(condition, depth))
                    nr, nc = pad_v[depth + 1]
                    v_cache[depth + 1] = _write_rows(v_cache[depth + 1], v_out, i + nr, nc)

            def pixel_step(t, image, h_cache):
                j, c = t // channels, t % channels
                h_cache = list(h_cache)
                for depth, conv in enumerate(self.horizontal):
                    p = pad_h[depth]
                    h_in = h_cache[depth][:, :, j + p : j + p + 1]
                    h_conv = conv(h_cache[depth][:, :, j : j + 2 * p + 1], padding="VALID")
                    v_pre = v_pre_row[depth][:, :, j : j + 1]
                    _, h_out = self._gated_combine(depth, v_pre, h_conv, condition)
                    h_out = h_out + (h_in if depth > 0 else 0.0)
                    if depth + 1 < len(self.horizontal):
                        h_cache[depth + 1] = _write_column(
                            h_cache[depth + 1], h_out, pad_h[depth + 1] + j
                        )
                params = self._params(h_out)[:, 0, 0, c]  # [B, P]
                index = (i * width + j) * channels + c  # as in `sample_by_full_passes`
                image = self._draw_subpixel(image, params, index, seed)
                # The pixel so far (channels <= c) enters the horizontal stack's input.
                pixel = self.pixel_likelihood.network_input(image[:, i : i + 1, j : j + 1])
                h_cache[0] = _write_column(h_cache[0], pixel, pad_h[0] + j)
                return t + 1, image, h_cache

            _, image, _ = tf.while_loop(
                lambda t, *_: t < width * channels,
                pixel_step,
                (tf.constant(0), image, h_cache),
            )
            # The finished row i enters the vertical stack's image cache.
            pr, pc = pad_v[0]
            row = self.pixel_likelihood.network_input(image[:, i : i + 1])
            v_cache[0] = _write_rows(v_cache[0], row, i + pr, pc)
            return i + 1, image, v_cache

        _, image, _ = tf.while_loop(
            lambda i, *_: i < height,
            row_step,
            (tf.constant(0), tf.zeros([num_samples, *self.image_shape]), v_cache),
        )
        return image

    def get_config(self):
        return {
            **super().get_config(),
            "num_layers": self.num_layers,
            "filters": self.filters,
            "gated": self.gated,
            "kernel_size": self.kernel_size,
            "first_kernel_size": self.first_kernel_size,
            "convolution": self.convolution,
        }


def _write_rows(cache, rows, top, left):
    """Put `rows` `[B, r, w, n]` into `cache` at row `top`, column `left`."""
    size = tf.shape(rows)
    paddings = [
        [0, 0],
        [top, tf.shape(cache)[1] - top - size[1]],
        [left, tf.shape(cache)[2] - left - size[2]],
        [0, 0],
    ]
    inside = tf.pad(tf.ones_like(rows), paddings) > 0
    return tf.ensure_shape(tf.where(inside, tf.pad(rows, paddings), cache), cache.shape)


def _write_column(cache, pixel, column):
    """Put `pixel` `[B, 1, 1, n]` into the one-row `cache` at `column`."""
    return _write_rows(cache, pixel, 0, column)

"""PixelRNN with Row LSTM layers: an LSTM that runs down the image one row at a time.

Each Row LSTM layer computes its four gates for row i from two convolutions: an
input-to-state (1, 3) type-B masked convolution over the layer's input in row i (the
pixels to the left and, through channel groups, the earlier colours of the current
pixel), and a state-to-state 1-D convolution (width 3) over the hidden state of row
i - 1. All positions of a row are updated in parallel; rows follow each other in a
`tf.scan`. The first layer is a 7x7 type-A masked convolution, the layers are residual,
and the output head and the likelihoods are those of PixelCNN. Row LSTM has a triangular
receptive field above the current pixel (van den Oord et al., 2016, section 3.1).

Sampling draws one sub-pixel per step in raster order (colour channels within a pixel).
`sample` runs an exact row cache: row i of every layer depends on the image only through
the first layer's window of rows i - k // 2 .. i and on the layer's (hidden, cell) state of
row i - 1. The sampler keeps those states and, for each sub-pixel of row i, recomputes row
i alone (first layer, one LSTM step per layer, head) instead of the whole image. It draws
the same samples as `sample_by_full_passes` (one full pass per sub-pixel) for the same
seed; both are one compiled `tf.while_loop`.
"""

import keras
import tensorflow as tf

from zoo.layers.masked import MaskedConv2D
from zoo.models.autoregressive.base import AutoregressiveImageModel


@keras.saving.register_keras_serializable(package="zoo")
class PixelRNN(AutoregressiveImageModel):
    """PixelRNN with residual Row LSTM layers.

    Args:
        image_shape: `(height, width, channels)`, channels 1 or 3.
        num_layers: Number of Row LSTM layers.
        units: Hidden units per position of every layer; a multiple of `channels`.
        likelihood: `"bernoulli"`, `"categorical"` or `"logistic_mixture"`.
        num_classes: Number of classes of a class-conditional model, or None.
        first_kernel_size: Kernel size of the first (type A) masked convolution.
        num_levels: Intensity levels of non-binary data.
        num_mixtures: Components of the logistic mixture.
        convolution: `"taps"` or `"masked"`: how the masked convolutions are computed
            (same outputs and weights; see `MaskedConv2D`).
        **kwargs: Passed to `keras.Model`.

    Raises:
        ValueError: for an unknown likelihood or `convolution`, or `units` not a multiple
            of the channels.

    #### Examples

    ```python
    model = PixelRNN((28, 28, 1), num_layers=2, units=32)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(binary_images, epochs=2)
    model.log_prob(binary_images[:8])           # exact, [8]
    model.sample(16, seed=0)                    # [16, 28, 28, 1], row-cached sampler
    ```

    #### References
    - van den Oord, Kalchbrenner, Kavukcuoglu (2016). Pixel Recurrent Neural Networks. ICML.
    """

    def __init__(
        self,
        image_shape,
        num_layers=2,
        units=32,
        likelihood="bernoulli",
        num_classes=None,
        first_kernel_size=7,
        num_levels=256,
        num_mixtures=5,
        convolution="taps",
        **kwargs,
    ):
        super().__init__(image_shape, likelihood, num_classes, num_levels, num_mixtures, **kwargs)
        _, width, channels = self.image_shape
        if units % channels:
            raise ValueError(f"units must be a multiple of {channels} (channels); got {units}.")
        self.num_layers = int(num_layers)
        self.units = int(units)
        self.first_kernel_size = int(first_kernel_size)
        self.convolution = convolution
        self.first = MaskedConv2D(
            units, first_kernel_size, "A", channels, convolution=convolution, name="first"
        )
        self.input_to_state = [
            MaskedConv2D(
                4 * units,
                (1, 3),
                "B",
                channels,
                convolution=convolution,
                name=f"input_to_state_{i}",
            )
            for i in range(num_layers)
        ]
        self.state_to_state = []
        for i in range(num_layers):
            conv = keras.layers.Conv1D(4 * units, 3, padding="same", name=f"state_to_state_{i}")
            conv.build((None, width, units))  # built outside the row loop
            self.state_to_state.append(conv)
        self.embeddings = (
            [
                keras.layers.Embedding(num_classes, 4 * units, name=f"class_{i}")
                for i in range(num_layers)
            ]
            if self.is_conditional
            else []
        )
        self._build_head(units, convolution)
        self._build_by_calling()

    def call(self, x, condition=None):
        """Distribution parameters `[batch, height, width, channels, params_per_channel]`."""
        features = self.first(self.pixel_likelihood.network_input(x))
        for i in range(self.num_layers):
            features = features + self._row_lstm(i, features, condition)
        return self._params(features)

    def _class_bias(self, labels, layer):
        """The class embedding added to layer `layer`'s gates, `[batch, 1, 1, 4 units]`."""
        return self.embeddings[layer](labels)[:, None, None, :] if self.is_conditional else None

    def _input_gates(self, layer, features, class_bias):
        """The input-to-state gates of `features` `[batch, rows, width, units]`.

        The (1, 3) masked convolution treats every row on its own, so one row gives that
        row's gates; the class bias (or None) is added.
        """
        gates = self.input_to_state[layer](features)
        return gates if class_bias is None else gates + class_bias

    @staticmethod
    def _lstm_step(row_gates, recurrent, cell):
        """One Row LSTM step for a row `[batch, width, ...]`: (hidden, cell) of the row.

        `row_gates` are the row's input-to-state gates, `recurrent` the state-to-state
        convolution of the previous row's hidden state and `cell` its cell state. Shared by
        the full pass (`tf.scan` over rows) and the cached sampler.
        """
        z = row_gates + recurrent
        # Interleaved colour groups: chunk k's feature u is in group u % channels.
        i, f, o, g = tf.split(z, 4, axis=-1)
        cell = tf.sigmoid(f) * cell + tf.sigmoid(i) * tf.tanh(g)
        return tf.sigmoid(o) * tf.tanh(cell), cell

    def _row_lstm(self, layer, features, labels):
        gates = self._input_gates(layer, features, self._class_bias(labels, layer))
        state_to_state = self.state_to_state[layer]

        def next_row(state, row_gates):
            hidden, cell = state
            return self._lstm_step(row_gates, state_to_state(hidden), cell)

        zeros = tf.zeros_like(gates[:, 0, :, : self.units])
        hidden, _ = tf.scan(next_row, tf.transpose(gates, [1, 0, 2, 3]), initializer=(zeros, zeros))
        return tf.transpose(hidden, [1, 0, 2, 3])

    def _cached_row(self, window, recurrents, cells, class_biases):
        """Parameters and Row LSTM states of one row from the previous row's states.

        Args:
            window: The network input, zero-padded by half the first kernel on every
                side, rows `i - k // 2 .. i + k // 2` of the image: `[batch, k, width + 2
                (k // 2), channels]` for a first kernel of size k.
            recurrents: Per layer, the state-to-state convolution of row i - 1's hidden
                state, `[batch, width, 4 units]`.
            cells: Per layer, row i - 1's cell state, `[batch, width, units]`.
            class_biases: Per layer, the class embedding or None.

        Returns:
            `params` `[batch, width, channels, params_per_channel]` of row i, and per
            layer the `(hidden, cell)` of row i, each `[batch, width, units]`.
        """
        features = self.first(window, padding="VALID")  # [batch, 1, width, units]
        states = []
        for layer in range(self.num_layers):
            gates = self._input_gates(layer, features, class_biases[layer])
            hidden, cell = self._lstm_step(gates[:, 0], recurrents[layer], cells[layer])
            states.append((hidden, cell))
            features = features + hidden[:, None]
        return self._params(features)[:, 0], states

    @tf.function(reduce_retracing=True)
    def _sample(self, num_samples, seed, condition):
        return self.sample_cached(num_samples, seed, condition)

    def sample_cached(self, num_samples, seed, condition=None):
        """The row-cached sampler (traceable; `sample` compiles it).

        Draws exactly what `sample_by_full_passes` draws for the same seed (same
        per-sub-pixel seeds, same parameters), but each step computes one row instead of
        the whole image. Row i of the network depends on the image only through the first
        layer's rows `i - k // 2 .. i` and, in every Row LSTM layer, on the (hidden, cell)
        state of row i - 1. So the sampler keeps each layer's state of the previous row
        and, for every sub-pixel of row i, recomputes row i alone: the first layer on its
        window of the image, each layer's one-row LSTM step from the kept state (the
        state-to-state convolution done once per row), the head; then draws the
        sub-pixel. The states of row i computed at its last sub-pixel are exact for the
        next row: no state of row i depends on the row's last sub-pixel (the masks hide
        it from every output of its own row).
        """
        height, width, channels = self.image_shape
        kh, kw = self.first.kernel_size
        paddings = [[0, 0], [kh // 2, kh // 2], [kw // 2, kw // 2], [0, 0]]
        class_biases = [self._class_bias(condition, layer) for layer in range(self.num_layers)]
        zeros = tf.zeros([num_samples, width, self.units])
        initial = [(zeros, zeros) for _ in range(self.num_layers)]

        def row_step(i, image, states):
            # The previous row's contribution to the gates is the same for the whole row.
            recurrents = [
                conv(hidden) for conv, (hidden, _) in zip(self.state_to_state, states, strict=True)
            ]
            cells = [cell for _, cell in states]

            def subpixel_step(t, image, _):
                j, c = t // channels, t % channels
                padded = tf.pad(self.pixel_likelihood.network_input(image), paddings)
                window = tf.slice(padded, [0, i, 0, 0], [-1, kh, -1, -1])
                params, row_states = self._cached_row(window, recurrents, cells, class_biases)
                index = (i * width + j) * channels + c  # as in `sample_by_full_passes`
                image = self._draw_subpixel(image, params[:, j, c], index, seed)
                return t + 1, image, row_states

            _, image, states = tf.while_loop(
                lambda t, *_: t < width * channels,
                subpixel_step,
                (tf.constant(0), image, states),
            )
            return i + 1, image, states

        _, image, _ = tf.while_loop(
            lambda i, *_: i < height,
            row_step,
            (tf.constant(0), tf.zeros([num_samples, *self.image_shape]), initial),
        )
        return image

    def get_config(self):
        return {
            **super().get_config(),
            "num_layers": self.num_layers,
            "units": self.units,
            "first_kernel_size": self.first_kernel_size,
            "convolution": self.convolution,
        }

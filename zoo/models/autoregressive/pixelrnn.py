"""PixelRNN with Row LSTM layers: an LSTM that runs down the image one row at a time.

Each Row LSTM layer computes its four gates for row i from two convolutions: an
input-to-state (1, 3) type-B masked convolution over the layer's input in row i (the
pixels to the left and, through channel groups, the earlier colours of the current
pixel), and a state-to-state 1-D convolution (width 3) over the hidden state of row
i - 1. All positions of a row are updated in parallel; rows follow each other in a
`tf.scan`. The first layer is a 7x7 type-A masked convolution, the layers are residual,
and the output head and the likelihoods are those of PixelCNN. Row LSTM has a triangular
receptive field above the current pixel (van den Oord et al., 2016, section 3.1).
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

    def _row_lstm(self, layer, features, labels):
        gates = self.input_to_state[layer](features)
        if self.is_conditional:
            gates = gates + self.embeddings[layer](labels)[:, None, None, :]
        state_to_state = self.state_to_state[layer]

        def next_row(state, row_gates):
            hidden, cell = state
            z = row_gates + state_to_state(hidden)
            # Interleaved colour groups: chunk k's feature u is in group u % channels.
            i, f, o, g = tf.split(z, 4, axis=-1)
            cell = tf.sigmoid(f) * cell + tf.sigmoid(i) * tf.tanh(g)
            return tf.sigmoid(o) * tf.tanh(cell), cell

        zeros = tf.zeros_like(gates[:, 0, :, : self.units])
        hidden, _ = tf.scan(next_row, tf.transpose(gates, [1, 0, 2, 3]), initializer=(zeros, zeros))
        return tf.transpose(hidden, [1, 0, 2, 3])

    def get_config(self):
        return {
            **super().get_config(),
            "num_layers": self.num_layers,
            "units": self.units,
            "first_kernel_size": self.first_kernel_size,
            "convolution": self.convolution,
        }

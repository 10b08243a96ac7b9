"""Reference and virtual batch normalization (Salimans et al. 2016).

Batch normalization makes each example's output depend on the other examples of its
minibatch, which makes a GAN generator's samples within a batch correlated. Reference
batch normalization normalizes every example with the statistics of a *reference batch*
chosen once at the start of training; virtual batch normalization uses the reference batch
*together with the example itself* (weight `1/(R+1)` for the example), so each output
depends only on its own input and the fixed reference.

The reference batch must go through the same layers as the data (its statistics at a deep
layer depend on the current weights), so these layers take it *inside* the batch: the first
`reference_size` rows of every input are the reference batch, propagated along, and the
caller drops them from the network's output (`outputs[reference_size:]`). The reference
rows are normalized with the reference statistics alone.

Statistics are per channel (last axis), over the batch and all spatial axes.

#### References
- Salimans, Goodfellow, Zaremba, Cheung, Radford, Chen (2016). Improved Techniques for
  Training GANs. NeurIPS.
"""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="zoo")
class ReferenceBatchNormalization(keras.layers.Layer):
    """Normalize every example with the statistics of the reference rows.

    Args:
        reference_size: `R`, the number of leading rows that form the reference batch.
        epsilon: Added to the variance.
        center: Learn an offset `beta`.
        scale: Learn a scale `gamma`.
        **kwargs: `keras.layers.Layer` arguments.

    Input and output: `[R + batch, ..., channels]`.

    #### Examples

    ```python
    layer = ReferenceBatchNormalization(reference_size=64)
    outputs = layer(tf.concat([reference_batch, batch], 0))[64:]
    ```
    """

    def __init__(self, reference_size, epsilon=1e-5, center=True, scale=True, **kwargs):
        super().__init__(**kwargs)
        if int(reference_size) < 1:
            raise ValueError(f"reference_size must be positive; got {reference_size}.")
        self.reference_size = int(reference_size)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)

    def build(self, input_shape):
        channels = (input_shape[-1],)
        self.gamma = (
            self.add_weight(shape=channels, initializer="ones", name="gamma")
            if self.scale
            else None
        )
        self.beta = (
            self.add_weight(shape=channels, initializer="zeros", name="beta")
            if self.center
            else None
        )

    def _reference_moments(self, x):
        """Per-channel mean and mean square of the reference rows, shape `[channels]`."""
        reference = x[: self.reference_size]
        axes = list(range(x.shape.rank - 1))
        return tf.reduce_mean(reference, axes), tf.reduce_mean(tf.square(reference), axes)

    def _moments(self, x):
        """Mean and variance used for each row, broadcastable against `x`."""
        mean, mean_square = self._reference_moments(x)
        return mean, mean_square - tf.square(mean)

    def call(self, x):
        x = tf.convert_to_tensor(x)
        tf.debugging.assert_greater(
            tf.shape(x)[0],
            self.reference_size,
            message=f"inputs must start with the {self.reference_size} reference rows",
        )
        mean, variance = self._moments(x)
        outputs = (x - mean) * tf.math.rsqrt(variance + self.epsilon)
        if self.scale:
            outputs *= self.gamma
        if self.center:
            outputs += self.beta
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "reference_size": self.reference_size,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="zoo")
class VirtualBatchNormalization(ReferenceBatchNormalization):
    """Normalize each example with the statistics of the reference rows plus itself.

    For example `x`, with `μ_ref`, `s_ref` the reference mean and mean square and `μ_x`,
    `s_x` the example's own (over its spatial positions):
    `μ = (μ_x + R μ_ref) / (R + 1)`, `σ² = (s_x + R s_ref) / (R + 1) - μ²`.
    Reference rows use the reference statistics alone. Same arguments as
    `ReferenceBatchNormalization`.
    """

    def _moments(self, x):
        ref_mean, ref_mean_square = self._reference_moments(x)
        spatial = list(range(1, x.shape.rank - 1))
        own_mean = tf.reduce_mean(x, spatial, keepdims=True) if spatial else x
        own_mean_square = (
            tf.reduce_mean(tf.square(x), spatial, keepdims=True) if spatial else tf.square(x)
        )
        weight = 1.0 / (self.reference_size + 1.0)
        mean = weight * own_mean + (1.0 - weight) * ref_mean
        mean_square = weight * own_mean_square + (1.0 - weight) * ref_mean_square
        is_reference = tf.range(tf.shape(x)[0]) < self.reference_size
        is_reference = tf.reshape(is_reference, [-1] + [1] * (x.shape.rank - 1))
        mean = tf.where(is_reference, ref_mean, mean)
        mean_square = tf.where(is_reference, ref_mean_square, mean_square)
        return mean, mean_square - tf.square(mean)

"""Minibatch discrimination: features that let a discriminator see a whole minibatch.

A generator that collapses onto a few modes produces minibatches whose examples look alike;
a discriminator that scores each example alone cannot tell. Minibatch discrimination
(Salimans et al. 2016) projects each example's features `f(x_i) ∈ R^A` with a learned
tensor `T ∈ R^{A×B×C}` to `B` rows `M_{i,b} ∈ R^C`, measures closeness to every example of
the batch, `c_b(x_i, x_j) = exp(-‖M_{i,b} - M_{j,b}‖₁)`, and appends the `B` sums
`o(x_i)_b = Σ_j c_b(x_i, x_j)` (the sum includes `j = i`, as in the paper) to the features.

#### References
- Salimans, Goodfellow, Zaremba, Cheung, Radford, Chen (2016). Improved Techniques for
  Training GANs. NeurIPS.
"""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="zoo")
class MinibatchDiscrimination(keras.layers.Layer):
    """Append minibatch-similarity features `o(x_i) ∈ R^B` to each example's features.

    Args:
        num_kernels: `B`, the number of similarity features appended.
        kernel_dim: `C`, the size of each projected row.
        kernel_initializer: Initializer of `T` (stored as an `[A, B·C]` kernel).
        **kwargs: `keras.layers.Layer` arguments.

    Input: `[batch, A]` features. Output: `[batch, A + B]`.

    #### Examples

    ```python
    >>> import numpy as np
    >>> layer = MinibatchDiscrimination(num_kernels=5, kernel_dim=3)
    >>> layer(np.zeros([8, 16], "float32")).shape
    TensorShape([8, 21])

    ```
    """

    def __init__(self, num_kernels, kernel_dim, kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.num_kernels = int(num_kernels)
        self.kernel_dim = int(kernel_dim)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(
                f"MinibatchDiscrimination expects inputs of shape (batch, features); "
                f"got {tuple(input_shape)}. Flatten first."
            )
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.num_kernels * self.kernel_dim),
            initializer=self.kernel_initializer,
            name="kernel",
        )

    def call(self, features):
        rows = tf.reshape(features @ self.kernel, [-1, self.num_kernels, self.kernel_dim])
        # [batch, 1, B, C] - [1, batch, B, C] -> L1 distances [batch, batch, B]
        distances = tf.reduce_sum(tf.abs(rows[:, None] - rows[None, :]), axis=-1)
        similarity = tf.reduce_sum(tf.exp(-distances), axis=1)
        return tf.concat([features, similarity], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1] + self.num_kernels)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_kernels": self.num_kernels,
                "kernel_dim": self.kernel_dim,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            }
        )
        return config

"""The projection term of a class-conditional discriminator (Miyato & Koyama 2018).

A projection discriminator scores `(x, y)` as `ψ(φ(x)) + embed(y) · φ(x)`: an
unconditional logit from the features `φ(x)` plus the inner product of those features
with a learned embedding of the class `y`. It follows from writing the discriminator as
the log density ratio of a conditional model whose class posterior is log-linear in
`φ(x)`, and conditions more gently than concatenating the label to the input.

#### References
- Miyato, Koyama, 2018. cGANs with Projection Discriminator.
"""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="zoo")
class ClassProjection(keras.layers.Layer):
    """`embed(y) · features`, one logit per example, for integer labels `y`.

    Args:
        num_classes: Number of classes `K` (labels `0 .. K - 1`).
        embeddings_initializer: Initializer of the `[K, feature_dim]` class embedding.
        **kwargs: `keras.layers.Layer` arguments.

    Call arguments: `[features, labels]`, features `[batch, feature_dim]` and int labels
    `[batch]`. Output: `[batch, 1]`.

    #### Examples

    ```python
    h = keras.layers.Flatten()(conv_stack(images))
    logits = keras.layers.Dense(1)(h) + ClassProjection(10)([h, labels])
    ```
    """

    def __init__(self, num_classes, embeddings_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        if int(num_classes) < 1:
            raise ValueError(f"num_classes must be positive; got {num_classes}.")
        self.num_classes = int(num_classes)
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)

    def build(self, input_shape):
        features_shape, _ = input_shape
        self.embeddings = self.add_weight(
            shape=(self.num_classes, features_shape[-1]),
            initializer=self.embeddings_initializer,
            name="embeddings",
        )

    def call(self, inputs):
        features, labels = inputs
        embedded = tf.gather(self.embeddings, tf.reshape(tf.cast(labels, tf.int32), [-1]))
        return tf.reduce_sum(embedded * features, axis=-1, keepdims=True)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], 1)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_classes": self.num_classes,
                "embeddings_initializer": keras.initializers.serialize(self.embeddings_initializer),
            }
        )
        return config

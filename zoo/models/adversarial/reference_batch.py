"""A generator that carries a fixed reference batch through every call (Salimans et al.).

Reference and virtual batch normalization (`zoo.layers.virtual_batch_norm`) normalize with
the statistics of a *reference batch* propagated through the same layers as the data: the
first `reference_size` rows of every input to such a layer are the reference. A generator
built from those layers therefore cannot be called on latents alone.
`ReferenceBatchGenerator` wraps such a network: it fixes the reference latents (and, for a
class-conditional network, reference labels) once, when it is built, keeps them as
non-trainable variables (saved with the model, so a reloaded model keeps its reference),
and on every call puts them in front of the batch, runs the network and drops their rows:

    G(z) = network([z_ref; z])[reference_size:]

With virtual batch normalization each output then depends only on its own latent and the
fixed reference, never on the other examples of its batch.

#### Examples

```python
network = keras.Sequential([
    keras.Input((latent_dim,)),
    keras.layers.Dense(256),
    zoo.layers.VirtualBatchNormalization(reference_size=64),
    keras.layers.ReLU(),
    keras.layers.Dense(784, activation="tanh"),
])
generator = ReferenceBatchGenerator(network, latent_dim, reference_size=64, seed=0)
gan = GAN(generator, discriminator, latent_dim)
```

`DCGAN(image_shape, normalization="virtual")` builds exactly this.

#### References
- Salimans, Goodfellow, Zaremba, Cheung, Radford, Chen, 2016. Improved Techniques for
  Training GANs.
"""

import keras
import tensorflow as tf

from zoo.layers.virtual_batch_norm import ReferenceBatchNormalization


@keras.saving.register_keras_serializable(package="zoo")
class ReferenceBatchGenerator(keras.Model):
    """Run a reference-batch-normalized generator network with its fixed reference batch.

    Args:
        network: Keras model whose reference / virtual batch normalization layers take
            `reference_size` leading reference rows; it maps latents `[batch, latent_dim]`
            (or `[z, labels]` with `num_classes`) to `[batch, *data_shape]`.
        latent_dim: Size of the latent vector.
        reference_size: Rows of the reference batch; must equal the `reference_size` of
            the network's normalization layers. Each call runs the network on
            `reference_size` more rows than it returns.
        num_classes: For a class-conditional network (inputs `[z, labels]`): the number of
            classes; the reference labels cycle through `0 .. num_classes - 1` so every
            class is represented equally. None: unconditional.
        seed: Seed of the reference latents (standard normal), drawn when built.
        **kwargs: `keras.Model` arguments.

    Raises:
        ValueError: if `reference_size < 1` or the network's normalization layers expect
            a different reference size.
    """

    def __init__(
        self, network, latent_dim, reference_size=64, num_classes=None, seed=None, **kwargs
    ):
        super().__init__(**kwargs)
        if int(reference_size) < 1:
            raise ValueError(f"reference_size must be positive; got {reference_size}.")
        self.network = network
        self.latent_dim = int(latent_dim)
        self.reference_size = int(reference_size)
        self.num_classes = None if num_classes is None else int(num_classes)
        self.seed = seed
        for layer in _normalization_layers(network):
            if layer.reference_size != self.reference_size:
                raise ValueError(
                    f"layer {layer.name} expects reference_size={layer.reference_size}; "
                    f"the generator's reference batch has {self.reference_size} rows."
                )
        self.reference_latents = self.add_weight(
            shape=(self.reference_size, self.latent_dim),
            initializer=keras.initializers.RandomNormal(seed=seed),
            trainable=False,
            name="reference_latents",
        )
        self.reference_labels = None
        if self.num_classes is not None:
            self.reference_labels = self.add_weight(
                shape=(self.reference_size,),
                initializer=keras.initializers.Constant(
                    [i % self.num_classes for i in range(self.reference_size)]
                ),
                dtype="int32",
                trainable=False,
                name="reference_labels",
            )

    def call(self, inputs, training=False):
        """`network` on the reference rows followed by `inputs`, reference rows dropped."""
        if self.num_classes is None:
            z = tf.convert_to_tensor(inputs)
            z = tf.concat([tf.cast(self.reference_latents, z.dtype), z], axis=0)
            outputs = self.network(z, training=training)
        else:
            z, labels = inputs
            z = tf.convert_to_tensor(z)
            z = tf.concat([tf.cast(self.reference_latents, z.dtype), z], axis=0)
            labels = tf.concat(
                [self.reference_labels, tf.cast(labels, self.reference_labels.dtype)], axis=0
            )
            outputs = self.network([z, labels], training=training)
        return outputs[self.reference_size :]

    def compute_output_shape(self, input_shape):
        return self.network.compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "network": keras.saving.serialize_keras_object(self.network),
                "latent_dim": self.latent_dim,
                "reference_size": self.reference_size,
                "num_classes": self.num_classes,
                "seed": self.seed,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["network"] = keras.saving.deserialize_keras_object(config["network"])
        return cls(**config)


def _normalization_layers(network):
    return [
        layer
        for layer in network._flatten_layers(include_self=False)
        if isinstance(layer, ReferenceBatchNormalization)
    ]

"""Deep convolutional GAN: Radford et al.'s architecture guidelines as a builder.

The guidelines (Radford, Metz and Chintala 2016): strided convolutions instead of pooling
(transposed convolutions in the generator), batch normalization in both networks except
the generator output and the discriminator input, ReLU in the generator with a tanh output,
LeakyReLU(0.2) in the discriminator, no hidden fully connected layers beyond the projection
of `z` and the final logit, weights from N(0, 0.02), Adam(2e-4, beta_1=0.5).

Images are doubled in size from a `base × base` projection of `z`, with `base` in 4..7:
28×28 starts at 7×7 (2 upsamplings), 32×32 at 4×4 (3), 64×64 at 4×4 (4). Channel counts
halve at each upsampling down to `filters` (the discriminator mirrors them).

`architecture="kerasio"` builds instead the networks of the keras.io example "GAN
overriding `Model.train_step`" (fchollet, 28×28×1 only, sigmoid output in [0, 1],
latent 128), for side-by-side comparisons (`benchmarks/dcgan_vs_kerasio.py`); its 7×7
output convolution runs as `zoo.layers.tap_conv.TapConv2D` (same function and weights).
"""

import keras

from zoo.layers.class_projection import ClassProjection
from zoo.layers.tap_conv import TapConv2D
from zoo.layers.virtual_batch_norm import VirtualBatchNormalization
from zoo.models.adversarial.gan import GAN
from zoo.models.adversarial.reference_batch import ReferenceBatchGenerator

ARCHITECTURES = ("radford", "kerasio")
NORMALIZATIONS = ("batch", "virtual")


def _upsamplings(size):
    """Number of 2x upsamplings from a base of 4..7 pixels to `size`, or None."""
    n = 0
    while size > 7 and size % 2 == 0:
        size //= 2
        n += 1
    return n if 4 <= size <= 7 and n > 0 else None


def radford_generator(
    image_shape,
    latent_dim,
    filters=64,
    synchronized_batch_norm=False,
    name="generator",
    reference_size=None,
    num_classes=None,
):
    """DCGAN generator for `image_shape` (h == w), tanh output in [-1, 1].

    Args:
        image_shape: `(size, size, channels)`.
        latent_dim: Size of `z`.
        filters: Channels of the widest-resolution layer.
        synchronized_batch_norm: Batch norm over the global batch under a strategy.
        name: Model name.
        reference_size: Use `VirtualBatchNormalization(reference_size)` instead of batch
            normalization; the network then expects the reference rows in front of every
            batch (wrap it in a `ReferenceBatchGenerator`). None: batch normalization.
        num_classes: Class-conditional: the network takes `[z, labels]` and concatenates
            the one-hot label to `z` (Mirza & Osindero). None: it takes `z`.
    """
    height, _width, channels = image_shape
    n = _upsamplings(height)
    base = height // 2**n
    init = keras.initializers.RandomNormal(0.0, 0.02)

    def normalization():
        if reference_size is not None:
            return VirtualBatchNormalization(reference_size)
        return keras.layers.BatchNormalization(synchronized=synchronized_batch_norm)

    layers = [
        keras.layers.Dense(
            base * base * filters * 2 ** (n - 1),
            use_bias=False,
            kernel_initializer=init,
        ),
        normalization(),
        keras.layers.ReLU(),
        keras.layers.Reshape((base, base, filters * 2 ** (n - 1))),
    ]
    for i in reversed(range(n - 1)):
        layers += [
            keras.layers.Conv2DTranspose(
                filters * 2**i,
                4,
                strides=2,
                padding="same",
                use_bias=False,
                kernel_initializer=init,
            ),
            normalization(),
            keras.layers.ReLU(),
        ]
    layers.append(
        keras.layers.Conv2DTranspose(
            channels,
            4,
            strides=2,
            padding="same",
            activation="tanh",
            kernel_initializer=init,
        )
    )
    if num_classes is None:
        return keras.Sequential([keras.Input((latent_dim,)), *layers], name=name)
    z = keras.Input((latent_dim,), name="z")
    labels = keras.Input((), dtype="int32", name="labels")
    one_hot = keras.layers.CategoryEncoding(num_classes, output_mode="one_hot")(labels)
    outputs = keras.layers.Concatenate()([z, one_hot])
    for layer in layers:
        outputs = layer(outputs)
    return keras.Model([z, labels], outputs, name=name)


def radford_discriminator(
    image_shape, filters=64, synchronized_batch_norm=False, name="discriminator", num_classes=None
):
    """DCGAN discriminator for `image_shape`: strided convolutions to one logit.

    With `num_classes` it is a projection discriminator (Miyato & Koyama) on `[x, labels]`:
    the logit `w · φ(x) + b + embed(labels) · φ(x)` on the flattened features `φ(x)`.
    """
    n = _upsamplings(image_shape[0])
    init = keras.initializers.RandomNormal(0.0, 0.02)
    layers = [keras.Input(tuple(image_shape))]
    for i in range(n):
        layers.append(
            keras.layers.Conv2D(
                filters * 2**i,
                4,
                strides=2,
                padding="same",
                use_bias=i == 0,
                kernel_initializer=init,
            )
        )
        if i > 0:  # no batch norm on the discriminator's input layer
            layers.append(keras.layers.BatchNormalization(synchronized=synchronized_batch_norm))
        layers.append(keras.layers.LeakyReLU(0.2))
    layers.append(keras.layers.Flatten())
    if num_classes is None:
        layers.append(keras.layers.Dense(1, kernel_initializer=init))
        return keras.Sequential(layers, name=name)
    images = layers[0]
    labels = keras.Input((), dtype="int32", name="labels")
    features = images
    for layer in layers[1:]:
        features = layer(features)
    projection = ClassProjection(num_classes, embeddings_initializer=init)([features, labels])
    logits = keras.layers.Add()(
        [keras.layers.Dense(1, kernel_initializer=init)(features), projection]
    )
    return keras.Model([images, labels], logits, name=name)


def kerasio_generator(latent_dim=128, tap_output=True, name="generator"):
    """The keras.io example's generator: Dense 7x7x128, two 4x4 stride-2 deconvolutions.

    Args:
        latent_dim: Size of `z`.
        tap_output: Compute the 7x7 output convolution (128 to 1 channels) with
            `zoo.layers.tap_conv.TapConv2D`: the same function and parameters as the
            example's `keras.layers.Conv2D`, faster on CPU (see benchmarks/RESULTS.md).
            False: `keras.layers.Conv2D`, as in the example.
        name: Model name.
    """
    output_conv = TapConv2D if tap_output else keras.layers.Conv2D
    return keras.Sequential(
        [
            keras.Input((latent_dim,)),
            keras.layers.Dense(7 * 7 * 128),
            keras.layers.LeakyReLU(0.2),
            keras.layers.Reshape((7, 7, 128)),
            keras.layers.Conv2DTranspose(128, 4, strides=2, padding="same"),
            keras.layers.LeakyReLU(0.2),
            keras.layers.Conv2DTranspose(128, 4, strides=2, padding="same"),
            keras.layers.LeakyReLU(0.2),
            output_conv(1, 7, padding="same", activation="sigmoid"),
        ],
        name=name,
    )


def kerasio_discriminator(name="discriminator"):
    """The keras.io example's discriminator: two 3x3 stride-2 convolutions, global max pool."""
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(64, 3, strides=2, padding="same"),
            keras.layers.LeakyReLU(0.2),
            keras.layers.Conv2D(128, 3, strides=2, padding="same"),
            keras.layers.LeakyReLU(0.2),
            keras.layers.GlobalMaxPooling2D(),
            keras.layers.Dense(1),
        ],
        name=name,
    )


@keras.saving.register_keras_serializable(package="zoo")
class DCGAN(GAN):
    """A `GAN` whose networks follow the DCGAN guidelines for an image shape.

    Args:
        image_shape: `(height, width, channels)`, square, with a 4..7 pixel base
            (28×28×1, 32×32×3 and 64×64×3 among others).
        latent_dim: Size of `z`.
        filters: Channels of the widest-resolution layer (64 in the paper, 128 for LSUN).
        architecture: `"radford"` (default; data in [-1, 1]) or `"kerasio"` (the keras.io
            example's networks, 28×28×1, data in [0, 1]).
        synchronized_batch_norm: Batch statistics over the global batch under a
            `tf.distribute` strategy (`BatchNormalization(synchronized=True)`), so N
            replicas train as one device would; False: each replica normalizes with its
            own examples' statistics (Keras' default). Radford architecture only.
        normalization: The generator's normalization: `"batch"` (default, Radford et al.)
            or `"virtual"`: virtual batch normalization (Salimans et al.) with a fixed
            reference batch of `reference_size` latents drawn from `seed` when the model
            is built and saved with it (`ReferenceBatchGenerator`); each sample then
            depends only on its own latent. The discriminator keeps batch normalization.
            Radford architecture only.
        reference_size: Size of the virtual batch normalization's reference batch.
        **kwargs: `GAN` arguments (`loss`, `d_steps`, `label_smoothing`, `seed`, ...).
            With `num_classes` the DCGAN is class-conditional: the generator takes the
            one-hot label concatenated with `z`, the discriminator is a projection
            discriminator (Miyato & Koyama); Radford architecture only.

    Raises:
        ValueError: for an image shape the architecture cannot build, or an option the
            architecture does not have.

    #### Examples

    ```python
    images = zoo.data.to_unit_interval(zoo.data.load_arrays("fashion_mnist")[0]) * 2 - 1
    gan = DCGAN((28, 28, 1))
    gan.compile()  # Adam(2e-4, beta_1=0.5) for both players
    gan.fit(images, batch_size=128, epochs=5)

    # virtual batch normalization in the generator; class-conditional
    vbn_gan = DCGAN((28, 28, 1), normalization="virtual", seed=0)
    cgan = DCGAN((28, 28, 1), num_classes=10)
    cgan.compile()
    cgan.fit(images, labels, batch_size=64, epochs=5)
    sandals = cgan.sample(16, seed=0, condition=5)
    ```

    #### References

    - Radford, Metz, Chintala, 2016. Unsupervised Representation Learning with Deep
      Convolutional Generative Adversarial Networks.
    - Salimans et al., 2016. Improved Techniques for Training GANs.
    - Miyato, Koyama, 2018. cGANs with Projection Discriminator.
    """

    def __init__(
        self,
        image_shape,
        latent_dim=100,
        filters=64,
        architecture="radford",
        synchronized_batch_norm=False,
        normalization="batch",
        reference_size=64,
        **kwargs,
    ):
        image_shape = tuple(int(d) for d in image_shape)
        num_classes = kwargs.get("num_classes")
        if architecture not in ARCHITECTURES:
            raise ValueError(f"architecture must be one of {ARCHITECTURES}; got {architecture!r}.")
        if normalization not in NORMALIZATIONS:
            raise ValueError(
                f"normalization must be one of {NORMALIZATIONS}; got {normalization!r}."
            )
        if architecture == "kerasio":
            if synchronized_batch_norm or normalization != "batch":
                raise ValueError("the keras.io architecture has no batch normalization.")
            if num_classes is not None:
                raise ValueError("the keras.io architecture is unconditional (num_classes).")
            if image_shape != (28, 28, 1):
                raise ValueError(
                    f"the keras.io architecture is for (28, 28, 1); got {image_shape}."
                )
            generator, discriminator = (
                kerasio_generator(latent_dim),
                kerasio_discriminator(),
            )
            data_range = (0.0, 1.0)
        else:
            if (
                len(image_shape) != 3
                or image_shape[0] != image_shape[1]
                or not _upsamplings(image_shape[0])
            ):
                raise ValueError(
                    "image_shape must be (size, size, channels) with size = base * 2**n, "
                    f"base in 4..7 (e.g. 28, 32, 64); got {image_shape}."
                )
            virtual = normalization == "virtual"
            generator = radford_generator(
                image_shape,
                latent_dim,
                filters,
                synchronized_batch_norm,
                reference_size=reference_size if virtual else None,
                num_classes=num_classes,
            )
            if virtual:
                generator = ReferenceBatchGenerator(
                    generator,
                    latent_dim,
                    reference_size,
                    num_classes=num_classes,
                    seed=kwargs.get("seed"),
                    name="generator",
                )
            discriminator = radford_discriminator(
                image_shape, filters, synchronized_batch_norm, num_classes=num_classes
            )
            data_range = (-1.0, 1.0)
        kwargs.setdefault("data_range", data_range)
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        self.image_shape = image_shape
        self.filters = int(filters)
        self.architecture = architecture
        self.synchronized_batch_norm = bool(synchronized_batch_norm)
        self.normalization = normalization
        self.reference_size = int(reference_size)

    def get_config(self):
        config = super().get_config()
        del config["generator"], config["discriminator"]
        config.update(
            {
                "image_shape": list(self.image_shape),
                "filters": self.filters,
                "architecture": self.architecture,
                "synchronized_batch_norm": self.synchronized_batch_norm,
                "normalization": self.normalization,
                "reference_size": self.reference_size,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

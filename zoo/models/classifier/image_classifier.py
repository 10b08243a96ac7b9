"""A small convolutional image classifier, the feature extractor of "FD-FMNIST".

Inception features (Heusel et al. 2017) are made for 299×299 natural photographs; on 28×28
grayscale data a classifier trained on that data gives features that see what matters there
(the approach of Binkowski et al. 2018 for MNIST). `ImageClassifier` is that network: two
conv blocks, a 128-unit `features` layer, and a softmax head. The preset
`classifier_fashion_mnist` is trained on the Fashion-MNIST training split and is the
default feature extractor of `zoo.evaluation.sample_quality` for 28×28×1 images.

#### References
- Heusel, Ramsauer, Unterthiner, Nessler, Hochreiter, 2017. GANs Trained by a Two
  Time-Scale Update Rule Converge to a Local Nash Equilibrium.
- Binkowski, Sutherland, Arbel, Gretton, 2018. Demystifying MMD GANs.
"""

import keras
import tensorflow as tf

from zoo.checks import check_in_range, check_inner_shape
from zoo.distribute import MultiWorkerLogsFix

FEATURES_LAYER = "features"


@keras.saving.register_keras_serializable(package="zoo")
class ImageClassifier(MultiWorkerLogsFix, keras.Model):
    """Conv-conv-pool twice, a dense `features` layer, dropout and a softmax head.

    Args:
        input_shape: `(height, width, channels)` of images with values in [0, 1].
        num_classes: Number of classes.
        filters: Channels of the first block (doubled in the second).
        feature_dim: Width of the `features` layer used for sample-quality metrics.
        dropout: Dropout rate before the head.
        **kwargs: `keras.Model` arguments.

    #### Examples

    ```python
    images, labels = zoo.data.load_arrays("fashion_mnist")
    classifier = ImageClassifier((28, 28, 1))
    classifier.compile(optimizer="adam")   # sparse categorical cross-entropy by default
    classifier.fit(zoo.data.to_unit_interval(images), labels, epochs=3)
    features = classifier.features(zoo.data.to_unit_interval(images[:10]))  # [10, 128]
    ```
    """

    #: What `zoo.export` signs: see `zoo.models.base.GenerativeModel`, whose contract this
    #: discriminative model shares for these two methods.
    contract_methods = ("classify", "features")

    def __init__(
        self,
        input_shape,
        num_classes=10,
        filters=32,
        feature_dim=128,
        dropout=0.3,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.image_shape = tuple(int(d) for d in input_shape)
        self.data_shape = self.image_shape  # the input of `classify` and `features`
        self.num_classes = int(num_classes)
        self.filters = int(filters)
        self.feature_dim = int(feature_dim)
        self.dropout = float(dropout)
        conv = {"kernel_size": 3, "padding": "same", "activation": "relu"}
        self.body = keras.Sequential(
            [
                keras.Input(self.image_shape),
                keras.layers.Conv2D(filters, **conv),
                keras.layers.Conv2D(filters, **conv),
                keras.layers.MaxPooling2D(),
                keras.layers.Conv2D(2 * filters, **conv),
                keras.layers.Conv2D(2 * filters, **conv),
                keras.layers.MaxPooling2D(),
                keras.layers.Flatten(),
                keras.layers.Dense(feature_dim, activation="relu", name=FEATURES_LAYER),
            ],
            name="body",
        )
        self.head = keras.Sequential(
            [
                keras.Input((feature_dim,)),
                keras.layers.Dropout(dropout),
                keras.layers.Dense(num_classes, activation="softmax"),
            ],
            name="head",
        )
        self.build((None, *self.image_shape))

    def call(self, images, training=False):
        return self.head(self.body(images, training=training), training=training)

    def compile(self, optimizer="adam", loss="sparse_categorical_crossentropy", **kwargs):
        kwargs.setdefault("metrics", ["accuracy"])
        super().compile(optimizer=optimizer, loss=loss, **kwargs)

    def compile_from_config(self, config):
        self.compile(**keras.saving.deserialize_keras_object(config))
        self.optimizer.build(self.trainable_variables)

    def features(self, images):
        """The `features` layer's activations `[batch, feature_dim]` for images in [0, 1].

        Raises:
            ValueError: for another shape or values outside [0, 1].
        """
        check_inner_shape(images, self.image_shape, name="images")
        check_in_range(images, 0.0, 1.0, name="images")
        return self.body(images, training=False)

    def classify(self, images):
        """Class logits `[batch, num_classes]` (softmax gives `call`'s probabilities).

        Raises:
            ValueError: for another shape or values outside [0, 1].
        """
        output = self.head.layers[-1]
        return tf.matmul(self.features(images), output.kernel) + output.bias

    @property
    def feature_model(self):
        """The feature extractor as a `keras.Model` (images in [0, 1] -> features)."""
        return self.body

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "input_shape": list(self.image_shape),
                "num_classes": self.num_classes,
                "filters": self.filters,
                "feature_dim": self.feature_dim,
                "dropout": self.dropout,
            }
        )
        return config

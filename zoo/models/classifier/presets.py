"""Published presets of the classifier (declarations only: no TensorFlow import).

How each published preset is trained and how its card's metrics are measured, with their
tolerances, is its recipe: in `zoo.models.classifier.recipes`, beside this module (separate
because it needs Keras), which `zoo.recipes.get_recipe` imports on first need.
"""

from zoo.registry import register_model

register_model(
    "classifier_fashion_mnist",
    "zoo.models.classifier.image_classifier:ImageClassifier",
    {"input_shape": [28, 28, 1], "num_classes": 10, "filters": 32, "feature_dim": 128},
    family="classifier",
    paper=(
        "Heusel et al., 2017. GANs Trained by a Two Time-Scale Update Rule Converge to a "
        "Local Nash Equilibrium (the Fréchet distance), on the features of this classifier."
    ),
    dataset="Fashion-MNIST train (60,000 images in [0, 1]); accuracy on the 10,000 test images",
    description="Small CNN classifier; feature extractor of FD-FMNIST and KID-FMNIST.",
)

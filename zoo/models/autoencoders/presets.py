"""Published presets of the autoencoder family (declarations only: no TensorFlow import).

How each published preset is trained and how its card's metrics are measured, with their
tolerances, is its recipe: in `zoo.models.autoencoders.recipes`, beside this module
(separate because it needs Keras), which `zoo.recipes.get_recipe` imports on first need.
"""

from zoo.registry import register_model

register_model(
    "dae_fashion_mnist",
    "zoo.models.autoencoders.autoencoder:DenoisingAutoencoder",
    {
        "input_shape": [28, 28, 1],
        "hidden_units": [512, 64],
        "noise": "masking",
        "noise_level": 0.3,
        "loss": "cross_entropy",
    },
    family="autoencoder",
    paper=(
        "Vincent, Larochelle, Bengio and Manzagol (2008). Extracting and Composing Robust "
        "Features with Denoising Autoencoders. ICML 2008."
    ),
    dataset="Fashion-MNIST train (60,000 images), grey levels scaled to [0, 1]",
    description="Denoising autoencoder 784-512-64, 30% masking noise, cross-entropy loss",
)

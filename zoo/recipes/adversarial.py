"""Recipe of the adversarial preset `dcgan_fashion_mnist`.

Radford et al.'s training setup: both players Adam(2e-4, beta_1=0.5) (the `GAN.compile()`
default), images scaled to [-1, 1]; the card reports FD-FMNIST of 2,000 samples.
"""

from zoo.recipes import metrics
from zoo.recipes.recipe import SYMMETRIC, Recipe, register_recipe


def symmetric_to_images(samples):
    """Generator output in [-1, 1] -> images in [0, 1]."""
    return (samples + 1.0) / 2.0


register_recipe(
    Recipe(
        preset="dcgan_fashion_mnist",
        dataset="fashion_mnist",
        preprocessing=SYMMETRIC,
        optimizer=None,
        optimizer_description="the GAN default for both players: Adam(2e-4, beta_1=0.5); "
        "non-saturating loss, one discriminator step per generator step",
        batch_size=64,
        epochs=1,
        train_images=40_000,
        steps_per_execution=10,
        to_images=symmetric_to_images,
        metrics={
            "fd_fmnist": metrics.fd_fmnist(tolerance=2.0),
            "sampling_seconds_64": metrics.sampling_seconds(),
        },
    )
)

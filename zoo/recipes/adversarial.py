"""Recipe of the adversarial preset `dcgan_fashion_mnist`.

Radford et al.'s training setup: both players Adam(2e-4, beta_1=0.5) (the `GAN.compile()`
default), images scaled to [-1, 1]; the card reports FD-FMNIST of 2,000 samples.
Version 1 trained 1 epoch on the first 40,000 images (625 steps); version 2 trains 4
epochs on all 60,000 (3,752 steps); v2 was trained with TensorFlow's oneDNN kernels
switched on (`TF_ENABLE_ONEDNN_OPTS=1`, off in this TensorFlow build; it shortens the
DCGAN step, see benchmarks/RESULTS.md). The card records the variable as it was set.
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
        epochs=4,
        steps_per_execution=50,
        to_images=symmetric_to_images,
        metrics={
            "fd_fmnist": metrics.fd_fmnist(tolerance=2.0),
            "sampling_seconds_64": metrics.sampling_seconds(),
        },
    )
)

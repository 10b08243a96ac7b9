"""Recipes of the autoregressive presets.

`nade_fashion_mnist`, `made_fashion_mnist` and `pixelcnn_fashion_mnist`.

All three train with Adam(1e-3) on statically binarized Fashion-MNIST and report the exact
test NLL (`log_prob`) on the 10,000 test images and FD-FMNIST of their samples. All three
hold out the last 5,000 training images and train until their validation NLL stops
improving (or the 1.5-hour budget runs out), keeping the best epoch. Version 1 of the
PixelCNN saw only the first 12,000 images once; version 2 trains on all 55,000
non-held-out images.
"""

import keras

from zoo.recipes import metrics
from zoo.recipes.energy import flat_to_images
from zoo.recipes.recipe import STATIC_BINARY, STATIC_BINARY_FLAT, Recipe, register_recipe

EXACT = "exact (log_prob)"


def _exact_likelihood_recipe(preset, loss, nll_batch_size=1000, **settings):
    """The recipe all three share; `settings` are the `Recipe` fields that differ."""
    return register_recipe(
        Recipe(
            preset=preset,
            dataset="fashion_mnist",
            optimizer=lambda: keras.optimizers.Adam(1e-3),
            optimizer_description=f"Adam(1e-3), {loss}",
            validation_images=5000,
            budget_hours=1.5,
            metrics={
                "test_nll": metrics.negative_log_likelihood(
                    EXACT, tolerance=0.05, batch_size=nll_batch_size
                ),
                "fd_fmnist": metrics.fd_fmnist(tolerance=2.0),
                "fd_fmnist_binarized": metrics.fd_fmnist(tolerance=2.0, reference="binarized"),
                "sampling_seconds_64": metrics.sampling_seconds(),
            },
            **settings,
        )
    )


_exact_likelihood_recipe(
    "nade_fashion_mnist",
    "exact negative log-likelihood",
    preprocessing=STATIC_BINARY_FLAT,
    batch_size=100,
    epochs=200,
    patience=5,
    steps_per_execution=20,
    to_images=flat_to_images,
)
_exact_likelihood_recipe(
    "made_fashion_mnist",
    "sum of per-pixel cross-entropies",
    preprocessing=STATIC_BINARY_FLAT,
    batch_size=100,
    epochs=300,
    patience=10,
    steps_per_execution=20,
    to_images=flat_to_images,
)
_exact_likelihood_recipe(
    "pixelcnn_fashion_mnist",
    "exact negative log-likelihood",
    nll_batch_size=500,
    preprocessing=STATIC_BINARY,
    batch_size=64,
    epochs=200,
    patience=5,
    steps_per_execution=10,
    to_images=lambda samples: samples,
)

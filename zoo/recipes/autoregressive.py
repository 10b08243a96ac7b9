"""Recipes of the autoregressive presets.

`nade_fashion_mnist`, `made_fashion_mnist` and `pixelcnn_fashion_mnist`.

All three train with Adam on statically binarized Fashion-MNIST and report the exact test
NLL (`log_prob`) on the 10,000 test images and FD-FMNIST of their samples. All three
hold out the last 5,000 training images and train until their validation NLL stops
improving (or the budget runs out), keeping the best epoch. Version 1 of the PixelCNN saw
only the first 12,000 images once; version 2 trains on all 55,000 non-held-out images.
"""

import keras

from zoo.recipes import metrics
from zoo.recipes.energy import flat_to_images
from zoo.recipes.recipe import STATIC_BINARY, STATIC_BINARY_FLAT, Recipe, register_recipe

EXACT = "exact (log_prob)"

register_recipe(
    Recipe(
        preset="nade_fashion_mnist",
        dataset="fashion_mnist",
        preprocessing=STATIC_BINARY_FLAT,
        optimizer=lambda: keras.optimizers.Adam(1e-3),
        optimizer_description="Adam(1e-3), exact negative log-likelihood",
        batch_size=100,
        epochs=200,
        validation_images=5000,
        patience=5,
        budget_hours=1.5,
        steps_per_execution=20,
        to_images=flat_to_images,
        metrics={
            "test_nll": metrics.negative_log_likelihood(EXACT, tolerance=0.05),
            "fd_fmnist": metrics.fd_fmnist(tolerance=2.0),
            "fd_fmnist_binarized": metrics.fd_fmnist(tolerance=2.0, reference="binarized"),
            "sampling_seconds_64": metrics.sampling_seconds(),
        },
    )
)

register_recipe(
    Recipe(
        preset="made_fashion_mnist",
        dataset="fashion_mnist",
        preprocessing=STATIC_BINARY_FLAT,
        optimizer=lambda: keras.optimizers.Adam(1e-3),
        optimizer_description="Adam(1e-3), sum of per-pixel cross-entropies",
        batch_size=100,
        epochs=300,
        validation_images=5000,
        patience=10,
        budget_hours=1.5,
        steps_per_execution=20,
        to_images=flat_to_images,
        metrics={
            "test_nll": metrics.negative_log_likelihood(EXACT, tolerance=0.05),
            "fd_fmnist": metrics.fd_fmnist(tolerance=2.0),
            "fd_fmnist_binarized": metrics.fd_fmnist(tolerance=2.0, reference="binarized"),
            "sampling_seconds_64": metrics.sampling_seconds(),
        },
    )
)

register_recipe(
    Recipe(
        preset="pixelcnn_fashion_mnist",
        dataset="fashion_mnist",
        preprocessing=STATIC_BINARY,
        optimizer=lambda: keras.optimizers.Adam(1e-3),
        optimizer_description="Adam(1e-3), exact negative log-likelihood",
        batch_size=64,
        epochs=200,
        validation_images=5000,
        patience=5,
        budget_hours=1.5,
        steps_per_execution=10,
        to_images=lambda samples: samples,
        metrics={
            "test_nll": metrics.negative_log_likelihood(EXACT, tolerance=0.05, batch_size=500),
            "fd_fmnist": metrics.fd_fmnist(tolerance=2.0),
            "fd_fmnist_binarized": metrics.fd_fmnist(tolerance=2.0, reference="binarized"),
            "sampling_seconds_64": metrics.sampling_seconds(),
        },
    )
)

"""Recipes of the autoregressive presets.

They belong to the presets declared in `zoo.models.autoregressive.presets`, beside this
module; `zoo.recipes.get_recipe` imports this module on the first need of one of them.

`nade_fashion_mnist`, `made_fashion_mnist`, `pixelcnn_fashion_mnist` and
`pixelrnn_fashion_mnist`.

All four train with Adam(1e-3) on statically binarized Fashion-MNIST and report the exact
test NLL (`log_prob`) on the 10,000 test images and FD-FMNIST of their samples. All
hold out the last 5,000 training images and train until their validation NLL stops
improving or the budget runs out (1.5 hours; 1.25 for the PixelRNN), keeping the best
epoch. Version 1 of the PixelCNN saw only the first 12,000 images once; version 2 trains
on all 55,000 non-held-out images, and version 3 continues version 2 (`Recipe.starts_from`)
at Adam(3e-4) for 0.48 hours, so that both stages together stay within 2 hours.

`lstm_austen`, the character language model, trains on Jane Austen's novels
(`zoo.data.text.austen_windows`: windows of 256 characters, the validation part held out)
with teacher forcing and truncated BPTT over windows of 64 steps, Adam(2e-3) with the
gradient's global norm clipped at 1, until the validation loss (nats per character) has
not improved for 3 epochs or the budget runs out. Its card gives the exact test bits per
character beside interpolated Kneser-Ney 5- and 7-gram baselines measured on the same
windows, and samples. Batch 128 rather than the benchmark's 32 doubles the characters per
second on one core (measured in `benchmarks/RESULTS.md`, `lstm_austen` v1), so the budget
buys twice the epochs.
"""

import keras
import numpy as np

from zoo.recipes import metrics
from zoo.recipes.recipe import (
    STATIC_BINARY,
    STATIC_BINARY_FLAT,
    Preprocessing,
    Recipe,
    flat_to_images,
    register_recipe,
)

EXACT = "exact (log_prob)"


def _exact_likelihood_recipe(
    preset, loss, nll_batch_size=1000, budget_hours=1.5, learning_rate=1e-3, **settings
):
    """The recipe the image models share; `settings` are the `Recipe` fields that differ."""
    return register_recipe(
        Recipe(
            preset=preset,
            dataset="fashion_mnist",
            optimizer=lambda: keras.optimizers.Adam(learning_rate),
            optimizer_description=f"Adam({learning_rate:.0e}), {loss}".replace("e-0", "e-"),
            validation_images=5000,
            budget_hours=budget_hours,
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
    budget_hours=0.6,
    preprocessing=STATIC_BINARY_FLAT,
    batch_size=100,
    epochs=300,
    patience=10,
    steps_per_execution=20,
    to_images=flat_to_images,
)
#: What the two pixel models (images in, images out) share.
_PIXEL_MODEL_SETTINGS = {
    "nll_batch_size": 500,
    "preprocessing": STATIC_BINARY,
    "batch_size": 64,
    "epochs": 200,
    "patience": 5,
    "steps_per_execution": 10,
    "to_images": lambda samples: samples,
}
# Version 2 (Adam(1e-3), 1.5 h) stopped on its budget with the validation NLL still falling
# about a nat per epoch; version 3 continues it at a third of the learning rate for the
# rest of the 2 hours.
_exact_likelihood_recipe(
    "pixelcnn_fashion_mnist",
    "exact negative log-likelihood",
    starts_from=2,
    learning_rate=3e-4,
    budget_hours=0.48,
    **_PIXEL_MODEL_SETTINGS,
)
# A Row LSTM epoch takes 11-14 minutes on one core: the budget buys a few epochs (the card
# states how many).
_exact_likelihood_recipe(
    "pixelrnn_fashion_mnist",
    "exact negative log-likelihood",
    budget_hours=1.25,
    **_PIXEL_MODEL_SETTINGS,
)

AUSTEN_WINDOW = 256


def austen_split(split, data_dir=None):
    """The `lstm_austen` recipe's windows of a split, and no labels.

    `"train"` is the text's training and validation parts (the validation windows last,
    held out by `validation_images`), `"test"` its test part. `data_dir` is unused (the
    novels come from `zoo.data.text.austen_text`'s places).
    """
    from zoo.data import text

    windows = text.austen_windows("train+validation" if split == "train" else split, AUSTEN_WINDOW)
    return windows, None


def austen_to_text(samples):
    """Character ids `[n, T]` -> the n strings."""
    from zoo.data import text

    vocabulary = text.CharacterVocabulary(text.AUSTEN_SYMBOLS)
    return [vocabulary.decode(row) for row in np.asarray(samples)]


register_recipe(
    Recipe(
        preset="lstm_austen",
        dataset="austen",
        preprocessing=Preprocessing(
            f"character ids (zoo.data.text.AUSTEN_SYMBOLS) in non-overlapping windows of "
            f"{AUSTEN_WINDOW}",
            lambda windows, seed=None: windows,
        ),
        optimizer=lambda: keras.optimizers.Adam(2e-3, global_clipnorm=1.0),
        optimizer_description="Adam(2e-3, global_clipnorm=1.0); mean negative log-likelihood "
        "per character, teacher forcing, truncated BPTT over 4 windows of 64 steps per batch "
        "(state carried across them, reset at each batch)",
        batch_size=128,
        epochs=200,
        validation_images=786,
        patience=3,
        budget_hours=1.5,
        steps_per_execution=10,
        loader=austen_split,
        to_text=austen_to_text,
        licence="public domain (Jane Austen's novels); janeaustenr packaging MIT (Julia Silge)",
        notes="validation_images counts windows: the 786 windows of 256 characters of the "
        "text's validation part (the 5% after the training part)",
        metrics={
            "test_bits_per_character": metrics.bits_per_character(tolerance=0.005),
            "kneser_ney_5gram_test_bits_per_character": metrics.kneser_ney_bits_per_character(
                5, tolerance=0.005
            ),
            "kneser_ney_7gram_test_bits_per_character": metrics.kneser_ney_bits_per_character(
                7, tolerance=0.005
            ),
            "sampling_seconds_64": metrics.sampling_seconds(),
        },
    )
)

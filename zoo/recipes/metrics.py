"""Model-card metrics shared by the recipes, each a `Metric` built from the model's public API.

negative_log_likelihood(...)   -mean log_prob over the evaluation split (exact or estimated)
fd_fmnist(...)                 FD-FMNIST of model samples against the evaluation images
                               (grey levels, or binarized for models of binary images)
fd_floor(...)                  the same protocol on real training images: the best a model
                               can score
bits_per_character(...)        exact test bits per character of a language model
kneser_ney_bits_per_character(...)  the same protocol for a Kneser-Ney n-gram baseline
label_accuracy(...)            fraction of a conditional model's samples that
                               `classifier_fashion_mnist` assigns to their label
sampling_seconds(...)          wall time of `sample(64)` (reported, never compared)
"""

import math
import time

import numpy as np

from zoo.recipes.recipe import Metric

FD_NUM_SAMPLES = 2000
FD_SEED = 0


def mean_over_batches(function, x, batch_size):
    """Mean over the examples of `function(batch)` (a `[batch]` tensor), batch by batch."""
    total = 0.0
    for start in range(0, len(x), batch_size):
        total += float(np.sum(np.asarray(function(x[start : start + batch_size]))))
    return total / len(x)


def negative_log_likelihood(estimator, tolerance, batch_size=1000, log_prob=None, limit=None):
    """Test NLL in nats per image: `-mean(model.log_prob(x))` over the evaluation inputs.

    Args:
        estimator: How log p(x) is obtained, for the protocol (e.g. "exact").
        tolerance: Absolute tolerance in nats for `zoo eval`.
        batch_size: Examples per `log_prob` call.
        log_prob: Optional `(model, context, batch) -> [batch]` replacing `model.log_prob`
            (e.g. to pass the number of importance samples).
        limit: Score only the first `limit` evaluation images (expensive estimators).
    """
    images = f"the first {limit:,} images of" if limit else "all images of"

    def compute(model, context):
        x = context.inputs()[:limit] if limit else context.inputs()
        if log_prob is None:
            return -mean_over_batches(model.log_prob, x, batch_size)
        return -mean_over_batches(lambda batch: log_prob(model, context, batch), x, batch_size)

    return Metric(
        protocol=f"negative log-likelihood in nats per image, {estimator}, {images} the "
        "evaluation split, preprocessed as in training (lower is better)",
        compute=compute,
        tolerance=tolerance,
    )


#: How the reference test images of FD-FMNIST are prepared: models of grey levels are
#: compared with grey images, models of binarized images with the binarized test set (a
#: perfect binary model scores ~17 against grey images, ~1 against binarized ones).
FD_REFERENCES = {
    "grey": "the grey-level [0, 1] test images",
    "binarized": "the test images binarized at 0.5 (x / 255 > 0.5)",
}


def reference_images(raw_images, reference):
    """The FD-FMNIST reference `raw_images` (uint8) prepared as `reference` says, in [0, 1]."""
    if reference not in FD_REFERENCES:
        raise ValueError(f"reference must be one of {sorted(FD_REFERENCES)}; got {reference!r}.")
    images = raw_images.astype(np.float32) / 255.0
    return (images > 0.5).astype(np.float32) if reference == "binarized" else images


def fd_fmnist(
    tolerance,
    num_samples=FD_NUM_SAMPLES,
    seed=FD_SEED,
    batch_size=500,
    reference="grey",
    **sample_kwargs,
):
    """FD-FMNIST: Fréchet distance of `classifier_fashion_mnist` features, samples vs test.

    Args:
        tolerance: Absolute tolerance for `zoo eval`.
        num_samples: Number of model samples (`model.sample(batch_size, seed=(seed, i))`
            batch after batch).
        seed: Sampling seed.
        batch_size: Samples drawn per `sample` call.
        reference: `"grey"` (the test images as they are) or `"binarized"` (for models of
            binary images: the fair comparison, see `FD_REFERENCES`).
        **sample_kwargs: Extra arguments of `model.sample` (e.g. `burn_in`).
    """
    extra = ", ".join(f"{k}={v}" for k, v in sample_kwargs.items())
    if reference not in FD_REFERENCES:
        raise ValueError(f"reference must be one of {sorted(FD_REFERENCES)}; got {reference!r}.")
    described = FD_REFERENCES[reference]

    def compute(model, context):
        from zoo.evaluation.sample_quality import sample_quality

        samples = draw_images(model, context.recipe, num_samples, seed, batch_size, **sample_kwargs)
        return sample_quality(reference_images(context.raw_images(), reference), samples)["fd"]

    return Metric(
        protocol=f"FD-FMNIST: Fréchet distance between the 128-d features of the "
        f"classifier_fashion_mnist preset on {num_samples:,} model samples (seed {seed}"
        f"{', ' + extra if extra else ''}) and on {described} (float64; lower is better)",
        compute=compute,
        tolerance=tolerance,
        requires=("classifier_fashion_mnist",),
    )


def fd_floor(train_images, test_images, reference="grey", num_images=FD_NUM_SAMPLES, seed=FD_SEED):
    """FD-FMNIST of `num_images` real training images against the test images, same protocol.

    The floor of a reference: what a model that draws real images would score, the
    number to read each model's FD against.

    Args:
        train_images: uint8 training images `[N, 28, 28, 1]`.
        test_images: uint8 test images.
        reference: As in `fd_fmnist`; the training images are prepared the same way.
        num_images: Training images drawn (without replacement, `seed`).
        seed: Seed of the draw.

    Returns:
        The Fréchet distance (float).
    """
    from zoo.evaluation.sample_quality import sample_quality

    rows = np.random.default_rng(seed).choice(len(train_images), num_images, replace=False)
    real = reference_images(test_images, reference)
    return float(sample_quality(real, reference_images(train_images[rows], reference))["fd"])


def draw_images(model, recipe, num_samples, seed, batch_size=500, **sample_kwargs):
    """`num_samples` model samples as images in [0, 1] `[n, 28, 28, 1]`.

    Mapped by the recipe's `to_images`, drawn as `zoo.evaluation.sample_quality.draw_images`
    draws them.
    """
    from zoo.evaluation import sample_quality

    return sample_quality.draw_images(
        model, num_samples, seed, batch_size, recipe.to_images, **sample_kwargs
    )


def sampling_seconds(num_samples=64, **sample_kwargs):
    """Wall time of `model.sample(num_samples, seed=1)` after one warm-up call (compiled)."""

    def compute(model, context):
        model.sample(num_samples, seed=0, **sample_kwargs)
        start = time.perf_counter()
        np.asarray(model.sample(num_samples, seed=1, **sample_kwargs))
        return time.perf_counter() - start

    extra = ", ".join(f"{k}={v}" for k, v in sample_kwargs.items())
    return Metric(
        protocol=f"seconds to draw {num_samples} samples{' (' + extra + ')' if extra else ''} "
        "after a warm-up call, on 2 shared CPU cores (machine-dependent: not compared)",
        compute=compute,
        tolerance=None,
    )


def label_accuracy(tolerance, label=None, per_class=1000, seed=FD_SEED):
    """Fraction of a class-conditional model's samples classified as the class asked for.

    `per_class` samples of every class, classified by `classifier_fashion_mnist`
    (`zoo.evaluation.sample_quality.conditional_accuracy`); computed once per evaluation
    and shared by the overall metric and the per-class ones.

    Args:
        tolerance: Absolute tolerance for `zoo eval`.
        label: None for the accuracy over all classes; an integer class for that class's.
        per_class: Samples drawn per class.
        seed: Sampling seed.
    """

    def compute(model, context):
        from zoo.evaluation.sample_quality import conditional_accuracy
        from zoo.hub import load

        key = ("label_accuracy", per_class, seed)
        if key not in context.cache:
            context.cache[key] = conditional_accuracy(
                model,
                load("classifier_fashion_mnist"),
                model.num_classes,
                per_class=per_class,
                seed=seed,
                to_images=context.recipe.to_images,
            )
        overall, per_label = context.cache[key]
        return overall if label is None else per_label[label]

    which = "all classes" if label is None else f"class {label}"
    return Metric(
        protocol=f"fraction of {per_class:,} samples per class (seed {seed}, "
        f"`sample(n, condition=k)`) that classifier_fashion_mnist assigns to the class "
        f"they were drawn for; {which} (higher is better)",
        compute=compute,
        tolerance=tolerance,
        requires=("classifier_fashion_mnist",),
    )


def bits_per_character(tolerance, batch_size=100):
    """Exact bits per character of a language model on the evaluation windows.

    Each window is scored from the start symbol with a fresh state:
    `-sum(model.log_prob(windows)) / (num_windows * length) / ln 2`.

    Args:
        tolerance: Absolute tolerance for `zoo eval`.
        batch_size: Windows per `log_prob` call.
    """

    def compute(model, context):
        windows = context.inputs()
        nats = mean_over_batches(lambda batch: -model.log_prob(batch), windows, batch_size)
        return nats / windows.shape[1] / math.log(2.0)

    return Metric(
        protocol="bits per character, exact log p(x), on every non-overlapping window of the "
        "evaluation text, each scored from the start symbol with a fresh state (lower is "
        "better)",
        compute=compute,
        tolerance=tolerance,
    )


def kneser_ney_bits_per_character(order, tolerance):
    """Bits per character of an interpolated Kneser-Ney n-gram on the same windows.

    The baseline a language model's card shows beside it: `zoo.evaluation.KneserNeyNGram`
    of `order`, counted on the recipe's training windows (validation ones held out) and
    scored on each evaluation window with no history, as `bits_per_character` scores the
    model. The model is not used.

    Args:
        order: n of the n-gram.
        tolerance: Absolute tolerance for `zoo eval`.
    """

    def compute(model, context):
        from zoo.evaluation import KneserNeyNGram

        train = context.recipe.training_data(context.data_dir)
        ngram = KneserNeyNGram(order, model.vocab_size).fit(np.ravel(train))
        windows = context.inputs()
        nats = -sum(ngram.log_prob(window) for window in windows)
        return nats / windows.size / math.log(2.0)

    return Metric(
        protocol=f"bits per character of an interpolated Kneser-Ney {order}-gram "
        "(zoo.evaluation.KneserNeyNGram) counted on the training windows and scored on every "
        "evaluation window with no history, as the model is (a baseline; lower is better)",
        compute=compute,
        tolerance=tolerance,
    )

"""Sample quality from features: Fréchet distance (FD / FID) and kernel inception distance.

Both compare the distribution of a feature extractor's activations on real and on
generated images. All arithmetic is float64 on the host: the matrix square root of the
Fréchet distance goes through symmetric SVDs (`sqrtm(Σ_r^½ Σ_g Σ_r^½)` of a positive
semi-definite matrix), which stays real and stable where `scipy.linalg.sqrtm(Σ_r Σ_g)` on
the non-symmetric product can return complex noise.

- `frechet_distance(real, generated)`: `‖μ_r - μ_g‖² + tr(Σ_r + Σ_g - 2 (Σ_r^½ Σ_g Σ_r^½)^½)`.
- `kernel_inception_distance(real, generated)`: unbiased MMD² with the cubic polynomial
  kernel `k(x, y) = (x·y / d + 1)³`, averaged over random subsets (mean and std).
- `sample_quality(real_images, generated_images, feature_model)`: both scores on the
  features of any Keras model, each with its protocol (sample counts, extractor, subsets).
- Feature extractors: `fashion_mnist_features()` (the `classifier_fashion_mnist` preset,
  "FD-FMNIST"), `inception_v3_features(weights)` (InceptionV3 pool features from a local
  weights file; no download).

Scores are only comparable under the same protocol: the same extractor, the same numbers
of real and generated images, the same real split. Every result dict says which.

#### References
- Heusel, Ramsauer, Unterthiner, Nessler, Hochreiter, 2017. GANs Trained by a Two
  Time-Scale Update Rule Converge to a Local Nash Equilibrium.
- Binkowski, Sutherland, Arbel, Gretton, 2018. Demystifying MMD GANs.
- Szegedy, Vanhoucke, Ioffe, Shlens, Wojna, 2016. Rethinking the Inception Architecture
  for Computer Vision.
"""

import keras
import numpy as np

from zoo.checks import check_in_range


def _features_2d(features, name):
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(
            f"{name} must have shape (num_examples >= 2, feature_dim); got {features.shape}."
        )
    return features


def _psd_sqrt(matrix):
    """Square root of a symmetric positive semi-definite matrix via its SVD."""
    u, s, _ = np.linalg.svd((matrix + matrix.T) / 2.0, hermitian=True)
    return (u * np.sqrt(s)) @ u.T


def frechet_distance_from_moments(mean_a, cov_a, mean_b, cov_b):
    """Fréchet distance between the Gaussians N(mean_a, cov_a) and N(mean_b, cov_b).

    Args:
        mean_a: Mean vector `[d]` of the first set.
        cov_a: Covariance matrix `[d, d]` of the first set (symmetric positive
            semi-definite).
        mean_b: Mean vector `[d]` of the second set.
        cov_b: Covariance matrix `[d, d]` of the second set.

    Returns:
        The squared 2-Wasserstein distance as a Python float (float64 arithmetic).
    """
    mean_a, mean_b = np.asarray(mean_a, np.float64), np.asarray(mean_b, np.float64)
    cov_a, cov_b = np.asarray(cov_a, np.float64), np.asarray(cov_b, np.float64)
    root_a = _psd_sqrt(cov_a)
    middle = root_a @ cov_b @ root_a
    trace_sqrt = np.sqrt(
        np.clip(np.linalg.svd(middle, compute_uv=False, hermitian=True), 0, None)
    ).sum()
    distance = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_sqrt
    return float(max(distance, 0.0))


def frechet_distance(real_features, generated_features):
    """Fréchet distance between Gaussians fitted to two feature sets.

    Args:
        real_features: `[n, d]` features of real images.
        generated_features: `[m, d]` features of generated images.

    Returns:
        FD as a Python float.

    Raises:
        ValueError: for inputs that are not `[num_examples >= 2, d]` with equal `d`.

    #### Examples

    ```python
    >>> x = np.random.default_rng(0).normal(size=(1000, 4))
    >>> round(frechet_distance(x, x + 1.0), 3)   # the mean shift: 4 * 1²
    4.0

    ```
    """
    real = _features_2d(real_features, "real_features")
    generated = _features_2d(generated_features, "generated_features")
    if real.shape[1] != generated.shape[1]:
        raise ValueError(f"feature sizes differ: {real.shape[1]} vs {generated.shape[1]}.")
    return frechet_distance_from_moments(
        real.mean(0),
        np.cov(real, rowvar=False),
        generated.mean(0),
        np.cov(generated, rowvar=False),
    )


def _unbiased_mmd2(x, y):
    d = x.shape[1]
    k_xx = (x @ x.T / d + 1.0) ** 3
    k_yy = (y @ y.T / d + 1.0) ** 3
    k_xy = (x @ y.T / d + 1.0) ** 3
    m, n = len(x), len(y)
    return (
        (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
        + (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
        - 2.0 * k_xy.mean()
    )


def kernel_inception_distance(
    real_features, generated_features, num_subsets=100, subset_size=1000, seed=0
):
    """Kernel (inception) distance: unbiased MMD² with `k(x, y) = (x·y/d + 1)³`.

    Args:
        real_features: `[n, d]` features of real images.
        generated_features: `[m, d]` features of generated images.
        num_subsets: Random subset pairs to average over.
        subset_size: Examples per subset (capped at `min(n, m)`).
        seed: Seed of the subset draws.

    Returns:
        `(mean, std)` over subsets, Python floats. Unbiased: can be slightly negative when
        the two distributions are equal.
    """
    real = _features_2d(real_features, "real_features")
    generated = _features_2d(generated_features, "generated_features")
    if real.shape[1] != generated.shape[1]:
        raise ValueError(f"feature sizes differ: {real.shape[1]} vs {generated.shape[1]}.")
    size = min(subset_size, len(real), len(generated))
    rng = np.random.default_rng(seed)
    values = [
        _unbiased_mmd2(
            real[rng.choice(len(real), size, replace=False)],
            generated[rng.choice(len(generated), size, replace=False)],
        )
        for _ in range(num_subsets)
    ]
    return float(np.mean(values)), float(np.std(values))


def extract_features(feature_model, images, batch_size=500):
    """Run `feature_model` over images in batches; float64 features `[n, d]`."""
    features = feature_model.predict(
        np.asarray(images, np.float32), batch_size=batch_size, verbose=0
    )
    return np.asarray(features, np.float64).reshape(len(images), -1)


def sample_quality(
    real_images,
    generated_images,
    feature_model=None,
    feature_name=None,
    kid_subsets=100,
    kid_subset_size=1000,
    batch_size=500,
    seed=0,
):
    """FD and KID between real and generated images, with the protocol that produced them.

    Args:
        real_images: Real images in [0, 1], `[n, h, w, c]`.
        generated_images: Generated images in [0, 1], same inner shape.
        feature_model: Keras model mapping images in [0, 1] to `[batch, d]` features;
            default `fashion_mnist_features()` (pretrained `classifier_fashion_mnist`).
        feature_name: Name of the extractor for the protocol (default the model's name,
            or `"classifier_fashion_mnist"` for the default).
        kid_subsets: Subsets averaged by KID.
        kid_subset_size: Examples per KID subset.
        batch_size: Feature-extraction batch size.
        seed: Seed of the KID subsets.

    Returns:
        `{"fd", "kid", "kid_std", "protocol": {"feature_extractor", "num_real",
        "num_generated", "kid_subsets", "kid_subset_size", "float": "float64"}}`.

    Raises:
        ValueError: for images outside [0, 1] or of different shapes (rescale first:
            a tanh generator's samples `s` become `(s + 1) / 2`).
    """
    real_images = np.asarray(real_images)
    generated_images = np.asarray(generated_images)
    if real_images.shape[1:] != generated_images.shape[1:]:
        raise ValueError(
            f"real and generated images differ in shape: {real_images.shape[1:]} vs "
            f"{generated_images.shape[1:]}."
        )
    check_in_range(real_images, 0.0, 1.0, name="real_images")
    check_in_range(generated_images, 0.0, 1.0, name="generated_images")
    if feature_model is None:
        feature_model = fashion_mnist_features()
        feature_name = feature_name or "classifier_fashion_mnist"
    real = extract_features(feature_model, real_images, batch_size)
    generated = extract_features(feature_model, generated_images, batch_size)
    kid, kid_std = kernel_inception_distance(real, generated, kid_subsets, kid_subset_size, seed)
    return {
        "fd": frechet_distance(real, generated),
        "kid": kid,
        "kid_std": kid_std,
        "protocol": {
            "feature_extractor": feature_name or feature_model.name,
            "feature_dim": int(real.shape[1]),
            "num_real": len(real),
            "num_generated": len(generated),
            "kid_subsets": int(kid_subsets),
            "kid_subset_size": int(min(kid_subset_size, len(real), len(generated))),
            "float": "float64",
        },
    }


def draw_images(model, num_samples, seed, batch_size=500, to_images=None, **sample_kwargs):
    """`num_samples` samples of `model` as a numpy array, drawn batch by batch.

    The batches use the seeds `(seed, 0)`, `(seed, 1)`, ..., so the same arguments give
    the same samples whatever calls them (model cards, `zoo sample`, a training monitor).

    Args:
        model: A model with `sample(n, seed=..., **sample_kwargs)`.
        num_samples: Number of samples.
        seed: Integer seed of the draws.
        batch_size: Samples per `sample` call.
        to_images: Optional `samples -> images in [0, 1]` applied to each batch.
        **sample_kwargs: Extra arguments of `model.sample` (e.g. `burn_in`, `mean`).
    """
    batches = []
    for index, start in enumerate(range(0, num_samples, batch_size)):
        count = min(batch_size, num_samples - start)
        samples = np.asarray(model.sample(count, seed=(seed, index), **sample_kwargs))
        batches.append(samples if to_images is None else np.asarray(to_images(samples)))
    return np.concatenate(batches)


#: Seeds of `conditional_accuracy`: class k draws its batches with the seeds
#: `(seed, k * CLASS_SEED_STRIDE + i)`, distinct across classes for any practical count.
CLASS_SEED_STRIDE = 1_000_003


def conditional_accuracy(
    model, classifier, num_classes, per_class=1000, seed=0, batch_size=500, to_images=None
):
    """How often a classifier assigns a conditional model's samples to the class asked for.

    Draws `per_class` samples of every class `k` (`model.sample(n, seed, condition=k)`,
    batch `i` of class `k` with the seed `(seed, k * CLASS_SEED_STRIDE + i)`) and
    classifies them: the usual check that a class-conditional generator respects its
    labels.

    Args:
        model: A class-conditional model with `sample(n, seed=..., condition=labels)`.
        classifier: Keras model mapping images to class probabilities or logits
            `[batch, num_classes]`.
        num_classes: Number of classes.
        per_class: Samples drawn per class.
        seed: Integer seed of the draws.
        batch_size: Samples per `sample` call.
        to_images: Optional `samples -> classifier inputs` (e.g. [-1, 1] -> [0, 1]).

    Returns:
        `(accuracy, per_class_accuracy)`: the overall fraction (float) and a float array
        `[num_classes]` of the fraction within each class.
    """
    per_class_accuracy = np.zeros(num_classes)
    for label in range(num_classes):
        correct = 0
        for index, start in enumerate(range(0, per_class, batch_size)):
            count = min(batch_size, per_class - start)
            samples = np.asarray(
                model.sample(
                    count,
                    seed=(seed, label * CLASS_SEED_STRIDE + index),
                    condition=np.full(count, label),
                )
            )
            images = samples if to_images is None else np.asarray(to_images(samples))
            scores = classifier.predict(images.astype(np.float32), batch_size=500, verbose=0)
            correct += int(np.sum(np.argmax(scores, -1) == label))
        per_class_accuracy[label] = correct / per_class
    return float(per_class_accuracy.mean()), per_class_accuracy


def fashion_mnist_features(pretrained=True):
    """The FD-FMNIST feature extractor: `classifier_fashion_mnist`'s 128-d `features` layer.

    Args:
        pretrained: Load the published weights (`zoo.load`); False gives random weights,
            useful only to test a pipeline.

    Returns:
        A `keras.Model` mapping `[batch, 28, 28, 1]` images in [0, 1] to `[batch, 128]`.
    """
    from zoo.hub import load

    return load("classifier_fashion_mnist", pretrained=pretrained).feature_model


def inception_v3_features(weights, input_shape=(28, 28, 1), image_size=299):
    """InceptionV3 pool features (2048-d) of images in [0, 1], from a local weights file.

    Images are resized (bilinear) to `image_size`, gray images repeated to 3 channels, and
    scaled to [-1, 1] as InceptionV3 expects. Nothing is downloaded: pass the path of the
    Keras "no top" InceptionV3 weights (`inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5`).
    Scores from these weights are comparable to other Keras-InceptionV3 FIDs, not exactly
    to the TF1 graph of the original FID code.

    Args:
        weights: Path to the weights file, or None for random weights (pipeline tests only).
        input_shape: Shape of one input image.
        image_size: Side the images are resized to (299 for the standard protocol; >= 75).

    Returns:
        A `keras.Model` mapping `[batch, *input_shape]` to `[batch, 2048]`.

    Raises:
        ValueError: if `weights` is a string that is not an existing file.
    """
    import pathlib

    if weights is not None and not pathlib.Path(weights).is_file():
        raise ValueError(
            f"InceptionV3 weights file not found: {weights}. This function never downloads; "
            "copy the Keras no-top InceptionV3 weights to this machine and pass their path."
        )
    inputs = keras.Input(tuple(input_shape))
    x = keras.layers.Resizing(image_size, image_size, interpolation="bilinear")(inputs)
    if input_shape[-1] == 1:
        x = keras.layers.Concatenate()([x, x, x])
    x = keras.layers.Rescaling(2.0, offset=-1.0)(x)
    backbone = keras.applications.InceptionV3(
        include_top=False,
        weights=None,
        input_shape=(image_size, image_size, 3),
        pooling="avg",
    )
    if weights is not None:
        backbone.load_weights(weights)
    return keras.Model(inputs, backbone(x), name="inception_v3_pool")

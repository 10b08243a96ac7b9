"""Fréchet distance, KID, feature extractors, mode coverage."""

import numpy as np
import pytest
import scipy.linalg
import tensorflow as tf
from support.model_contract import run_model_contract

import zoo
from zoo.data import toy
from zoo.evaluation import mode_coverage as coverage
from zoo.evaluation import sample_quality as sq
from zoo.models.classifier import ImageClassifier


def _random_cov(rng, d):
    a = rng.normal(size=(d, d))
    return a @ a.T + 0.1 * np.eye(d)


def test_frechet_distance_matches_scipy_sqrtm_formula():
    rng = np.random.default_rng(0)
    mu_a, mu_b = rng.normal(size=6), rng.normal(size=6)
    cov_a, cov_b = _random_cov(rng, 6), _random_cov(rng, 6)
    covmean = scipy.linalg.sqrtm(cov_a @ cov_b).real
    want = np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * covmean)
    got = sq.frechet_distance_from_moments(mu_a, cov_a, mu_b, cov_b)
    np.testing.assert_allclose(got, want, rtol=1e-8)


def test_frechet_distance_of_commuting_gaussians_and_identity():
    # Diagonal covariances: FD = |mu_a - mu_b|^2 + sum (sqrt(a) - sqrt(b))^2.
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 4.0, 1.0])
    got = sq.frechet_distance_from_moments(np.zeros(3), np.diag(a), np.ones(3), np.diag(b))
    np.testing.assert_allclose(got, 3.0 + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2), rtol=1e-10)
    x = np.random.default_rng(1).normal(size=(500, 8))
    assert sq.frechet_distance(x, x) == pytest.approx(0.0, abs=1e-8)
    # Singular covariances (fewer examples than dimensions) stay real and finite.
    few = np.random.default_rng(2).normal(size=(5, 20))
    assert np.isfinite(sq.frechet_distance(few, few + 0.5))


def test_kid_is_unbiased_mmd_with_cubic_kernel():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(30, 4)), rng.normal(0.5, 1.0, size=(40, 4))

    def k(a, b):
        return (a @ b / 4 + 1) ** 3

    want = (
        sum(k(x[i], x[j]) for i in range(30) for j in range(30) if i != j) / (30 * 29)
        + sum(k(y[i], y[j]) for i in range(40) for j in range(40) if i != j) / (40 * 39)
        - 2 * np.mean([k(a, b) for a in x for b in y])
    )
    np.testing.assert_allclose(sq._unbiased_mmd2(x, y), want, rtol=1e-10)
    same, _ = sq.kernel_inception_distance(
        rng.normal(size=(400, 4)),
        rng.normal(size=(400, 4)),
        num_subsets=20,
        subset_size=200,
    )
    shifted, _ = sq.kernel_inception_distance(
        rng.normal(size=(400, 4)),
        rng.normal(1.0, 1.0, size=(400, 4)),
        num_subsets=20,
        subset_size=200,
    )
    assert abs(same) < 0.05 < shifted


def test_sample_quality_records_protocol_and_checks_range():
    rng = np.random.default_rng(4)
    real = rng.uniform(size=(40, 28, 28, 1)).astype("float32")
    model = ImageClassifier((28, 28, 1), filters=4, feature_dim=8).feature_model
    result = sq.sample_quality(real, real[::-1], model, "tiny", kid_subsets=3, kid_subset_size=20)
    assert result["fd"] == pytest.approx(0.0, abs=1e-6)
    assert result["protocol"] == {
        "feature_extractor": "tiny",
        "feature_dim": 8,
        "num_real": 40,
        "num_generated": 40,
        "kid_subsets": 3,
        "kid_subset_size": 20,
        "float": "float64",
    }
    with pytest.raises(ValueError, match=r"\[0.0, 1.0\]"):
        sq.sample_quality(real, real * 2 - 1, model)


def test_inception_path_takes_local_weights_only(tmp_path):
    with pytest.raises(ValueError, match="never downloads"):
        sq.inception_v3_features(str(tmp_path / "missing.h5"))
    model = sq.inception_v3_features(None, input_shape=(28, 28, 1), image_size=75)
    assert model(np.zeros((2, 28, 28, 1), "float32")).shape == (2, 2048)


def test_classifier_contract_and_preset(tmp_path):
    rng = np.random.default_rng(5)
    images = rng.uniform(size=(16, 28, 28, 1)).astype("float32")
    labels = rng.integers(0, 10, size=16)

    def build():
        return ImageClassifier((28, 28, 1), filters=4, feature_dim=8)

    run_model_contract(
        build, tf.data.Dataset.from_tensor_slices((images, labels)).batch(8), tmp_path
    )
    assert "classifier_fashion_mnist" in zoo.list_models("classifier*")
    model = zoo.load("classifier_fashion_mnist", pretrained=False)
    assert model.features(images[:2]).shape == (2, 128)
    with pytest.raises(ValueError, match=r"\[0.0, 1.0\]"):
        model.features(images[:2] * 255)


def test_mode_coverage_protocol():
    ring = toy.ring_mixture()
    result = coverage.mode_coverage(ring.sample(2500, seed=0), ring)
    assert result["modes_covered"] == 8 and result["high_quality_fraction"] > 0.98
    # All mass on two modes, plus far-away junk: 2 modes covered, 3/4 high quality.
    points = np.concatenate([np.repeat(ring.centers[:2], 300, 0), np.full((200, 2), 9.0)])
    result = coverage.mode_coverage(points, ring)
    assert result["modes_covered"] == 2
    assert result["high_quality_fraction"] == pytest.approx(0.75)
    assert result["protocol"]["num_samples"] == 800
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        coverage.mode_coverage(np.zeros((3, 3)), ring)


def test_conditional_accuracy_counts_samples_classified_as_their_condition():
    """A fake generator that draws class k right for k < 5 and as k + 1 otherwise."""

    class OneHotGenerator:
        def sample(self, n, seed=None, condition=None):
            drawn = np.where(condition < 5, condition, (condition + 1) % 10)
            return np.eye(10, dtype=np.float32)[drawn] * 2.0 - 1.0  # in [-1, 1]

    class Identity:
        def predict(self, x, batch_size=None, verbose=0):
            assert x.min() >= 0.0  # to_images was applied
            return x

    overall, per_class = sq.conditional_accuracy(
        OneHotGenerator(),
        Identity(),
        10,
        per_class=7,
        batch_size=3,
        to_images=lambda s: (s + 1) / 2,
    )
    np.testing.assert_array_equal(per_class, [1.0] * 5 + [0.0] * 5)
    assert overall == 0.5

"""`zoo.evaluation.Estimate`: one result type for exact and estimated log-quantities."""

import warnings

import numpy as np
import pytest
import tensorflow as tf

import zoo.evaluation
from zoo.evaluation import Estimate, ais
from zoo.evaluation.ais import ais_schedule
from zoo.models import BernoulliRBM
from zoo.models.energy import BoltzmannMachine

DEPRECATED_ALIASES = {
    "log_z": "value",
    "log_z_standard_error": "standard_error",
    "log_z_lower": "lower",
    "log_z_upper": "upper",
}


def test_fields_and_the_exact_constructor():
    assert Estimate._fields == (
        "value",
        "standard_error",
        "method",
        "lower",
        "upper",
        "log_weights",
    )
    assert zoo.evaluation.Estimate is Estimate and "Estimate" in zoo.evaluation.__all__
    exact = Estimate.exact(np.float64(1.5))
    assert exact.method == "exact" and exact.log_weights is None
    assert exact.value.dtype == tf.float32 and exact.standard_error.dtype == tf.float32
    assert float(exact.value) == 1.5 and float(exact.standard_error) == 0.0
    assert float(exact.lower) == float(exact.upper) == 1.5


def test_from_log_weights_matches_numpy_and_does_not_overflow():
    rng = np.random.default_rng(0)
    log_w = rng.normal(size=50).astype(np.float32)
    for shift in (0.0, 1000.0):  # exp(1000) overflows float32; the estimate must not
        estimate = Estimate.from_log_weights(log_w + shift, method="is")
        w = np.exp(np.float64(log_w))
        mean, sigma = w.mean(), w.std() / np.sqrt(len(w))
        assert estimate.method == "is"
        np.testing.assert_allclose(estimate.value, shift + np.log(mean), rtol=1e-6)
        np.testing.assert_allclose(estimate.standard_error, sigma / mean, rtol=1e-4)
        np.testing.assert_allclose(estimate.lower, shift + np.log(mean - 3 * sigma), rtol=1e-5)
        np.testing.assert_allclose(estimate.upper, shift + np.log(mean + 3 * sigma), rtol=1e-5)
        np.testing.assert_array_equal(estimate.log_weights, log_w + shift)
    # One dominant weight: Z - 3 sigma <= 0, the lower end is -inf.
    spread = Estimate.from_log_weights([0.0, -30.0, -30.0], method="is")
    assert np.isneginf(float(spread.lower)) and np.isfinite(float(spread.upper))


def test_exact_and_ais_log_partition_both_return_an_estimate():
    x = (np.random.default_rng(0).random((40, 6)) < 0.3).astype(np.float32)
    rbm = BernoulliRBM(6, 3, seed=0)
    rbm.init_visible_bias(x)
    exact = rbm.log_partition("exact")
    estimate = rbm.log_partition("ais", num_chains=20, betas=ais_schedule(50), seed=0, data=x)
    assert isinstance(exact, Estimate) and isinstance(estimate, Estimate)
    assert (exact.method, estimate.method) == ("exact", "ais")
    assert float(exact.standard_error) == 0.0 and exact.log_weights is None
    assert float(estimate.standard_error) > 0.0 and estimate.log_weights.shape == (20,)
    # Near-zero weights: the base-rate start model is almost the model, so AIS is close.
    np.testing.assert_allclose(estimate.value, exact.value, atol=0.05)
    # Either result is cached for log_prob.
    np.testing.assert_allclose(rbm.log_z_cache, estimate.value)
    bm = BoltzmannMachine(3, 2)
    assert isinstance(bm.log_partition(), Estimate) and bm.log_partition().method == "exact"


@pytest.mark.parametrize(("old", "new"), sorted(DEPRECATED_ALIASES.items()))
def test_deprecated_aliases_warn_and_equal_the_new_fields(old, new):
    estimates = [
        Estimate.exact(2.0),
        Estimate.from_log_weights(np.random.default_rng(0).normal(size=8), method="is"),
    ]
    for estimate in estimates:
        with pytest.warns(DeprecationWarning, match=f"Estimate.{old}` is deprecated") as caught:
            aliased = getattr(estimate, old)
        assert caught[0].filename == __file__  # the warning points at the caller
        assert aliased is getattr(estimate, new)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(estimates[0], new)  # the new names do not warn


def test_ais_estimate_is_a_deprecated_alias_of_estimate():
    with pytest.warns(DeprecationWarning, match="AISEstimate` is deprecated"):
        assert ais.AISEstimate is Estimate
    with pytest.warns(DeprecationWarning, match="AISEstimate` is deprecated"):
        from zoo.evaluation.ais import AISEstimate  # noqa: F401
    with pytest.raises(AttributeError, match="no attribute 'Bogus'"):
        ais.Bogus  # noqa: B018


def test_arithmetic_on_an_estimate_fails_with_a_hint_to_use_value():
    estimate = Estimate.exact(1.0)
    for operation in (
        lambda: estimate - 1.0,
        lambda: 1.0 + estimate,
        lambda: 2 * estimate,  # a tuple would repeat silently
        lambda: estimate + estimate,  # ... or concatenate
        lambda: -estimate,
        lambda: float(estimate),
    ):
        with pytest.raises(TypeError, match=r"use its `\.value`"):
            operation()
    assert float(estimate.value - 1.0) == 0.0

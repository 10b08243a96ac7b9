"""BernoulliRBM and GaussianBernoulliRBM: contract, CD-k gradient, conditionals, log Z, AIS."""

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf
from scipy.special import logsumexp
from sklearn.datasets import load_digits
from support.model_contract import run_model_contract

from zoo.callbacks import LikelihoodMonitor
from zoo.evaluation import Estimate
from zoo.evaluation.ais import ais_schedule
from zoo.models import BernoulliRBM, GaussianBernoulliRBM
from zoo.models.energy import binary_enumeration
from zoo.models.energy import rbm as rbm_module

# Also run under the other oneDNN setting by .ci/run (CPU kernels differ in numerics).
pytestmark = pytest.mark.numerics


def _binary(n, d, seed=0):
    return (np.random.default_rng(seed).random((n, d)) < 0.4).astype("float32")


def _all_states(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)), np.float32)


def _randomize(rbm, scale=1.0, seed=0):
    """Weights large enough that the conditionals are far from 1/2."""
    rng = np.random.default_rng(seed)
    rbm.kernel.assign(scale * rng.normal(size=rbm.kernel.shape).astype("float32"))
    rbm.visible_bias.assign(scale * rng.normal(size=rbm.visible_bias.shape).astype("float32"))
    rbm.hidden_bias.assign(scale * rng.normal(size=rbm.hidden_bias.shape).astype("float32"))
    return rbm


def _bernoulli_energy(rbm, v, h):
    """E(v, h) = -b.v - c.h - h^T W^T v for every pair of rows, `[len(v), len(h)]`."""
    w, b, c = (np.asarray(t, np.float64) for t in (rbm.kernel, rbm.visible_bias, rbm.hidden_bias))
    return -(v @ b)[:, None] - (h @ c)[None, :] - v @ w @ h.T


@pytest.mark.parametrize("persistent", [False, True])
def test_bernoulli_contract(persistent, tmp_path):
    run_model_contract(
        lambda: BernoulliRBM(6, 4, cd_k=2, persistent=persistent, num_chains=5, seed=1),
        _binary(40, 6),
        tmp_path,
        compile_kwargs=lambda: {"optimizer": keras.optimizers.SGD(0.1)},
        sample_shape=(6,),
    )


def test_gaussian_contract(tmp_path):
    x = np.random.default_rng(0).normal(size=(40, 5)).astype("float32")
    run_model_contract(
        lambda: GaussianBernoulliRBM(5, 3, persistent=True, num_chains=4, learn_sigma=True, seed=1),
        x,
        tmp_path,
        compile_kwargs=dict,
        sample_shape=(5,),
    )


@pytest.mark.parametrize("persistent", [False, True])
def test_cd_update_is_gradient_of_free_energy_difference(persistent):
    """One SGD(lr=1) step moves the parameters by <v h>_data - <v h>_model (Hinton 2002)."""
    x = _binary(16, 7)
    model = BernoulliRBM(
        7, 5, cd_k=3, persistent=persistent, num_chains=9, weight_decay=0.0, seed=3
    )
    _randomize(model, 0.3)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0))
    before = {w.path: np.array(w) for w in model.weights}
    seed = tf.cast(model.seed_generator.state, tf.int32)
    clone = BernoulliRBM.from_config(model.get_config())
    for w in clone.weights:
        if w.path in before:
            w.assign(before[w.path])
    # The negative particles the step will use, drawn with the same seed by the same code.
    v_model = clone.negative_phase(x, clone.hidden_logits(x), seed)[0].numpy()
    assert not np.array_equal(v_model, x[: len(v_model)])

    model.train_on_batch(x)

    def stats(v):
        h = 1.0 / (1.0 + np.exp(-(v @ before[model.kernel.path] + before[model.hidden_bias.path])))
        return v.T @ h / len(v), v.mean(0), h.mean(0)

    data, negative = stats(x), stats(v_model)
    for variable, d, n in zip(
        (model.kernel, model.visible_bias, model.hidden_bias), data, negative, strict=True
    ):
        np.testing.assert_allclose(np.array(variable) - before[variable.path], d - n, atol=2e-5)
    if persistent:
        np.testing.assert_array_equal(np.array(model.persistent_chains), v_model)


def test_bernoulli_conditionals_and_free_energy_match_energy():
    rbm = _randomize(BernoulliRBM(4, 3))
    v, h = _all_states(4), _all_states(3)
    log_joint = -_bernoulli_energy(rbm, v, h)  # [16 v, 8 h]
    p_h_given_v = np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))
    np.testing.assert_allclose(rbm.encode(v).mean(), p_h_given_v @ h, atol=1e-5)
    p_v_given_h = np.exp(log_joint - logsumexp(log_joint, axis=0, keepdims=True))
    np.testing.assert_allclose(rbm.decode(h).mean(), p_v_given_h.T @ v, atol=1e-5)
    np.testing.assert_allclose(rbm.free_energy(v), -logsumexp(log_joint, axis=1), rtol=1e-5)


def test_gaussian_conditionals_and_log_partition():
    rbm = _randomize(GaussianBernoulliRBM(1, 3, learn_sigma=True), 0.7)
    rbm.log_sigma.assign([0.3])
    sigma = np.exp(0.3)
    w, b, c = (np.asarray(t, np.float64) for t in (rbm.kernel, rbm.visible_bias, rbm.hidden_bias))
    h = _all_states(3)
    grid = np.linspace(-30, 30, 200001)[:, None]

    def neg_energy(v):  # -E(v, h) for every (v, h) pair
        return -((v - b) ** 2).sum(1)[:, None] / (2 * sigma**2) + h @ c + (v / sigma) @ w @ h.T

    log_joint = neg_energy(grid)
    p_h_given_v = np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))
    probe = slice(95000, 105001, 2500)
    np.testing.assert_allclose(
        rbm.encode(grid[probe].astype("float32")).mean(), (p_h_given_v @ h)[probe], atol=1e-5
    )
    p_v_given_h = np.exp(log_joint - logsumexp(log_joint, axis=0, keepdims=True))
    np.testing.assert_allclose(rbm.decode(h).mean()[:, 0], (grid[:, 0] @ p_v_given_h), atol=1e-4)
    step = grid[1, 0] - grid[0, 0]
    np.testing.assert_allclose(
        rbm.log_partition("exact").value, logsumexp(log_joint) + np.log(step), atol=1e-4
    )


@pytest.mark.parametrize("n_visible, n_hidden", [(6, 3), (3, 6)])  # enumerate h, then v
def test_exact_log_partition_matches_brute_force(n_visible, n_hidden, monkeypatch):
    monkeypatch.setattr(binary_enumeration, "ENUMERATION_BUDGET", 12)  # several chunks
    rbm = _randomize(BernoulliRBM(n_visible, n_hidden))
    brute = logsumexp(-_bernoulli_energy(rbm, _all_states(n_visible), _all_states(n_hidden)))
    np.testing.assert_allclose(rbm.log_partition("exact").value, brute, rtol=1e-5)
    total = logsumexp(np.asarray(rbm.log_prob(_all_states(n_visible))))
    np.testing.assert_allclose(total, 0.0, atol=1e-4)


def test_exact_log_partition_refuses_large_layers():
    with pytest.raises(ValueError, match=r"2\^26 states of the hidden layer"):
        BernoulliRBM(30, 26).log_partition("exact")
    with pytest.raises(ValueError, match="ais"):
        BernoulliRBM(4, 2).log_partition("bogus")


def test_ais_matches_exact_on_rbm_trained_on_digits():
    """AIS (Salakhutdinov & Murray 2008) within 0.2 nats of exact, 20 hidden units, real data."""
    x = (load_digits().data / 16.0 > 0.5).astype("float32")
    rbm = BernoulliRBM(64, 20, seed=0)
    rbm.init_visible_bias(x)
    rbm.compile(steps_per_execution=30)
    rbm.fit(x, batch_size=30, epochs=15, verbose=0, shuffle=True)
    exact = float(rbm.log_partition("exact").value)
    estimate = rbm.log_partition("ais", num_chains=100, betas=ais_schedule(2000), seed=0, data=x)
    assert isinstance(estimate, Estimate) and estimate.method == "ais"
    assert abs(float(estimate.value) - exact) < 0.2, (float(estimate.value), exact)
    assert estimate.lower <= estimate.value <= estimate.upper
    # The standard error is sigma_hat / Z_hat, the spread's sigma: upper = log Z_hat (1 + 3 se).
    standard_error = float(estimate.standard_error)
    weights = np.exp(np.float64(estimate.log_weights) - float(estimate.value))
    np.testing.assert_allclose(standard_error, weights.std() / np.sqrt(100), rtol=1e-4)
    np.testing.assert_allclose(
        float(estimate.upper - estimate.value), np.log1p(3 * standard_error), rtol=1e-4
    )
    # Trained, the model is far from its base rate: the estimate is not trivially log Z_0.
    base = BernoulliRBM(64, 20)
    base.init_visible_bias(x)
    base.kernel.assign(tf.zeros_like(base.kernel))
    assert exact - float(base.log_partition("exact").value) > 5.0
    np.testing.assert_allclose(
        rbm.log_prob(x[:5]), -rbm.free_energy(x[:5]) - float(estimate.value), rtol=1e-6
    )


def test_gibbs_sampler_matches_exact_distribution():
    rbm = _randomize(BernoulliRBM(3, 2), 1.5)
    states = _all_states(3)
    exact = np.exp(np.asarray(rbm.log_prob(states)))
    samples = np.asarray(rbm.sample(4000, seed=0, burn_in=50))
    index = samples @ np.array([4, 2, 1])
    empirical = np.bincount(index.astype(int), minlength=8) / len(samples)
    # Each state is ordered 000, 001, ..., as _all_states; E|TV| <= sum sqrt(p / N) / 2.
    noise = 0.5 * np.sum(np.sqrt(exact * (1 - exact) / len(samples)))
    assert 0.5 * np.abs(empirical - exact).sum() < 2 * noise
    assert 0.5 * np.abs(np.full(8, 1 / 8) - exact).sum() > 4 * noise  # the test can fail


def test_sample_mean_is_the_last_steps_probabilities_of_the_same_chain():
    rbm = _randomize(BernoulliRBM(4, 4), 2.0)
    states = _all_states(4)
    exact = np.exp(np.asarray(rbm.log_prob(states)))
    draws = np.asarray(rbm.sample(4000, seed=0, burn_in=50))
    means = np.asarray(rbm.sample(4000, seed=0, burn_in=50, mean=True))
    assert means.shape == draws.shape and np.all((means > 0) & (means < 1))
    # Rao-Blackwell: at stationarity E[p(v_i = 1 | h)] is the exact marginal p(v_i = 1).
    np.testing.assert_allclose(means.mean(0), exact @ states, atol=0.02)
    # Same seed, same chain: each draw is a Bernoulli draw of its own mean, so the mean
    # squared gap is E[m (1 - m)] (independent chains would add 2 Var(m)).
    residual = (draws - means) ** 2 - means * (1 - means)
    error = 4 * residual.std() / np.sqrt(residual.size)
    other_chains = np.mean((draws - np.roll(means, 1, axis=0)) ** 2 - means * (1 - means))
    assert abs(residual.mean()) < error < abs(other_chains)
    with pytest.raises(ValueError, match="burn_in >= 1"):
        rbm.sample(2, seed=0, burn_in=0, mean=True)


def test_training_invalidates_cached_log_partition():
    rbm = BernoulliRBM(5, 3)
    rbm.log_partition("exact")
    assert np.isfinite(float(rbm.log_z_cache))
    rbm.compile()
    rbm.train_on_batch(_binary(8, 5))
    assert np.isnan(float(rbm.log_z_cache))
    big = BernoulliRBM(30, 21)
    with pytest.raises(RuntimeError, match="log_partition"):
        big.log_prob(_binary(2, 30))


def test_metrics_and_free_energy_gap():
    x = _binary(60, 8)
    rbm = BernoulliRBM(8, 4, seed=0)
    rbm.compile()
    gap = LikelihoodMonitor(x[40:], "free_energy_gap", training_data=x[:20])
    history = rbm.fit(x[:40], batch_size=10, epochs=2, verbose=0, callbacks=[gap])
    logs = {k: v[-1] for k, v in history.history.items()}
    assert set(logs) == {
        "free_energy",
        "reconstruction_error",
        "pseudo_likelihood",
        "free_energy_gap",
    }
    expected_gap = np.mean(rbm.free_energy(x[40:])) - np.mean(rbm.free_energy(x[:20]))
    np.testing.assert_allclose(logs["free_energy_gap"], expected_gap, rtol=1e-5)
    assert logs["pseudo_likelihood"] < 0 and 0 < logs["reconstruction_error"] < 1


def test_pseudo_likelihood_matches_conditionals():
    # Identical units: whichever unit the stochastic estimate flips, n * log p(v_i | v_-i)
    # equals the exact pseudo-log-likelihood sum_i log p(v_i | v_-i).
    rbm = BernoulliRBM(4, 3)
    row = np.random.default_rng(0).normal(size=(1, 3)).astype("float32")
    rbm.kernel.assign(np.repeat(row, 4, axis=0))
    rbm.visible_bias.assign(np.full(4, -0.3, np.float32))
    v = np.array([[0, 0, 0, 0], [1, 1, 1, 1]], np.float32)
    log_p = np.asarray(rbm.log_prob(v), np.float64)
    exact = np.zeros(len(v))
    for i in range(4):
        flipped = v.copy()
        flipped[:, i] = 1 - flipped[:, i]
        exact += log_p - np.logaddexp(log_p, np.asarray(rbm.log_prob(flipped)))
    np.testing.assert_allclose(rbm.pseudo_log_likelihood(v, seed=3), exact, rtol=1e-5)


def test_sparsity_penalty_pushes_hidden_activity_to_target():
    x = _binary(50, 10)
    for target in (0.05, 0.95):
        rbm = _randomize(
            BernoulliRBM(10, 6, weight_decay=0.0, sparsity_target=target, sparsity_cost=1.0), 0.5
        )
        with tf.GradientTape() as tape:
            logits = rbm.hidden_logits(x)
            penalty = rbm.penalty(logits)
        activity = np.mean(rbm.encode(x).mean(), axis=0)
        # A descent step on the hidden biases moves every unit's mean activity to the target.
        step = -np.asarray(tape.gradient(penalty, rbm.hidden_bias))
        np.testing.assert_array_equal(np.sign(step), np.sign(target - activity))
    assert float(BernoulliRBM(10, 6, weight_decay=0.0).penalty(logits)) == 0.0


def test_bad_input_raises_clear_errors():
    rbm = BernoulliRBM(4, 2)
    with pytest.raises(ValueError, match=r"\[0.0, 1.0\].*Bernoulli"):
        rbm.free_energy(np.full((2, 4), 2.0, np.float32))
    with pytest.raises(ValueError, match=r"\(batch, 4\)"):
        rbm.encode(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match="sparsity_target"):
        BernoulliRBM(4, 2, sparsity_target=1.5)


def test_init_visible_bias_is_data_log_odds():
    x = _binary(200, 6)
    rbm = BernoulliRBM(6, 2)
    rbm.init_visible_bias(x)
    np.testing.assert_allclose(
        1 / (1 + np.exp(-np.asarray(rbm.visible_bias))), x.mean(0), atol=1e-5
    )


def test_diverging_gaussian_rbm_stops_with_a_clear_error_before_the_update():
    x = np.random.default_rng(0).normal(scale=100.0, size=(64, 6)).astype("float32")
    rbm = GaussianBernoulliRBM(6, 4, seed=0)  # unstandardized data and a far too high lr
    # One step per execution, so that the callback sees the weights after every step.
    rbm.compile(optimizer=keras.optimizers.SGD(10.0), steps_per_execution=1)
    last_finite = None

    class Remember(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            nonlocal last_finite
            last_finite = [np.asarray(w) for w in rbm.trainable_weights]

    with pytest.raises(tf.errors.InvalidArgumentError, match="diverged.*standardize"):
        rbm.fit(x, batch_size=8, epochs=20, verbose=0, callbacks=[Remember()])
    assert last_finite is not None  # some steps ran before the loss overflowed
    for before, after in zip(last_finite, rbm.trainable_weights, strict=True):
        np.testing.assert_array_equal(before, after)  # the diverged step updated nothing
        assert np.all(np.isfinite(after))


@pytest.mark.parametrize(
    "model_class, cd_k, persistent",
    [
        (BernoulliRBM, 1, False),
        (BernoulliRBM, 2, False),
        (BernoulliRBM, 1, True),
        (GaussianBernoulliRBM, 1, False),
    ],
)
def test_default_execution_trains_like_one_step_per_execution(model_class, cd_k, persistent):
    """compile()'s many steps per execution change nothing but the dispatch: same updates."""
    x = _binary(60, 7, seed=4)
    trained = []
    for steps_per_execution in (None, 1):
        model = model_class(7, 5, cd_k=cd_k, persistent=persistent, num_chains=10, seed=2)
        model.compile(
            optimizer=keras.optimizers.SGD(0.1, momentum=0.5),
            steps_per_execution=steps_per_execution,
        )
        history = model.fit(x, batch_size=10, epochs=2, shuffle=False, verbose=0)
        trained.append(([np.asarray(w) for w in model.weights], history.history))
    assert trained[0][0][0].shape == (7, 5)
    assert np.abs(trained[0][0][0] - model_class(7, 5, seed=2).kernel.numpy()).max() > 1e-3
    for default, one_step in zip(trained[0][0], trained[1][0], strict=True):
        np.testing.assert_allclose(default, one_step, rtol=1e-5, atol=1e-6)
    for name, values in trained[1][1].items():
        np.testing.assert_allclose(trained[0][1][name], values, rtol=1e-5, atol=1e-6)


def test_compile_defaults_to_many_steps_per_execution():
    rbm = BernoulliRBM(4, 2)
    rbm.compile()
    assert rbm.steps_per_execution == rbm_module.DEFAULT_STEPS_PER_EXECUTION > 1
    rbm.compile(steps_per_execution=3)
    assert rbm.steps_per_execution == 3


@pytest.mark.parametrize("num_steps", [0, 1, 3, 6])
def test_training_chain_equals_the_compiled_gibbs_loop(num_steps):
    """The unrolled training chain draws the same states as `_run_chain` with the same seed."""
    rbm = _randomize(BernoulliRBM(7, 5), 0.5)
    v = _binary(9, 7, seed=1)
    seed = tf.constant([3, 4])
    np.testing.assert_array_equal(
        rbm._training_chain(tf.constant(v), num_steps, seed),
        rbm._run_chain(tf.constant(v), tf.constant(num_steps), seed),
    )


def test_compile_in_a_strategy_scope_keeps_one_step_per_execution():
    with tf.distribute.OneDeviceStrategy("/cpu:0").scope():
        rbm = BernoulliRBM(4, 2)
        rbm.compile()
    assert rbm.steps_per_execution == 1

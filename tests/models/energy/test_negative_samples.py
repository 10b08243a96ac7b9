"""`negative_samples=r`: the negative phase averaged over r consecutive chain states.

Started at the model distribution, every chain state is an exact sample, so the Monte-Carlo
negative statistics are unbiased and their error against the exact model expectation
(enumerated on a tiny model) must fall as r grows.
"""

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf
from scipy.special import expit, logsumexp

from zoo.models import (
    BernoulliRBM,
    BoltzmannMachine,
    GaussianBernoulliRBM,
    SoftmaxRBM,
)
from zoo.models.energy.markov_chain import consecutive_states


def _all_states(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)), np.float32)


def _mean_squared_errors(model, reset, estimate, exact, trials):
    """Mean over `trials` one-step updates of |estimate() - exact|^2, the model reset each time."""
    errors = []
    for _ in range(trials):
        reset()
        model.train_on_batch(model.data)
        errors.append(np.sum((estimate() - exact) ** 2))
    return float(np.mean(errors))


def test_rbm_negative_phase_error_falls_with_r():
    """4-3 BernoulliRBM, PCD chains drawn from the exact p(v): one SGD(lr=1) step moves W by
    <v h>_data - <v h>_model-estimate; the estimate's squared error falls as r grows."""
    rng = np.random.default_rng(0)
    kernel = rng.normal(size=(4, 3)).astype("float32")
    visible_bias = rng.normal(size=4).astype("float32")
    hidden_bias = rng.normal(size=3).astype("float32")
    v = _all_states(4)
    free_energy = -(v @ visible_bias) - np.logaddexp(0.0, v @ kernel + hidden_bias).sum(1)
    p = np.exp(-free_energy - logsumexp(-free_energy))
    exact = (v * p[:, None]).T @ expit(v @ kernel + hidden_bias)  # E_model[v h^T]
    x = v[rng.integers(0, 16, 8)]
    data_term = x.T @ expit(x @ kernel + hidden_bias) / len(x)
    chains = 20
    errors = {}
    for r in (1, 10, 50):
        rbm = BernoulliRBM(
            4, 3, persistent=True, num_chains=chains, negative_samples=r, weight_decay=0.0, seed=r
        )
        rbm.compile(optimizer=keras.optimizers.SGD(1.0))
        rbm.data = x

        def reset(rbm=rbm):
            rbm.kernel.assign(kernel)
            rbm.visible_bias.assign(visible_bias)
            rbm.hidden_bias.assign(hidden_bias)
            rbm.persistent_chains.assign(v[rng.choice(16, chains, p=p)])

        errors[r] = _mean_squared_errors(
            rbm, reset, lambda rbm=rbm: data_term - (np.asarray(rbm.kernel) - kernel), exact, 20
        )
    # Measured (20 trials): 0.026, 0.0038, 0.00069.
    assert errors[1] > 3 * errors[10] > 9 * errors[50], errors


def test_boltzmann_machine_negative_phase_error_falls_with_r():
    """3-2 BoltzmannMachine, persistent chains drawn from the exact joint p(v, h): the
    visible-bias update is mean(v_data) - E_model[v]-estimate (no positive-phase noise)."""
    rng = np.random.default_rng(1)
    bm = BoltzmannMachine(3, 2, num_chains=20, weight_decay=0.0)
    for variable in (bm.kernel, bm.visible_coupling_raw, bm.hidden_coupling_raw, bm.hidden_bias):
        variable.assign(rng.normal(size=variable.shape).astype("float32"))
    weights = {w.name: np.array(w) for w in bm.weights}
    s = _all_states(5)
    energy = np.asarray(bm.energy(s[:, :3], s[:, 3:]))
    p = np.exp(-energy - logsumexp(-energy))
    exact = p @ s[:, :3]  # E_model[v]
    x = s[rng.integers(0, 32, 8), :3]
    errors = {}
    for r in (1, 10, 50):
        model = BoltzmannMachine(3, 2, num_chains=20, negative_samples=r, weight_decay=0.0, seed=r)
        model.compile(optimizer=keras.optimizers.SGD(1.0))
        model.data = x

        def reset(model=model):
            for w in model.weights:
                if w.name in weights:
                    w.assign(weights[w.name])
            model.persistent_chains.assign(s[rng.choice(32, 20, p=p)])

        def estimate(model=model):
            step = np.asarray(model.visible_bias) - weights[model.visible_bias.name]
            return x.mean(0) - step

        errors[r] = _mean_squared_errors(model, reset, estimate, exact, 20)
    # Measured (20 trials): 0.043, 0.0063, 0.0012.
    assert errors[1] > 3 * errors[10] > 9 * errors[50], errors


def test_rbm_negative_samples_continue_the_same_chain():
    """The r states are one chain: the last block is the chain run r - 1 steps longer."""
    x = (np.random.default_rng(0).random((6, 5)) < 0.5).astype("float32")
    seed = tf.constant([3, 4])
    one = BernoulliRBM(5, 4, cd_k=2, seed=0)
    many = BernoulliRBM(5, 4, cd_k=2, negative_samples=4, seed=0)
    v_one = one.negative_phase(x, one.hidden_logits(x), seed)[0].numpy()
    v_many = many.negative_phase(x, many.hidden_logits(x), seed)[0].numpy()
    longer = BernoulliRBM(5, 4, cd_k=5, seed=0)
    v_longer = longer.negative_phase(x, longer.hidden_logits(x), seed)[0].numpy()
    assert v_many.shape == (4 * 6, 5)
    np.testing.assert_array_equal(v_many[:6], v_one)
    np.testing.assert_array_equal(v_many[-6:], v_longer)


def test_negative_samples_in_config_and_checked():
    for model in (
        BernoulliRBM(4, 3, negative_samples=3),
        GaussianBernoulliRBM(4, 3, negative_samples=3),
        SoftmaxRBM(4, 3, 2, negative_samples=3),
        BoltzmannMachine(4, 3, negative_samples=3),
    ):
        assert model.get_config()["negative_samples"] == 3
        assert type(model).from_config(model.get_config()).negative_samples == 3
    assert BernoulliRBM(4, 3).negative_samples == 1
    for build in (BernoulliRBM, BoltzmannMachine):
        with pytest.raises(ValueError, match="negative_samples must be at least 1"):
            build(4, 3, negative_samples=0)


@pytest.mark.parametrize("model", ["softmax", "gaussian_pcd"])
def test_averaged_negative_phase_trains(model):
    if model == "softmax":
        rbm = SoftmaxRBM(6, 3, 4, cd_k=2, negative_samples=3, seed=0)
        x = np.random.default_rng(0).integers(0, 4, size=(20, 6))
    else:
        rbm = GaussianBernoulliRBM(5, 3, persistent=True, num_chains=7, negative_samples=3, seed=0)
        x = np.random.default_rng(0).normal(size=(20, 5)).astype("float32")
    rbm.compile()
    logs = rbm.fit(x, batch_size=10, epochs=1, verbose=0).history
    assert all(np.isfinite(v[-1]) for v in logs.values()), logs
    if model == "gaussian_pcd":
        assert rbm.persistent_chains.shape == (7, 5)


def test_consecutive_states():
    def walk(x, seed):
        return x + tf.random.stateless_normal(tf.shape(x), seed)

    start = tf.zeros([2, 3])
    seed = tf.constant([1, 2])
    states, last = consecutive_states(walk, start, 4, seed, first_step=5)
    states = states.numpy()
    assert states.shape == (8, 3)
    np.testing.assert_array_equal(states[:2], 0.0)
    for t in range(3):  # block t + 1 is block t plus the noise of step 5 + t
        step_seed = tf.random.experimental.stateless_fold_in(seed, 5 + t)
        np.testing.assert_allclose(
            states[2 * t + 2 : 2 * t + 4], walk(states[2 * t : 2 * t + 2], step_seed), rtol=1e-6
        )
    np.testing.assert_array_equal(last.numpy(), states[-2:])
    same, same_last = consecutive_states(walk, start, 1, seed)
    assert same is start and same_last is start
    with pytest.raises(ValueError, match="num_states must be at least 1"):
        consecutive_states(walk, start, 0, seed)

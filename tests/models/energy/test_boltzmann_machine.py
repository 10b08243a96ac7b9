"""BoltzmannMachine: random-scan Gibbs samples the model; U = P = 0 is an RBM."""

import itertools

import keras
import numpy as np
import pytest
from scipy.special import logsumexp
from support.model_contract import run_model_contract

from zoo.models import BernoulliRBM, BoltzmannMachine


def _states(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)), np.float32)


def _randomize(bm, scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    for w in bm.trainable_weights:
        w.assign(scale * rng.normal(size=w.shape).astype("float32"))
    return bm


def _numpy_energy(bm, v, h):
    w = np.asarray(bm.kernel)
    u, p = np.asarray(bm.visible_coupling), np.asarray(bm.hidden_coupling)
    b, c = np.asarray(bm.visible_bias), np.asarray(bm.hidden_bias)
    return -(
        np.einsum("ni,ij,nj->n", v, w, h)
        + np.einsum("ni,ij,nj->n", v, u, v)
        + np.einsum("ni,ij,nj->n", h, p, h)
        + v @ b
        + h @ c
    )


def test_contract(tmp_path):
    x = (np.random.default_rng(0).random((30, 4)) < 0.5).astype("float32")
    run_model_contract(
        lambda: BoltzmannMachine(4, 2, num_chains=6, seed=0),
        x,
        tmp_path,
        compile_kwargs=dict,
        sample_shape=(4,),
    )


def test_exact_quantities_match_brute_force():
    bm = _randomize(BoltzmannMachine(3, 2))
    u = np.asarray(bm.visible_coupling)
    np.testing.assert_array_equal(u, u.T)
    np.testing.assert_array_equal(np.diag(u), 0.0)
    s = _states(5)
    v, h = s[:, :3], s[:, 3:]
    np.testing.assert_allclose(bm.energy(v, h), _numpy_energy(bm, v, h), rtol=1e-5)
    log_z = logsumexp(-_numpy_energy(bm, v, h))
    np.testing.assert_allclose(bm.log_partition().value, log_z, rtol=1e-5)
    np.testing.assert_allclose(logsumexp(np.asarray(bm.log_prob(_states(3)))), 0.0, atol=1e-5)


def test_long_random_scan_chain_matches_exact_distribution():
    bm = _randomize(BoltzmannMachine(3, 2), scale=1.0, seed=2)
    exact = np.exp(np.asarray(bm.log_prob(_states(3))))
    samples = np.asarray(bm.sample(4000, seed=0, burn_in=60))
    empirical = np.bincount((samples @ [4, 2, 1]).astype(int), minlength=8) / len(samples)
    noise = 0.5 * np.sum(np.sqrt(exact * (1 - exact) / len(samples)))  # >= E[TV] of exact draws
    tv = 0.5 * np.abs(empirical - exact).sum()
    assert tv < 2 * noise, (tv, noise)
    # The couplings matter: the same W, b, c without U and P is a clearly different model.
    rbm_like = BoltzmannMachine(3, 2)
    for name in ("kernel", "visible_bias", "hidden_bias"):
        getattr(rbm_like, name).assign(getattr(bm, name))
    other = np.exp(np.asarray(rbm_like.log_prob(_states(3))))
    assert 0.5 * np.abs(empirical - other).sum() > 4 * noise


def test_rbm_is_the_special_case_without_lateral_couplings():
    bm = _randomize(BoltzmannMachine(4, 3))
    bm.visible_coupling_raw.assign(np.zeros((4, 4), np.float32))
    bm.hidden_coupling_raw.assign(np.zeros((3, 3), np.float32))
    rbm = BernoulliRBM(4, 3)
    for name in ("kernel", "visible_bias", "hidden_bias"):
        getattr(rbm, name).assign(getattr(bm, name))
    np.testing.assert_allclose(
        bm.log_partition().value, rbm.log_partition("exact").value, rtol=1e-5
    )
    np.testing.assert_allclose(bm.log_prob(_states(4)), rbm.log_prob(_states(4)), atol=1e-5)


def test_training_increases_likelihood():
    rng = np.random.default_rng(0)
    prototypes = np.array([[1, 1, 0, 0], [0, 0, 1, 1]], np.float32)
    x = prototypes[rng.integers(0, 2, 200)]
    bm = BoltzmannMachine(4, 2, num_chains=50, seed=0)
    before = float(np.mean(bm.log_prob(x)))
    bm.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.5), steps_per_execution=20)
    bm.fit(x, batch_size=20, epochs=15, verbose=0)
    after = float(np.mean(bm.log_prob(x)))
    assert after > before + 1.0, (before, after)


def test_refuses_large_exact_computations():
    with pytest.raises(ValueError, match=r"2\^26"):
        BoltzmannMachine(20, 6).log_partition()
    with pytest.raises(ValueError, match=r"\[0.0, 1.0\]"):
        BoltzmannMachine(2, 1).log_prob(np.full((1, 2), 3.0, np.float32))


def test_exact_log_partition_on_12_units_is_chunked_and_matches_brute_force():
    bm = _randomize(BoltzmannMachine(7, 5), scale=0.5, seed=3)
    s = _states(12)
    brute = logsumexp(-_numpy_energy(bm, s[:, :7], s[:, 7:]))
    np.testing.assert_allclose(bm.log_partition().value, brute, rtol=1e-5)
    # 2^12 states in 128 chunks of 32: the same sum.
    np.testing.assert_allclose(bm.log_partition(chunk_size=32).value, brute, rtol=1e-5)
    visible = _states(7)
    chunked = np.asarray(bm.log_prob(visible, chunk_size=4))  # 8 chunks of hidden states
    np.testing.assert_allclose(chunked, np.asarray(bm.log_prob(visible)), atol=1e-5)
    np.testing.assert_allclose(logsumexp(chunked), 0.0, atol=1e-5)
    with pytest.raises(ValueError, match="chunk_size"):
        bm.log_partition(chunk_size=3)


@pytest.mark.parametrize("num_samples", [1, 2])
def test_sample_is_the_first_call_on_a_fresh_model(num_samples):
    # A batch of 1 used to change the random-scan loop variable's static shape.
    samples = BoltzmannMachine(3, 2, seed=0).sample(num_samples, seed=0, burn_in=2)
    assert samples.shape == (num_samples, 3)
    assert set(np.unique(samples)) <= {0.0, 1.0}

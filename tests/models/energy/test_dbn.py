"""DBN: contract, greedy pretraining, up-down fine-tuning, sampling, classifier."""

import itertools

import keras
import numpy as np
from scipy.special import logsumexp
from support.model_contract import run_model_contract

from zoo.models import DBN


def _binary(n, d, seed=0):
    return (np.random.default_rng(seed).random((n, d)) < 0.4).astype("float32")


def test_contract(tmp_path):
    run_model_contract(
        lambda: DBN([6, 5, 4, 3], seed=0), _binary(30, 6), tmp_path, sample_shape=(6,)
    )


def test_pretrain_fine_tune_and_classifier():
    x = _binary(60, 8)
    dbn = DBN([8, 6, 4], seed=0)
    histories = dbn.pretrain(x, epochs=2, batch_size=20)
    assert len(histories) == 2 and all("pseudo_likelihood" in h.history for h in histories)
    bottom = dbn.rbms[0]
    np.testing.assert_array_equal(dbn.generative_kernels[0], bottom.kernel)
    np.testing.assert_array_equal(dbn.generative_biases[0], bottom.visible_bias)

    # The classifier is the recognition pass plus a zero-initialized softmax layer.
    classifier = dbn.to_classifier(3)
    features = keras.Model(classifier.inputs[0], classifier.layers[-2].output)
    np.testing.assert_allclose(features(x), dbn.encode(x).mean(), rtol=1e-5)
    np.testing.assert_allclose(classifier(x), 1 / 3, rtol=1e-6)

    # Up-down trains recognition, generative and top-RBM weights, nothing else.
    before = {w.path: np.array(w) for w in dbn.trainable_weights}
    history = dbn.fine_tune(x, epochs=1, batch_size=20, verbose=0)
    assert set(history.history) == {
        "reconstruction_error",
        "top_free_energy",
        "sleep_recognition_loss",
    }
    changed = {
        path for path, value in before.items() if not np.array_equal(value, _by_path(dbn, path))
    }
    expected = {
        bottom.kernel.path,
        bottom.hidden_bias.path,  # recognition (sleep phase)
        dbn.generative_kernels[0].path,
        dbn.generative_biases[0].path,  # generative (wake phase)
        *(w.path for w in dbn.top_rbm.trainable_weights),  # top RBM (CD)
    }
    assert changed == expected
    assert not np.array_equal(dbn.generative_kernels[0], bottom.kernel)  # now untied


def _by_path(model, path):
    return next(np.array(w) for w in model.weights if w.path == path)


def test_sample_is_binary_and_seeded():
    dbn = DBN([8, 6, 4], seed=0)
    samples = np.asarray(dbn.sample(5, seed=1, burn_in=10))
    assert samples.shape == (5, 8) and set(np.unique(samples)) <= {0.0, 1.0}
    np.testing.assert_array_equal(samples, dbn.sample(5, seed=1, burn_in=10))


def test_sample_mean_gives_the_probabilities_the_draws_are_made_from():
    dbn = DBN([8, 6, 4], seed=0)
    for rbm in dbn.rbms:  # a random, not a zero, generative model
        rbm.kernel.assign(np.random.default_rng(1).normal(0, 1.5, rbm.kernel.shape))
    dbn.generative_kernels[0].assign(dbn.rbms[0].kernel)
    draws = np.asarray(dbn.sample(3000, seed=2, burn_in=5))
    means = np.asarray(dbn.sample(3000, seed=2, burn_in=5, mean=True))
    assert means.shape == (3000, 8) and np.all((means > 0) & (means < 1))
    # Same chain: E[(draw - m)^2] = E[m (1 - m)]; other chains would add 2 Var(m).
    residual = (draws - means) ** 2 - means * (1 - means)
    error = 4 * residual.std() / np.sqrt(residual.size)
    other_chains = np.mean((draws - np.roll(means, 1, axis=0)) ** 2 - means * (1 - means))
    assert abs(residual.mean()) < error < abs(other_chains)
    single = DBN([8, 6], seed=0)
    assert not np.all(np.isin(single.sample(4, seed=0, burn_in=3, mean=True), [0.0, 1.0]))


def _all_states(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)), np.float32)


def _log_bernoulli(x, logits):
    return np.sum(x * logits - np.logaddexp(0.0, logits), axis=-1)


def test_log_prob_lower_bound_against_brute_force():
    sizes = [5, 3, 3, 2]
    dbn = DBN(sizes, seed=0)
    rng = np.random.default_rng(0)
    for w in dbn.weights:
        if w.trainable:  # untied, random recognition and generative weights
            w.assign(rng.normal(scale=0.7, size=w.shape).astype("float32"))
    rbm = [
        {
            k: np.asarray(getattr(r, k), np.float64)
            for k in ("kernel", "visible_bias", "hidden_bias")
        }
        for r in dbn.rbms
    ]
    gen = [
        (np.asarray(k, np.float64), np.asarray(b, np.float64))
        for k, b in zip(dbn.generative_kernels, dbn.generative_biases, strict=True)
    ]
    top = rbm[-1]
    h1, h2, h3 = _all_states(3), _all_states(3), _all_states(2)
    top_neg_energy = (
        (h2 @ top["visible_bias"])[:, None]
        + (h3 @ top["hidden_bias"])[None]
        + h2 @ top["kernel"] @ h3.T
    )
    log_p_top = logsumexp(top_neg_energy, axis=1) - logsumexp(top_neg_energy)  # [h2]
    x = _binary(4, 5, seed=3)
    # log p(x, h1, h2) on the grid [x, h1, h2]; q(h1 | x) q(h2 | h1) on the same grid.
    log_joint = (
        _log_bernoulli(x[:, None, None], (h1 @ gen[0][0].T + gen[0][1])[None, :, None])
        + _log_bernoulli(h1[None, :, None], (h2 @ gen[1][0].T + gen[1][1])[None, None, :])
        + log_p_top[None, None, :]
    )
    log_q = _log_bernoulli(
        h1[None, :, None], (x @ rbm[0]["kernel"] + rbm[0]["hidden_bias"])[:, None, None]
    ) + _log_bernoulli(
        h2[None, None, :], (h1 @ rbm[1]["kernel"] + rbm[1]["hidden_bias"])[None, :, None]
    )
    exact = logsumexp(log_joint, axis=(1, 2))
    elbo = np.sum(np.exp(log_q) * (log_joint - log_q), axis=(1, 2))
    assert np.all(elbo < exact - 0.05)  # the test is not vacuous: q is far from the posterior

    dbn.top_rbm.log_partition("exact")
    repeats = np.asarray(
        dbn.log_prob_lower_bound(np.repeat(x, 400, axis=0), num_samples=1, seed=0)
    ).reshape(4, 400)  # 400 independent K = 1 draws per example: their mean is the ELBO
    np.testing.assert_allclose(repeats.mean(1), elbo, atol=4 * repeats.std(1).max() / 20)
    assert np.all(repeats.std(1) > 0.1)
    # The importance-weighted bound reaches log p(x) as K grows (the spread of one draw at
    # this K is about 0.02 nats here).
    tight = np.asarray(dbn.log_prob_lower_bound(x, num_samples=100_000, seed=0))
    np.testing.assert_allclose(tight, exact, atol=0.05)
    np.testing.assert_array_equal(
        dbn.log_prob_lower_bound(x, num_samples=3, seed=7),
        dbn.log_prob_lower_bound(x, num_samples=3, seed=7),
    )


def test_penultimate_features_are_the_up_pass_the_top_rbm_sees():
    dbn = DBN([6, 5, 4, 3], num_labels=2, seed=0)
    x = (np.random.default_rng(0).random((7, 6)) < 0.5).astype(np.float32)
    features = np.asarray(dbn.penultimate_features(x))
    assert features.shape == (7, 4) and np.all((features > 0) & (features < 1))
    np.testing.assert_allclose(dbn.classify(x), dbn.top_rbm.classify(features), rtol=1e-6)
    with np.testing.assert_raises_regex(ValueError, "x must have shape"):
        dbn.penultimate_features(np.zeros((2, 5), np.float32))

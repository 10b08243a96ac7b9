"""SoftmaxRBM: contract, the missing-rating mask (energy, gradient, Gibbs), predictions."""

import keras
import numpy as np
import pytest
from scipy.special import logsumexp, softmax
from support.model_contract import run_model_contract

from zoo.models import SoftmaxRBM


def _ratings(users=12, items=7, k=5, seed=0):
    rng = np.random.default_rng(seed)
    ratings = rng.integers(1, k + 1, size=(users, items))
    return np.where(rng.random((users, items)) < 0.5, ratings, 0).astype("int32")


def _randomize(rbm, seed=0):
    rng = np.random.default_rng(seed)
    for w in (rbm.kernel, rbm.visible_bias, rbm.hidden_bias):
        w.assign(rng.normal(size=w.shape).astype("float32"))
    return rbm


def test_contract(tmp_path):
    run_model_contract(
        lambda: SoftmaxRBM(7, 5, 4, cd_k=2, seed=0),
        _ratings(),
        tmp_path,
        compile_kwargs=lambda: {"optimizer": keras.optimizers.SGD(0.05)},
        sample_shape=(7,),
    )


def test_masked_entries_change_nothing():
    ratings = _ratings()
    mask = ratings > 0
    other = np.where(mask, ratings, 3)  # different values under the mask
    rbm = _randomize(SoftmaxRBM(7, 5, 4, seed=0))
    np.testing.assert_array_equal(rbm.free_energy(ratings), rbm.free_energy(other, mask))
    np.testing.assert_array_equal(rbm.encode(ratings).mean(), rbm.encode(other, mask).mean())
    np.testing.assert_array_equal(rbm.predict_ratings(ratings), rbm.predict_ratings(other, mask))
    assert not np.allclose(rbm.free_energy(other), rbm.free_energy(ratings))  # unmasked: it matters

    # The gradient: one CD step from identical models on the two inputs, same seeds.
    weights = []
    for data in ({"ratings": ratings, "mask": mask}, {"ratings": other, "mask": mask}):
        model = _randomize(SoftmaxRBM(7, 5, 4, cd_k=2, seed=0))
        model.compile(optimizer=keras.optimizers.SGD(0.1))
        model.fit(data, batch_size=4, epochs=1, verbose=0, shuffle=False)
        weights.append([np.asarray(w) for w in model.trainable_weights])
    for a, b in zip(*weights, strict=True):
        np.testing.assert_array_equal(a, b)
    # Items nobody rated get no update at all (besides weight decay).
    unrated = np.where(~mask.any(0))[0]
    for item in unrated:
        np.testing.assert_array_equal(weights[0][1][item], 0.0)


def test_gibbs_keeps_missing_items_missing():
    ratings = _ratings()
    rbm = _randomize(SoftmaxRBM(7, 5, 4))
    samples = np.asarray(rbm.sample(len(ratings), seed=0, burn_in=20, start=ratings))
    np.testing.assert_array_equal(samples > 0, ratings > 0)
    assert not np.array_equal(samples, ratings)
    full = np.asarray(rbm.sample(6, seed=1, burn_in=5))
    assert full.min() >= 1 and full.max() <= 5


def test_conditionals_match_energy():
    rbm = _randomize(SoftmaxRBM(2, 3, 2))
    w = np.asarray(rbm.kernel).reshape(2, 3, 2)
    b, c = np.asarray(rbm.visible_bias), np.asarray(rbm.hidden_bias)
    states = [(r0, r1) for r0 in range(4) for r1 in range(4)]  # 0 = missing
    hidden = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    for r in states:
        one_hot = np.zeros((2, 3))
        for item, value in enumerate(r):
            if value:
                one_hot[item, value - 1] = 1
        neg_energy = (
            np.einsum("ik,ikj,hj->h", one_hot, w, hidden) + (one_hot * b).sum() + hidden @ c
        )
        p_h = softmax(neg_energy)
        np.testing.assert_allclose(rbm.encode(np.array([r])).mean(), [p_h @ hidden], atol=1e-5)
        np.testing.assert_allclose(
            rbm.free_energy(np.array([r])), [-logsumexp(neg_energy)], rtol=1e-5
        )
    # p(V_i = k | h): expected rating of each item given h.
    expected = np.einsum(
        "hik,k->hi", softmax(np.einsum("ikj,hj->hik", w, hidden) + b, axis=-1), [1, 2, 3]
    )
    np.testing.assert_allclose(rbm.decode(hidden).mean(), expected, atol=1e-5)


def test_exact_prediction_is_the_free_energy_of_each_candidate_rating():
    ratings = _ratings(6, 7)
    rbm = _randomize(SoftmaxRBM(7, 5, 4))
    expected = np.zeros(ratings.shape)
    for user in range(len(ratings)):
        for item in range(7):
            candidates = np.repeat(ratings[user : user + 1], 5, axis=0)
            candidates[:, item] = np.arange(1, 6)  # v_q = k, other items as observed
            p = softmax(-np.asarray(rbm.free_energy(candidates), np.float64))
            expected[user, item] = p @ np.arange(1, 6)
    np.testing.assert_allclose(rbm.predict_ratings(ratings), expected, rtol=1e-4)
    mean_field = np.asarray(rbm.predict_ratings(ratings, method="mean_field"))
    assert not np.allclose(mean_field, expected, atol=1e-3)  # a different (approximate) rule
    with pytest.raises(ValueError, match="mean_field"):
        rbm.predict_ratings(ratings, method="gibbs")


def test_predictions_and_rmse_on_held_out_ratings():
    ratings = _ratings(40, 7)
    held_out = np.where(np.random.default_rng(1).random(ratings.shape) < 0.3, ratings, 0)
    train = ratings - held_out
    rbm = SoftmaxRBM(7, 5, 4, seed=0)
    rbm.init_visible_bias(train)
    predicted = np.asarray(rbm.predict_ratings(train))
    assert predicted.min() >= 1 and predicted.max() <= 5
    rbm.compile()
    logs = rbm.evaluate(train, held_out, batch_size=10, verbose=0, return_dict=True)
    expected = np.sqrt(np.mean((predicted - held_out)[held_out > 0] ** 2))
    np.testing.assert_allclose(logs["rmse"], expected, rtol=1e-5)


def test_bad_input_and_unsupported_options():
    rbm = SoftmaxRBM(7, 5, 4)
    with pytest.raises(ValueError, match=r"\[0, 5\]"):
        rbm.encode(np.full((2, 7), 6))
    with pytest.raises(ValueError, match=r"\(batch, 7\)"):
        rbm.encode(np.ones((2, 8), np.int32))
    with pytest.raises(ValueError, match="persistent"):
        SoftmaxRBM(7, 5, 4, persistent=True)
    with pytest.raises(NotImplementedError, match="partition"):
        rbm.log_partition()

"""Labels at the top: LabelledRBM and DBN(num_labels=K) against brute-force enumeration."""

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf
from scipy.special import logsumexp, softmax
from support.model_contract import check_condition_alias, run_model_contract

from zoo.models import DBN, LabelledRBM


def _states(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def _randomize(model, scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    for w in model.weights:
        if w.trainable:
            w.assign(rng.normal(scale=scale, size=w.shape).astype("float32"))
    return model


def _labelled_data(n=64, seed=0):
    """Two classes of 8-bit vectors: noisy copies (10% flips) of two prototypes."""
    rng = np.random.default_rng(seed)
    prototypes = np.array([[1, 1, 1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1]], np.float32)
    labels = rng.integers(0, 2, n)
    flips = rng.random((n, 8)) < 0.1
    return np.abs(prototypes[labels] - flips).astype("float32"), labels.astype("int32")


def _dataset(x, y, batch=16):
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch)


def _joint_neg_energy(rbm, features, labels_one_hot, hidden):
    """-E(x, y, h) on the grid [x/y rows, h rows] (float64)."""
    w, b, c = (np.asarray(t, np.float64) for t in (rbm.kernel, rbm.visible_bias, rbm.hidden_bias))
    v = np.concatenate([features, labels_one_hot], 1)
    return (v @ b)[:, None] + (hidden @ c)[None] + v @ w @ hidden.T


def test_labelled_rbm_contract(tmp_path):
    x, y = _labelled_data(32)
    run_model_contract(
        lambda: LabelledRBM(8, 2, 5, seed=0),
        _dataset(x, y),
        tmp_path,
        compile_kwargs=lambda: {"optimizer": keras.optimizers.SGD(0.1)},
        sample_shape=(10,),
    )


def test_labelled_rbm_free_energy_log_z_and_classifier_match_enumeration():
    rbm = _randomize(LabelledRBM(4, 3, 3))
    features, hidden, eye = _states(4), _states(3), np.eye(3)
    # Every joint configuration (x, y): rows x-major.
    all_x = np.repeat(features, 3, axis=0)
    all_y = np.tile(eye, (16, 1))
    neg_energy = _joint_neg_energy(rbm, all_x, all_y, hidden)
    free_energy = -logsumexp(neg_energy, axis=1)  # [48]
    np.testing.assert_allclose(
        rbm.free_energy(np.concatenate([all_x, all_y], 1)), free_energy, rtol=1e-5, atol=1e-5
    )
    log_z = logsumexp(-free_energy)
    np.testing.assert_allclose(rbm.log_partition("exact").value, log_z, rtol=1e-5)

    # p(y | x) and the features' marginal, the label summed out.
    per_x = -free_energy.reshape(16, 3)
    np.testing.assert_allclose(softmax(rbm.classify(features), 1), softmax(per_x, 1), atol=1e-5)
    np.testing.assert_allclose(
        rbm.feature_log_prob(features), logsumexp(per_x, axis=1) - log_z, atol=1e-4
    )
    np.testing.assert_allclose(logsumexp(rbm.feature_log_prob(features)), 0.0, atol=1e-4)

    # p(h | x) with the label summed out: sum_y p(y | x) p(h | x, y).
    joint = np.exp(neg_energy - logsumexp(neg_energy)).reshape(16, 3, 8)  # [x, y, h]
    posterior = joint.sum(1) / joint.sum((1, 2))[:, None]
    np.testing.assert_allclose(rbm.encode_features(features).mean(), posterior @ hidden, atol=1e-5)


def test_labelled_rbm_clamped_chain_samples_p_x_given_y():
    rbm = _randomize(LabelledRBM(3, 2, 2), scale=1.5, seed=1)
    features, hidden = _states(3), _states(2)
    for label in (0, 1):
        one_hot = np.tile(np.eye(2)[label], (8, 1))
        exact = np.exp(logsumexp(_joint_neg_energy(rbm, features, one_hot, hidden), axis=1))
        exact /= exact.sum()
        samples = np.asarray(rbm.sample(4000, seed=label, burn_in=30, condition=label))
        np.testing.assert_array_equal(samples[:, 3:], np.tile(np.eye(2)[label], (4000, 1)))
        codes = samples[:, :3] @ [4, 2, 1]  # the row index of each state in `features`
        empirical = np.bincount(codes.astype(int), minlength=8) / 4000
        np.testing.assert_allclose(empirical, exact, atol=0.03)


def test_labelled_rbm_bad_input():
    rbm = LabelledRBM(4, 3, 2)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\]"):
        rbm.join(np.zeros((2, 4)), [0, 3])
    with pytest.raises(ValueError, match=r"labels must have shape \(batch,\)"):
        rbm.one_hot_labels(np.zeros((2, 2), np.int32))
    with pytest.raises(ValueError, match=r"features must have shape \(batch, 4\)"):
        rbm.classify(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="num_labels"):
        LabelledRBM(4, 1, 2)


def test_labelled_dbn_contract_and_weights(tmp_path):
    x, y = _labelled_data(32)
    model, _history = run_model_contract(
        lambda: DBN([8, 6, 4], num_labels=2, seed=0),
        _dataset(x, y),
        tmp_path,
        compile_kwargs=lambda: {"optimizer": keras.optimizers.SGD(0.05)},
        sample_shape=(8,),
    )
    assert isinstance(model.top_rbm, LabelledRBM) and model.top_rbm.kernel.shape == (8, 4)
    logs = model.evaluate(_dataset(x, y), verbose=0, return_dict=True)
    assert 0.0 <= logs["classification_error"] <= 1.0
    # The unlabelled DBN keeps its weights exactly (published presets load unchanged);
    # this list is what the DBN had before labels existed.
    assert [(w.path, tuple(w.shape)) for w in DBN([8, 6, 4], name="dbn").weights] == [
        ("dbn/generative_kernel_0", (8, 6)),
        ("dbn/generative_bias_0", (8,)),
        ("rbm_0/kernel", (8, 6)),
        ("rbm_0/hidden_bias", (6,)),
        ("rbm_0/visible_bias", (8,)),
        ("rbm_0/persistent_chains", (0, 8)),
        ("rbm_0/log_z_cache", ()),
        ("rbm_1/kernel", (6, 4)),
        ("rbm_1/hidden_bias", (4,)),
        ("rbm_1/visible_bias", (6,)),
        ("rbm_1/persistent_chains", (0, 6)),
        ("rbm_1/log_z_cache", ()),
    ]


def test_labelled_dbn_classify_matches_brute_force():
    dbn = _randomize(DBN([6, 4, 3], num_labels=3, seed=0))
    x = (np.random.default_rng(2).random((5, 6)) < 0.5).astype("float32")
    w0, c0 = np.asarray(dbn.rbms[0].kernel, np.float64), np.asarray(dbn.rbms[0].hidden_bias)
    features = 1.0 / (1.0 + np.exp(-(x @ w0 + c0)))  # mean-field up-pass to the top RBM
    top = dbn.top_rbm
    log_p = np.stack(
        [
            logsumexp(
                _joint_neg_energy(top, features, np.tile(np.eye(3)[k], (5, 1)), _states(3)), axis=1
            )
            for k in range(3)
        ],
        axis=1,
    )  # [5, 3]: log sum_t exp(-E(h, y = k, t)) = -F(h, y = k)
    expected = softmax(log_p, axis=1)
    probabilities = softmax(np.asarray(dbn.classify(x)), axis=1)
    np.testing.assert_allclose(probabilities, expected, atol=1e-5)
    np.testing.assert_allclose(probabilities.sum(1), 1.0, atol=1e-6)
    np.testing.assert_allclose(dbn.predict(x, verbose=0), probabilities, atol=1e-6)
    assert not np.allclose(expected, expected.mean(0))  # the labels matter here


def test_labelled_dbn_clamped_sampling_and_errors():
    dbn = _randomize(DBN([6, 4, 3], num_labels=3, seed=0))
    samples = np.asarray(dbn.sample(4, seed=0, burn_in=10, condition=[0, 1, 2, 1]))
    assert samples.shape == (4, 6) and set(np.unique(samples)) <= {0.0, 1.0}
    np.testing.assert_array_equal(
        samples, dbn.sample(4, seed=0, burn_in=10, condition=[0, 1, 2, 1])
    )
    assert np.asarray(dbn.sample(3, seed=0, burn_in=5, condition=2)).shape == (3, 6)
    assert dbn.encode(samples).mean().shape == (4, 3)
    with pytest.raises(ValueError, match="labelled DBN"):
        DBN([6, 4, 3]).sample(2, condition=[0, 1])
    with pytest.raises(NotImplementedError, match="labelled DBN"):
        DBN([6, 4, 3]).classify(samples)
    with pytest.raises(ValueError, match="pass the integer class labels"):
        dbn.pretrain(samples, epochs=1)
    with pytest.raises(ValueError, match="at least three layers"):
        DBN([6, 4], num_labels=3)


def test_labels_is_a_deprecated_alias_of_condition():
    dbn = _randomize(DBN([6, 4, 3], num_labels=3, seed=0))
    labels = [0, 1, 2, 1]
    for name, model in [("DBN.sample", dbn), ("LabelledRBM.sample", dbn.top_rbm)]:
        check_condition_alias(
            name,
            lambda model=model, **kwargs: model.sample(4, seed=0, burn_in=10, **kwargs),
            labels,
        )


def test_labelled_dbn_learns_two_classes():
    x, y = _labelled_data(400, seed=0)
    x_test, y_test = _labelled_data(200, seed=1)
    dbn = DBN([8, 12, 16], num_labels=2, seed=0)
    dbn.pretrain(x, labels=y, epochs=20, batch_size=20)
    pretrained_error = np.mean(np.argmax(dbn.classify(x_test), 1) != y_test)
    history = dbn.fine_tune(x, labels=y, epochs=3, batch_size=20, verbose=0)
    assert set(history.history) == {
        "reconstruction_error",
        "top_free_energy",
        "sleep_recognition_loss",
    }
    error = np.mean(np.argmax(dbn.classify(x_test), 1) != y_test)
    assert pretrained_error < 0.1 and error < 0.1, (pretrained_error, error)
    # Clamped samples look like their class: most bits of the right prototype are on.
    samples = np.asarray(dbn.sample(200, seed=0, burn_in=200, condition=np.repeat([0, 1], 100)))
    assert samples[:100, :4].mean() > samples[:100, 4:].mean() + 0.3
    assert samples[100:, 4:].mean() > samples[100:, :4].mean() + 0.3


def test_to_classifier_of_a_labelled_dbn_takes_the_feature_rows_of_the_top_kernel():
    x = np.random.default_rng(0).integers(0, 2, (4, 6)).astype("float32")
    labelled = DBN([6, 5, 3], num_labels=2, seed=0)
    classifier = labelled.to_classifier(2)
    top = classifier.get_layer("dense_1")
    np.testing.assert_array_equal(top.kernel.numpy(), labelled.top_rbm.kernel.numpy()[:5])
    np.testing.assert_array_equal(top.bias.numpy(), labelled.top_rbm.hidden_bias.numpy())
    assert classifier.predict(x, verbose=0).shape == (4, 2)

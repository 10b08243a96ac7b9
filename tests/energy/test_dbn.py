"""DBN: contract, greedy pretraining, up-down fine-tuning, sampling, classifier."""

import keras
import numpy as np
from model_contract import run_model_contract

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
    np.testing.assert_allclose(features(x), dbn.encode(x), rtol=1e-5)
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

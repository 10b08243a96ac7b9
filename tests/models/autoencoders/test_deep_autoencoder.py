"""DeepAutoencoder: unrolled RBM stack = up-pass / down-pass at the start, then fine-tuning."""

import itertools

import keras
import numpy as np
import pytest
from support.model_contract import run_model_contract

from zoo.models import DBN, BernoulliRBM, DeepAutoencoder, LabelledRBM


def _binary(n, d, seed=0):
    return (np.random.default_rng(seed).random((n, d)) < 0.3).astype("float32")


def _random_stack(sizes, seed=0):
    rng = np.random.default_rng(seed)
    rbms = [BernoulliRBM(a, b) for a, b in itertools.pairwise(sizes)]
    for rbm in rbms:
        for w in (rbm.kernel, rbm.hidden_bias, rbm.visible_bias):
            w.assign(rng.normal(size=w.shape).astype("float32"))
    return rbms


def test_contract(tmp_path):
    model, history = run_model_contract(
        lambda: DeepAutoencoder((12,), [8, 5, 2], seed=0), _binary(32, 12), tmp_path
    )
    assert model.encoder.layers[-1].activation.__name__ == "linear"
    assert model.get_config()["code_activation"] is None
    assert {"loss", "reconstruction_loss"} <= set(history.history)


@pytest.mark.parametrize("code_activation", [None, "sigmoid"])
def test_unrolled_stack_is_the_up_and_down_pass(code_activation, tmp_path):
    rbms = _random_stack([12, 8, 5, 3])
    ae = DeepAutoencoder.from_rbm_stack(rbms, code_activation=code_activation)
    x = _binary(6, 12)
    # Encoder: the mean-field up-pass; a linear code is the top RBM's hidden input (logit).
    up = x
    for rbm in rbms:
        up = np.asarray(rbm.encode(up).mean())
    code = np.asarray(ae.encode(x))
    if code_activation is None:
        np.testing.assert_allclose(1.0 / (1.0 + np.exp(-code)), up, rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_allclose(code, up, rtol=1e-5, atol=1e-6)
    # Decoder: the mean-field down-pass with the transposed weights and visible biases.
    down = up
    for rbm in reversed(rbms):
        down = np.asarray(rbm.decode(down).mean())
    np.testing.assert_allclose(ae.decode(up), down, rtol=1e-5, atol=1e-6)

    # The decoder's weights are copies: training moves them apart from the encoder's.
    ae.compile(optimizer=keras.optimizers.SGD(0.5))
    ae.fit(_binary(64, 12, seed=1), epochs=1, batch_size=16, verbose=0)
    first_encoder = ae.encoder.layers[-3].kernel.numpy()
    last_decoder = ae.decoder.layers[-2].kernel.numpy()
    assert not np.allclose(first_encoder.T, last_decoder)

    path = tmp_path / "deep.keras"
    ae.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is DeepAutoencoder and loaded.code_activation == code_activation
    np.testing.assert_allclose(loaded.reconstruct(x), ae.reconstruct(x), rtol=1e-6)


def test_pretrained_stack_fine_tunes_to_lower_reconstruction_error():
    prototypes = _binary(4, 16, seed=3)
    rng = np.random.default_rng(0)
    x = np.abs(prototypes[rng.integers(0, 4, 256)] - (rng.random((256, 16)) < 0.05))
    x = x.astype("float32")
    dbn = DBN([16, 12, 2], seed=0)
    dbn.pretrain(x, epochs=4, batch_size=32, steps_per_execution=8)
    ae = dbn.to_autoencoder()
    ae.compile(optimizer=keras.optimizers.Adam(0.01), steps_per_execution=8)
    before = ae.evaluate(x, verbose=0, return_dict=True)["reconstruction_loss"]
    ae.fit(x, epochs=20, batch_size=32, verbose=0)
    after = ae.evaluate(x, verbose=0, return_dict=True)["reconstruction_loss"]
    assert after < 0.8 * before, (before, after)


def test_bad_stacks():
    with pytest.raises(ValueError, match="at least one RBM"):
        DeepAutoencoder.from_rbm_stack([])
    with pytest.raises(ValueError, match="must chain"):
        DeepAutoencoder.from_rbm_stack([BernoulliRBM(6, 4), BernoulliRBM(5, 2)])
    with pytest.raises(TypeError, match="BernoulliRBMs"):
        DeepAutoencoder.from_rbm_stack([BernoulliRBM(6, 4), LabelledRBM(4, 2, 3)])
    with pytest.raises(ValueError, match="input_shape"):
        DeepAutoencoder.from_rbm_stack([BernoulliRBM(6, 4)], input_shape=(7,))
    with pytest.raises(ValueError, match="labelled DBN"):
        DBN([6, 4, 3], num_labels=2).to_autoencoder()

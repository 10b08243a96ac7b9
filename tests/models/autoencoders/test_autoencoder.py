"""Tests of the autoencoders: PCA equivalence, denoising noise, contractive penalty, stacking."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from support.model_contract import run_model_contract

import zoo
from zoo.models import (
    Autoencoder,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
    StackedAutoencoder,
)


def images(n, shape=(6, 6, 1), seed=0):
    return np.random.default_rng(seed).random((n, *shape)).astype("float32")


@pytest.mark.parametrize(
    "build",
    [
        lambda: Autoencoder((6, 6, 1), [8, 3]),
        lambda: DenoisingAutoencoder((6, 6, 1), [8, 3], noise="gaussian", noise_level=0.1),
        lambda: ContractiveAutoencoder((6, 6, 1), [8, 3], contraction=0.5),
        lambda: StackedAutoencoder((6, 6, 1), [8, 3], loss="squared_error"),
    ],
    ids=["deep", "denoising", "contractive", "stacked"],
)
def test_autoencoder_contract(tmp_path, build):
    model, history = run_model_contract(build, images(32), tmp_path)
    assert {"loss", "reconstruction_loss"} <= set(history.history)
    assert model.encode(images(4)).shape == (4, 3)
    assert model.reconstruct(images(4)).shape == (4, 6, 6, 1)


def test_linear_autoencoder_spans_the_pca_subspace():
    rng = np.random.default_rng(0)
    directions = np.linalg.qr(rng.normal(size=(8, 2)))[0]
    x = rng.normal(size=(512, 2)) * [3.0, 1.5] @ directions.T + 0.1 * rng.normal(size=(512, 8))
    x = (x + 2.0).astype("float32")  # an offset the decoder's bias must absorb
    ae = Autoencoder((8,), [2], activation=None, linear_decoder=True, loss="squared_error")
    ae.compile(optimizer=keras.optimizers.Adam(0.02), steps_per_execution=100)
    batches = tf.data.Dataset.from_tensor_slices(x).shuffle(512, seed=0).batch(64).repeat()
    ae.fit(batches, steps_per_epoch=1200, epochs=1, verbose=0)

    centered = x - x.mean(axis=0)
    principal = np.linalg.svd(centered, full_matrices=False)[2][:2].T  # [8, 2]
    decoder_span = np.linalg.qr(ae.decoder.layers[0].kernel.numpy().T)[0]  # [8, 2]
    cosines = np.linalg.svd(principal.T @ decoder_span, compute_uv=False)
    assert cosines.min() > 0.99, cosines


def test_denoising_noise_is_fresh_every_batch_and_loss_is_against_clean_input():
    x = images(16)
    dae = DenoisingAutoencoder((6, 6, 1), [8, 3], noise="masking", noise_level=0.5, seed=3)
    first, second = dae.corrupt(x).numpy(), dae.corrupt(x).numpy()
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(dae.corrupt(x, seed=1), dae.corrupt(x, seed=1))
    dropped = first == 0
    assert 0.35 < dropped.mean() < 0.65
    np.testing.assert_array_equal(first[~dropped], x[~dropped])

    # With a zero learning rate the weights never move, so the batch losses differ only
    # through the noise: fresh per batch for the DAE, none for the plain autoencoder.
    def batch_losses(model):
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0))
        return [model.train_on_batch(x, return_dict=True)["loss"] for _ in range(3)]

    assert len(set(batch_losses(dae))) == 3
    assert len(set(batch_losses(Autoencoder((6, 6, 1), [8, 3])))) == 1

    # The loss compares the reconstruction of the corrupted input with the clean x.
    dae.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0))
    logs = dae.train_on_batch(x, return_dict=True)
    dae.seed_generator.state.assign(dae.seed_generator.state - [0, 1])  # replay the noise
    corrupted = dae.corrupt(x)
    expected = dae.reconstruction_error(x, dae.decoder(dae.encoder(corrupted)))
    np.testing.assert_allclose(logs["loss"], expected.numpy().mean(), rtol=1e-5)


@pytest.mark.parametrize("hidden_units", [[5], [7, 4]], ids=["closed_form", "autodiff"])
def test_contractive_penalty_is_the_squared_frobenius_norm_of_the_jacobian(hidden_units):
    x = tf.constant(images(4))
    cae = ContractiveAutoencoder((6, 6, 1), hidden_units, contraction=0.3)
    assert cae.jacobian == ("closed_form" if len(hidden_units) == 1 else "autodiff")
    with tf.GradientTape() as tape:
        tape.watch(x)
        codes = cae.encoder(x)
    expected = tf.reduce_sum(tf.square(tape.batch_jacobian(codes, x)), axis=[1, 2, 3, 4])
    np.testing.assert_allclose(cae.jacobian_norm(x), expected, rtol=1e-5)
    np.testing.assert_allclose(cae.penalty(x), 0.3 * expected.numpy(), rtol=1e-5)

    # The penalty trains the encoder: it has a gradient with respect to every weight.
    with tf.GradientTape() as tape:
        penalty = tf.reduce_mean(cae.penalty(x))
    gradients = tape.gradient(penalty, cae.encoder.trainable_variables)
    assert all(g is not None and np.abs(g.numpy()).sum() > 0 for g in gradients)


def test_stacked_pretraining_is_greedy_then_fine_tunes_end_to_end():
    x = (images(256, shape=(16,)) < 0.3).astype("float32")
    sae = StackedAutoencoder((16,), [8, 4], seed=0)
    first_pair, second_pair = sae.layer_pairs()
    assert (first_pair[0].units, first_pair[1].units) == (8, 16)
    assert (second_pair[0].units, second_pair[1].units) == (4, 8)
    sae.compile(optimizer="adam")
    untrained = sae.evaluate(x, verbose=0, return_dict=True)["reconstruction_loss"]

    snapshots = []  # first layer's kernel at the start and end of each layer's pretraining

    class RecordFirstLayer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            snapshots.append(first_pair[0].kernel.numpy().copy())

        def on_train_end(self, logs=None):
            snapshots.append(first_pair[0].kernel.numpy().copy())

    histories = sae.pretrain(x, epochs=8, batch_size=32, callbacks=[RecordFirstLayer()])
    assert len(histories) == 2
    for history in histories:
        assert history.history["loss"][-1] < history.history["loss"][0]
    # Layer 1 moved while it was pretrained, and stayed frozen while layer 2 was.
    assert not np.array_equal(snapshots[0], snapshots[1])
    np.testing.assert_array_equal(snapshots[2], snapshots[3])

    pretrained = sae.evaluate(x, verbose=0, return_dict=True)["reconstruction_loss"]
    assert pretrained < untrained
    sae.fit(x, epochs=3, batch_size=32, verbose=0)
    assert not np.array_equal(first_pair[0].kernel.numpy(), snapshots[-1])  # fine-tuned
    assert sae.evaluate(x, verbose=0, return_dict=True)["reconstruction_loss"] < pretrained


def test_bad_arguments_and_inputs_raise_clear_errors():
    ae = Autoencoder((6, 6, 1), [4])
    with pytest.raises(ValueError, match=r"shape \(batch, 6, 6, 1\)"):
        ae.encode(np.zeros((2, 36), "float32"))
    with pytest.raises(ValueError, match=r"\[0.0, 1.0\]"):
        ae.encode(np.full((2, 6, 6, 1), 2.0, "float32"))
    with pytest.raises(ValueError, match="loss must be one of"):
        Autoencoder((6, 6, 1), [4], loss="l1")
    with pytest.raises(ValueError, match="noise must be one of"):
        DenoisingAutoencoder((6, 6, 1), [4], noise="salt")
    with pytest.raises(ValueError, match="noise_level"):
        DenoisingAutoencoder((6, 6, 1), [4], noise="masking", noise_level=1.5)
    with pytest.raises(ValueError, match="contraction"):
        ContractiveAutoencoder((6, 6, 1), [4], contraction=-1.0)


def test_dae_preset_builds_untrained():
    model = zoo.load("dae_fashion_mnist", pretrained=False)
    assert isinstance(model, DenoisingAutoencoder)
    assert model.data_shape == (28, 28, 1) and model.latent_dim == 64

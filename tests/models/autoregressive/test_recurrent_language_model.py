"""RecurrentLanguageModel: normalisation, cached sampling, BPTT, IRNN init, contract, errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from support.model_contract import run_model_contract
from support.pixel_helpers import all_images, total_variation_to_model

from zoo.models import RecurrentLanguageModel

CELLS = ["rnn", "irnn", "lstm"]


def _tiny(cell, **kwargs):
    """A 3-symbol model with random (not near-uniform) weights."""
    model = RecurrentLanguageModel(
        3, cell=cell, units=4, num_layers=2, embedding_dim=3, sequence_length=3, **kwargs
    )
    rng = np.random.default_rng(1)
    for w in model.weights:
        w.assign(rng.normal(scale=0.8, size=w.shape).astype("float32"))
    return model


@pytest.mark.parametrize("cell", CELLS)
def test_probabilities_of_all_sequences_sum_to_one(cell):
    model = _tiny(cell)
    probs = np.exp(model.log_prob(all_images((3,), 3)).numpy().astype("float64"))
    np.testing.assert_allclose(probs.sum(), 1.0, rtol=1e-5)
    assert probs.max() > 2 * probs.min()  # not the uniform distribution


@pytest.mark.parametrize("cell", CELLS)
def test_cached_step_gives_the_full_sequence_logits(cell):
    model = _tiny(cell)
    x = np.random.default_rng(0).integers(0, 3, size=(5, 6))
    full = model(x).numpy()
    states, previous = model.initial_state(5), tf.fill([5], model.start_id)
    for t in range(6):
        logits, states = model.step(previous, states)
        np.testing.assert_allclose(logits.numpy(), full[:, t], atol=1e-5, err_msg=f"t={t}")
        previous = tf.constant(x[:, t], tf.int32)


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_samples_follow_the_model_distribution(cell):
    model = _tiny(cell)
    samples = model.sample(4000, length=2, seed=3)
    assert samples.dtype == tf.int32 and samples.shape == (4000, 2)
    assert total_variation_to_model(model, samples, (2,), levels=3) < 0.04


def test_temperature_sharpens_the_samples():
    model = _tiny("lstm")
    probs = np.exp(model.log_prob(all_images((2,), 3)).numpy())
    mode = np.argmax(probs)
    cold = np.asarray(model.sample(500, length=2, seed=0, temperature=0.05))
    assert np.mean(cold @ np.array([3, 1]) == mode) > 0.95
    with pytest.raises(ValueError, match="temperature must be positive"):
        model.sample(2, temperature=0.0)


@pytest.mark.parametrize("cell", CELLS)
def test_gradient_reaches_the_first_input_through_time(cell):
    model = _tiny(cell)
    x = tf.constant(np.random.default_rng(0).integers(0, 3, size=(4, 8)), tf.int32)
    embedded = model.embedding(model.shifted_inputs(x))
    with tf.GradientTape() as tape:
        tape.watch(embedded)
        logits, _ = model.run_from_embeddings(embedded, model.initial_state(4))
        last_step_loss = tf.reduce_sum(model.symbol_nll(logits, x)[:, -1])
    grad = tape.gradient(last_step_loss, embedded).numpy()
    assert np.all(np.abs(grad[:, 0]).sum(axis=-1) > 0), "no gradient from step 7 to step 0"


def test_truncated_bptt_updates_once_per_window_and_carries_the_state():
    x = np.random.default_rng(0).integers(0, 3, size=(8, 10))
    full, windows = _tiny("rnn"), _tiny("rnn", bptt_window=4)
    for model in (full, windows):
        model.compile(optimizer=keras.optimizers.SGD(0.0))  # measure, do not move
    logs = [m.fit(x, batch_size=4, epochs=1, verbose=0).history for m in (full, windows)]
    assert int(full.optimizer.iterations) == 2  # one update per batch
    assert int(windows.optimizer.iterations) == 2 * 3  # windows 0-3, 4-7, 8-9
    # The state is carried across windows: the same NLL as without truncation.
    np.testing.assert_allclose(logs[0]["loss"], logs[1]["loss"], rtol=1e-5)
    expected = -full.log_prob(x).numpy().mean() / 10
    np.testing.assert_allclose(logs[0]["loss"][0], expected, rtol=1e-5)
    np.testing.assert_allclose(logs[0]["bits_per_character"][0], expected / np.log(2), rtol=1e-5)
    batches = tf.data.Dataset.from_tensor_slices(x).batch(4)  # tf.data: the same windows
    windows.fit(batches, epochs=1, verbose=0)
    assert int(windows.optimizer.iterations) == 2 * 2 * 3


def test_irnn_starts_from_identity_recurrence():
    model = RecurrentLanguageModel(5, cell="irnn", units=6)
    cell = model.recurrent[0].cell
    np.testing.assert_array_equal(cell.recurrent_kernel.numpy(), np.eye(6))
    np.testing.assert_array_equal(cell.bias.numpy(), np.zeros(6))
    assert np.abs(cell.kernel.numpy()).max() < 0.01
    assert cell.activation is keras.activations.relu


@pytest.mark.parametrize("cell", CELLS)
def test_recurrent_language_model_contract(tmp_path, cell):
    x = np.random.default_rng(0).integers(0, 4, size=(16, 6))
    run_model_contract(
        lambda: RecurrentLanguageModel(
            4, cell=cell, units=4, sequence_length=5, bptt_window=3, embedding_dim=2
        ),
        x,
        tmp_path,
        sample_shape=(5,),
    )


def test_bad_input_raises_clear_errors():
    model = RecurrentLanguageModel(3, units=4)
    with pytest.raises(ValueError, match=r"token ids.*\[0, 2\]|\[0, 2\].*token ids"):
        model.log_prob(np.array([[0, 1, 3]]))
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        model.log_prob(np.array([[-1, 1, 2]]))
    with pytest.raises(ValueError, match="integer token ids"):
        model.log_prob(np.array([[0.5, 1.0]], "float32"))
    with pytest.raises(ValueError, match=r"shape \(batch, \?\)"):
        model.log_prob(np.zeros([2, 3, 1], "int32"))
    with pytest.raises(ValueError, match="cell must be one of"):
        RecurrentLanguageModel(3, cell="gru")
    with pytest.raises(ValueError, match="bptt_window"):
        RecurrentLanguageModel(3, bptt_window=0)

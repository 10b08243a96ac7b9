"""NADE and MADE: normalisation, autoregressive structure per mask, sampling, ensembles."""

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf
from support.model_contract import run_model_contract

from zoo.models.autoregressive import MADE, NADE, nade

# Also run under the other oneDNN setting by .ci/run (CPU kernels differ in numerics).
pytestmark = pytest.mark.numerics

D = 5
ALL_BINARY = np.array(list(itertools.product([0.0, 1.0], repeat=D)), dtype="float32")


def made_variants():
    return {
        "natural": MADE(D, [8]),
        "random_orders_direct": MADE(
            D, [8, 8], num_masks=3, order="random", direct_connections=True, seed=1
        ),
        "conditional": MADE(D, [8], num_masks=2, conditional_dim=3),
    }


def condition_for(model, n, seed=0):
    if not model.is_conditional:
        return {}
    return {"condition": np.random.default_rng(seed).normal(size=[n, 3]).astype("float32")}


def sharpen(model, scale=3.0):
    """Scale the weights so an untrained model is far from uniform."""
    for w in model.trainable_weights:
        w.assign(w * scale + tf.random.stateless_normal(w.shape, [1, 2], stddev=0.3))


@pytest.fixture
def nade_in_blocks_of_two(monkeypatch):
    """D = 5 in blocks of 2: three blocks, the last one padded."""
    monkeypatch.setattr(nade, "BLOCK_SIZE", 2)


@pytest.mark.parametrize("name", ["nade", *made_variants()])
def test_probabilities_of_all_configurations_sum_to_one(name, nade_in_blocks_of_two):
    model = NADE(D, 7) if name == "nade" else made_variants()[name]
    sharpen(model)
    condition = condition_for(model, 1)
    kwargs = {k: np.repeat(v, len(ALL_BINARY), 0) for k, v in condition.items()}
    total = np.exp(model.log_prob(ALL_BINARY, **kwargs)).sum()
    np.testing.assert_allclose(total, 1.0, rtol=1e-5)
    if name != "nade":
        members = np.exp(model.member_log_probs(ALL_BINARY, **kwargs)).sum(axis=1)
        np.testing.assert_allclose(members, np.ones(model.num_masks), rtol=1e-5)


def jacobian_of_logits(model, x, **kwargs):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = model(x, **kwargs)
    return tape.batch_jacobian(logits, x).numpy()  # [batch, out i, in j]


@pytest.mark.parametrize("name", ["nade", *made_variants()])
def test_output_i_ignores_inputs_at_and_after_i_for_every_mask(name, nade_in_blocks_of_two):
    model = NADE(D, 7) if name == "nade" else made_variants()[name]
    x = np.random.default_rng(0).uniform(size=[4, D]).astype("float32")
    orders = np.arange(D)[None] if name == "nade" else model.orders.numpy()
    for k, order in enumerate(orders):
        kwargs = {} if name == "nade" else {"mask_index": k, **condition_for(model, 4)}
        jac = np.abs(jacobian_of_logits(model, x, **kwargs)).sum(axis=0)
        rank = np.empty(D, int)
        rank[order] = np.arange(D)
        allowed = rank[None, :] < rank[:, None]  # [out i, in j]
        assert np.all(jac[~allowed] == 0.0), f"mask {k}: future inputs leak into outputs"
        # The last variable in the order sees the first one (the network is not empty).
        assert jac[order[-1], order[0]] > 0.0


def direct_nade_logits(x, W, V, c, b):
    """NADE's definition, position by position: a_d = c + sum_{j<d} x_j W_j."""
    prefix = tf.cumsum(x[:, :, None] * W, axis=1, exclusive=True)
    return b + tf.reduce_sum(tf.sigmoid(c + prefix) * V, -1)


@pytest.mark.parametrize("block_size", [1, 4, 16])
def test_blocked_logits_and_gradients_equal_the_direct_formula(monkeypatch, block_size):
    """Several blocks, a padded last block (37 = 9 x 4 + 1), and the custom gradient."""
    monkeypatch.setattr(nade, "BLOCK_SIZE", block_size)
    rng = np.random.default_rng(block_size)
    dim, units = 37, 6
    x = tf.constant((rng.uniform(size=[3, dim]) > 0.5).astype("float32"))
    params = [
        tf.constant(rng.normal(size=shape).astype("float32"))
        for shape in ([dim, units], [dim, units], [units], [dim])
    ]
    weights = tf.constant(rng.normal(size=[3, dim]).astype("float32"))

    def logits_and_gradients(fn):
        with tf.GradientTape() as tape:
            tape.watch([x, *params])
            logits = fn(x, *params)
            loss = tf.reduce_sum(tf.sin(logits) * weights)
        return [logits, *tape.gradient(loss, [x, *params])]

    got = logits_and_gradients(nade.nade_logits)
    expected = logits_and_gradients(direct_nade_logits)
    for name, a, e in zip(["logits", "dx", "dW", "dV", "dc", "db"], got, expected, strict=True):
        np.testing.assert_allclose(a, e, rtol=1e-4, atol=1e-5, err_msg=name)


def test_masks_differ_and_orders_are_permutations():
    model = MADE(D, [8], num_masks=3, order="random", seed=3)
    orders = model.orders.numpy()
    for order in orders:
        assert sorted(order) == list(range(D))
    assert len({tuple(o) for o in orders}) > 1
    natural = MADE(D, [8], num_masks=2).orders.numpy()
    np.testing.assert_array_equal(natural, np.tile(np.arange(D), [2, 1]))


def test_ensemble_is_log_mean_exp_of_member_probabilities():
    model = made_variants()["random_orders_direct"]
    sharpen(model)
    x = ALL_BINARY
    members = []
    for k in range(model.num_masks):
        p = tf.sigmoid(model(x, mask_index=k)).numpy().astype("float64")
        members.append(np.sum(np.log(np.where(x == 1, p, 1 - p)), axis=1))
    expected = np.log(np.mean(np.exp(members), axis=0))
    np.testing.assert_allclose(model.log_prob(x), expected, rtol=1e-4, atol=1e-5)
    averaged_logits = tf.reduce_mean([model(x, mask_index=k) for k in range(model.num_masks)], 0)
    p = tf.sigmoid(averaged_logits).numpy()
    not_this = np.sum(np.log(np.where(x == 1, p, 1 - p)), axis=1)
    assert not np.allclose(not_this, expected, atol=1e-3)


@pytest.mark.parametrize("name", ["nade", "random_orders_direct", "conditional"])
def test_samples_follow_the_model_distribution(name):
    """Sampling in the wrong order would not reproduce p(x); compare frequencies."""
    model = NADE(D, 7) if name == "nade" else made_variants()[name]
    sharpen(model)
    n = 6000
    condition = condition_for(model, 1, seed=5)
    sample_kwargs = {k: np.repeat(v, n, 0) for k, v in condition.items()}
    samples = np.asarray(model.sample(n, seed=11, **sample_kwargs))
    assert set(np.unique(samples)) <= {0.0, 1.0}
    index = samples @ (2 ** np.arange(D - 1, -1, -1))
    freq = np.bincount(index.astype(int), minlength=2**D) / n
    prob_kwargs = {k: np.repeat(v, len(ALL_BINARY), 0) for k, v in condition.items()}
    prob = np.exp(model.log_prob(ALL_BINARY, **prob_kwargs))
    # Total variation distance: about 0.05 for 6000 draws over 32 cells.
    assert 0.5 * np.abs(freq - prob).sum() < 0.08


def test_training_cycles_through_the_masks():
    model = MADE(D, [8], num_masks=2, order="random", seed=4)
    model.compile(optimizer="sgd")
    x = ALL_BINARY
    before = model.member_log_probs(x).numpy()
    model.fit(x, batch_size=len(x), epochs=2, verbose=0)  # one step with each mask
    after = model.member_log_probs(x).numpy()
    gains = after.mean(axis=1) - before.mean(axis=1)
    assert model.optimizer.iterations.numpy() == 2
    assert np.all(gains > 0), gains


def test_xla_update_equals_the_plain_update_and_keeps_the_data_check():
    x = ALL_BINARY[:16]
    models = []
    for run_eagerly in (False, True):  # XLA-compiled update / plain eager update
        keras.utils.set_random_seed(0)  # the same initial weights
        model = MADE(D, [8], num_masks=2, order="random", direct_connections=True, seed=5)
        model.compile(optimizer=keras.optimizers.SGD(0.5), run_eagerly=run_eagerly)
        model.fit(x, batch_size=8, epochs=1, shuffle=False, verbose=0)  # two steps
        models.append(model)
    assert models[0]._compiled_update is not None and models[1]._compiled_update is None
    for xla, plain in zip(models[0].weights, models[1].weights, strict=True):
        np.testing.assert_allclose(xla.numpy(), plain.numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"x must lie in \[0.0, 1.0\] \(binary MADE variables\)$"):
        models[0].fit(np.full([4, D], 2.0, "float32"), epochs=1, verbose=0)


def test_compiling_again_uses_the_new_optimizer_in_the_xla_update():
    model = MADE(D, [8], seed=1)
    model.compile(optimizer=keras.optimizers.SGD(0.5))
    model.fit(ALL_BINARY, batch_size=8, epochs=1, verbose=0)
    before = [w.numpy() for w in model.weights]
    model.compile(optimizer=keras.optimizers.SGD(0.0))  # steps that change nothing
    model.fit(ALL_BINARY, batch_size=8, epochs=1, verbose=0)
    assert model.optimizer.iterations.numpy() == len(ALL_BINARY) // 8
    for old, new in zip(before, model.weights, strict=True):
        np.testing.assert_array_equal(old, new.numpy())


def test_bad_input_raises_clear_errors():
    model = MADE(D, [8])
    with pytest.raises(ValueError, match=r"\(batch, 5\)"):
        model.log_prob(np.zeros([2, 4], "float32"))
    with pytest.raises(ValueError, match=r"\[0.0, 1.0\]"):
        model.log_prob(np.full([2, D], 2.0, "float32"))
    with pytest.raises(ValueError, match="condition"):
        MADE(D, [8], conditional_dim=3).log_prob(ALL_BINARY)
    with pytest.raises(ValueError, match="order"):
        MADE(D, [8], order="reversed")
    with pytest.raises(ValueError, match=r"\[0.0, 1.0\]"):
        NADE(D, 4).log_prob(np.full([2, D], -1.0, "float32"))


def test_nade_contract(tmp_path):
    run_model_contract(lambda: NADE(D, 6), ALL_BINARY, tmp_path, sample_shape=(D,))


def test_made_contract(tmp_path):
    run_model_contract(
        lambda: MADE(D, [8], num_masks=2, order="random", direct_connections=True),
        ALL_BINARY,
        tmp_path,
        sample_shape=(D,),
    )


def test_conditional_made_contract(tmp_path):
    condition = np.random.default_rng(0).normal(size=[len(ALL_BINARY), 3]).astype("float32")
    data = tf.data.Dataset.from_tensor_slices((ALL_BINARY, condition)).batch(8)
    model, _ = run_model_contract(lambda: MADE(D, [8], conditional_dim=3), data, tmp_path)
    a = model.sample(4, seed=1, condition=condition[:4])
    np.testing.assert_array_equal(a, model.sample(4, seed=1, condition=condition[:4]))

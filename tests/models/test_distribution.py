"""`model.as_distribution()`: a zoo model as a `tfp.distributions.Distribution`.

The checks follow TFP's own distribution tests: static and dynamic shapes (sample shape +
batch shape + event shape), dtype, samples against exp(log_prob) over every state of a
tiny model, normalization, and composition with `tfd.Sample`, `tfd.Independent`,
`tfd.Mixture` and `tfd.MixtureSameFamily`.
"""

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_probability as tfp

import zoo.models as m
from zoo.models.distribution import ModelDistribution

tfd = tfp.distributions

ALL_BITS = np.array(list(itertools.product([0.0, 1.0], repeat=4)), np.float32)  # [16, 4]


def _tiny_rbm(seed=0):
    rbm = m.BernoulliRBM(4, 3)
    rng = np.random.default_rng(seed)
    rbm.kernel.assign(rng.normal(scale=1.5, size=(4, 3)).astype(np.float32))
    rbm.visible_bias.assign(rng.normal(size=4).astype(np.float32))
    rbm.hidden_bias.assign(rng.normal(size=3).astype(np.float32))
    return rbm


def _tiny_pixelcnn():
    keras.utils.set_random_seed(0)
    return m.PixelCNN((2, 2, 1), num_layers=2, filters=4, first_kernel_size=3)


# name -> (builder of a 4-bit model, as_distribution kwargs, the 16 states in its shape)
FOUR_BIT_MODELS = {
    "NADE": (lambda: m.NADE(4, 3), {}, ALL_BITS),
    "MADE": (lambda: m.MADE(4, [6], order="random", seed=1), {}, ALL_BITS),
    "PixelCNN": (_tiny_pixelcnn, {}, ALL_BITS.reshape(16, 2, 2, 1)),
    "BernoulliRBM": (_tiny_rbm, {"sample_kwargs": {"burn_in": 100}}, ALL_BITS),
}
SHAPE_MODELS = {
    **{name: (build, kwargs) for name, (build, kwargs, _) in FOUR_BIT_MODELS.items()},
    "PixelCNN_4x4": (
        lambda: m.PixelCNN((4, 4, 1), num_layers=2, filters=4, first_kernel_size=3),
        {},
    ),
    "VAE": (
        lambda: m.VAE.mlp((6,), 2, hidden_units=(8,), seed=0),
        {"num_samples": 8, "seed": 0},
    ),
}


@pytest.fixture(autouse=True)
def _fixed_seed():
    keras.utils.set_random_seed(0)


@pytest.mark.parametrize("name", SHAPE_MODELS)
def test_shapes_dtype_and_properties(name):
    build, kwargs = SHAPE_MODELS[name]
    model = build()
    dist = model.as_distribution(**kwargs)
    event = tuple(model.data_shape)

    assert isinstance(dist, tfd.Distribution) and isinstance(dist, ModelDistribution)
    assert dist.model is model
    assert dist.dtype == tf.float32
    assert dist.reparameterization_type == tfd.NOT_REPARAMETERIZED
    assert dist.batch_shape == tf.TensorShape([])
    assert dist.event_shape == tf.TensorShape(event)
    np.testing.assert_array_equal(dist.batch_shape_tensor(), np.zeros([0]))
    np.testing.assert_array_equal(dist.event_shape_tensor(), event)
    assert dist.name == model.name

    for sample_shape, expected in [((), ()), (3, (3,)), ((2, 3), (2, 3))]:
        x = dist.sample(sample_shape, seed=1)
        assert x.dtype == tf.float32
        assert tuple(x.shape) == (*expected, *event)
        log_prob = dist.log_prob(x)
        assert log_prob.dtype == tf.float32
        assert tuple(log_prob.shape) == expected
        assert np.all(np.isfinite(log_prob)) and np.all(np.asarray(log_prob) <= 1e-5)

    x = dist.sample((2, 3), seed=1)
    np.testing.assert_array_equal(x, dist.sample((2, 3), seed=1))  # the seed fixes samples
    np.testing.assert_array_equal(  # an integer seed goes to model.sample as it is
        tf.reshape(x, (6, *event)),
        model.sample(6, seed=1, **kwargs.get("sample_kwargs", {})),
    )
    # log_prob is the model's own, per example.
    direct = model.log_prob(
        tf.reshape(x, (6, *event)), **{k: v for k, v in kwargs.items() if k != "sample_kwargs"}
    )
    np.testing.assert_allclose(tf.reshape(dist.log_prob(x), [6]), direct, rtol=1e-5, atol=1e-5)

    # `parameters` rebuild an equal distribution (TFP's `copy`).
    assert set(dist.parameters) == {
        "model",
        "log_prob_kwargs",
        "sample_kwargs",
        "validate_args",
        "allow_nan_stats",
        "name",
    }
    np.testing.assert_allclose(dist.copy().log_prob(x), dist.log_prob(x), rtol=1e-6)


@pytest.mark.parametrize("name", FOUR_BIT_MODELS)
def test_exp_log_prob_sums_to_one_over_all_states(name):
    build, kwargs, states = FOUR_BIT_MODELS[name]
    dist = build().as_distribution(**kwargs)
    total = float(tf.reduce_sum(tf.exp(dist.log_prob(states))))
    assert total == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("name", FOUR_BIT_MODELS)
def test_sample_frequencies_match_exp_log_prob(name):
    build, kwargs, states = FOUR_BIT_MODELS[name]
    dist = build().as_distribution(**kwargs)
    n = 4000
    samples = np.asarray(dist.sample(n, seed=3)).reshape(n, 4)
    index = samples @ np.array([8, 4, 2, 1])  # ALL_BITS is in binary-counting order
    frequencies = np.bincount(index.astype(int), minlength=16) / n
    probs = np.exp(np.asarray(dist.log_prob(states), np.float64))
    assert probs.max() < 0.9  # a model whose samples say something
    tolerance = 5 * np.sqrt(probs * (1 - probs) / n) + 2e-3
    np.testing.assert_array_less(np.abs(frequencies - probs), tolerance)


def test_vae_log_prob_kwargs_are_fixed():
    vae = m.VAE.mlp((6,), 2, hidden_units=(8,), seed=0)
    x = np.random.default_rng(0).integers(0, 2, (5, 6)).astype(np.float32)
    dist = vae.as_distribution(num_samples=16, seed=4)
    assert dist.log_prob_kwargs == {"num_samples": 16, "seed": 4}
    np.testing.assert_allclose(dist.log_prob(x), vae.log_prob(x, num_samples=16, seed=4), rtol=1e-6)
    np.testing.assert_array_equal(dist.log_prob(x), dist.log_prob(x))


def test_sample_composes_as_iid_product():
    dist = m.NADE(4, 3).as_distribution()
    x = dist.sample((2, 3), seed=0)
    iid = tfd.Sample(dist, 3)
    assert iid.event_shape == (3, 4)
    assert tuple(iid.sample(2, seed=0).shape) == (2, 3, 4)
    np.testing.assert_allclose(iid.log_prob(x), tf.reduce_sum(dist.log_prob(x), -1), rtol=1e-6)
    independent = tfd.Independent(tfd.BatchBroadcast(dist, [3]), reinterpreted_batch_ndims=1)
    np.testing.assert_allclose(independent.log_prob(x), iid.log_prob(x), rtol=1e-6)


def test_mixture_of_two_models():
    dist_a = m.NADE(4, 3).as_distribution()
    dist_b = m.MADE(4, [6], order="random", seed=1).as_distribution()
    weights = np.array([0.3, 0.7], np.float32)
    mixture = tfd.Mixture(tfd.Categorical(probs=weights), [dist_a, dist_b])

    expected = np.logaddexp(
        np.log(weights[0]) + dist_a.log_prob(ALL_BITS),
        np.log(weights[1]) + dist_b.log_prob(ALL_BITS),
    )
    np.testing.assert_allclose(mixture.log_prob(ALL_BITS), expected, rtol=1e-5)
    assert float(tf.reduce_sum(tf.exp(mixture.log_prob(ALL_BITS)))) == pytest.approx(1, abs=1e-5)
    np.testing.assert_allclose(tf.function(mixture.log_prob)(ALL_BITS), expected, rtol=1e-5)

    seed = tf.constant([1, 2])  # TFP's stateless seed: component seeds are split from it
    samples = mixture.sample((5, 2), seed=seed)
    assert tuple(samples.shape) == (5, 2, 4)
    assert set(np.unique(samples)) <= {0.0, 1.0}
    np.testing.assert_array_equal(samples, mixture.sample((5, 2), seed=seed))


def test_mixture_same_family_of_broadcast_model():
    dist = m.NADE(4, 3).as_distribution()
    mixture = tfd.MixtureSameFamily(
        tfd.Categorical(probs=[0.5, 0.5]), tfd.BatchBroadcast(dist, [2])
    )
    np.testing.assert_allclose(mixture.log_prob(ALL_BITS), dist.log_prob(ALL_BITS), rtol=1e-5)


def test_log_prob_is_differentiable_in_the_model_weights():
    dist = m.NADE(4, 3).as_distribution()
    assert len(dist.trainable_variables) == len(dist.model.trainable_variables) > 0
    with tf.GradientTape() as tape:
        loss = -tf.reduce_mean(dist.log_prob(ALL_BITS[:5]))
    gradients = tape.gradient(loss, dist.trainable_variables)
    assert all(g is not None for g in gradients)
    assert any(float(tf.reduce_max(tf.abs(g))) > 0 for g in gradients)


def test_is_a_live_view_of_the_model():
    nade = m.NADE(4, 3)
    dist = nade.as_distribution()
    before = np.asarray(dist.log_prob(ALL_BITS))
    nade.b.assign(nade.b + 1.0)
    assert not np.allclose(dist.log_prob(ALL_BITS), before)


def test_wrong_event_shape_is_a_value_error():
    dist = m.NADE(4, 3).as_distribution()
    with pytest.raises(ValueError, match=r"x must have shape \[\.\.\., 4\].*got \(2, 8\)"):
        dist.log_prob(np.zeros((2, 8), np.float32))
    with pytest.raises(ValueError, match=r"x must have shape \[\.\.\., 4\]"):
        dist.log_prob(np.zeros((3, 2, 2), np.float32))


@pytest.mark.parametrize(
    "build",
    [
        lambda: m.DCGAN((8, 8, 1), latent_dim=4, filters=4, seed=0),
        lambda: m.Autoencoder((6,), [4], seed=0),
        lambda: m.DBN([6, 4, 3], seed=0),
    ],
    ids=["DCGAN", "Autoencoder", "DBN"],
)
def test_models_without_likelihood_refuse(build):
    model = build()
    with pytest.raises(NotImplementedError, match=f"{type(model).__name__} defines no likelihood"):
        model.as_distribution()


def test_direct_construction_needs_sample_and_log_prob():
    with pytest.raises(TypeError, match="has no `log_prob` method"):
        ModelDistribution(m.DBN([6, 4, 3], seed=0))

"""Tests of the VAE: ELBO terms, reparameterization, importance-weighted bounds, contract."""

import functools
import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_probability as tfp
from support.model_contract import run_model_contract

import zoo
from zoo.models import VAE
from zoo.models.variational.vae import MIN_SCALE

# Also run under the other oneDNN setting by .ci/run (CPU kernels differ in numerics).
pytestmark = pytest.mark.numerics

tfd = tfp.distributions


def binary_images(n, shape=(8, 8, 1), seed=0):
    return (np.random.default_rng(seed).random((n, *shape)) < 0.3).astype("float32")


def test_mlp_vae_contract(tmp_path):
    x = binary_images(32)
    model, history = run_model_contract(
        lambda: VAE.mlp((8, 8, 1), latent_dim=2, hidden_units=[16], seed=1),
        x,
        tmp_path,
        sample_shape=(8, 8, 1),
    )
    assert set(history.history) == {"loss", "elbo", "reconstruction", "kl"}
    logs = {k: v[-1] for k, v in history.history.items()}
    # loss = -(reconstruction - beta * kl) with beta = 1, so loss == -elbo.
    np.testing.assert_allclose(logs["loss"], -logs["elbo"], rtol=1e-5)
    np.testing.assert_allclose(logs["elbo"], logs["reconstruction"] - logs["kl"], rtol=1e-5)
    assert logs["kl"] > 0
    samples = model.sample(5, seed=0).numpy()
    assert set(np.unique(samples)) <= {0.0, 1.0}  # Bernoulli draws
    assert model.evaluate(x, verbose=0, return_dict=True).keys() == history.history.keys()


@pytest.mark.parametrize(
    "build",
    [
        lambda: VAE.conv((8, 8, 1), latent_dim=2, filters=(4,), likelihood="gaussian"),
        lambda: VAE.mlp((8, 8, 1), latent_dim=2, hidden_units=[8], likelihood="logistic"),
    ],
    ids=["conv_gaussian", "mlp_logistic"],
)
def test_grey_level_vae_contract(tmp_path, build):
    x = np.round(np.random.default_rng(0).random((16, 8, 8, 1)) * 255) / 255
    model, _ = run_model_contract(build, x.astype("float32"), tmp_path, sample_shape=(8, 8, 1))
    means = model.sample(4, seed=0, mean=True).numpy()
    assert means.shape == (4, 8, 8, 1)
    if model.likelihood == "logistic":  # the mode of a distribution over grey levels
        assert means.min() >= 0 and means.max() <= 1
        assert np.allclose(model.sample(4, seed=0) * 255, np.round(model.sample(4, seed=0) * 255))
    assert model.reconstruct(x[:3]).shape == (3, 8, 8, 1)


def test_analytic_kl_matches_closed_form_tfp_and_monte_carlo():
    x = binary_images(4)
    analytic = VAE.mlp((8, 8, 1), latent_dim=3, hidden_units=[16], kl="analytic", seed=0)
    posterior = analytic.encode(x)
    mu, sigma = posterior.mean().numpy(), posterior.stddev().numpy()
    closed_form = 0.5 * np.sum(mu**2 + sigma**2 - 1.0 - 2.0 * np.log(sigma), axis=-1)
    _, kl = analytic.elbo_terms(x, seed=0)
    np.testing.assert_allclose(kl, closed_form, rtol=1e-5)
    np.testing.assert_allclose(kl, tfd.kl_divergence(posterior, analytic.prior), rtol=1e-6)

    monte_carlo = VAE(analytic.encoder, analytic.decoder, 3, kl="monte_carlo")
    draws = 4000
    _, kl_draws = monte_carlo.elbo_terms(np.tile(x, (draws, 1, 1, 1)), seed=1)
    kl_draws = kl_draws.numpy().reshape(draws, len(x))
    standard_error = kl_draws.std(axis=0) / np.sqrt(draws)
    assert np.all(np.abs(kl_draws.mean(axis=0) - closed_form) < 4 * standard_error + 1e-4)


def test_sample_weights_weight_every_metric_of_a_step():
    x = binary_images(4)
    weights = np.array([1.0, 0.0, 3.0, 0.0], "float32")
    vae = VAE.mlp((8, 8, 1), latent_dim=3, hidden_units=[16], kl="analytic", seed=0)
    vae.compile(optimizer="adam")
    logs = vae.test_step((x, None, weights))
    # The analytic KL is deterministic: its weighted mean is known exactly.
    _, kl = vae.elbo_terms(x, seed=0)
    assert float(logs["kl"]) == pytest.approx(np.average(kl, weights=weights), rel=1e-5)
    assert float(logs["elbo"]) == pytest.approx(
        float(logs["reconstruction"]) - float(logs["kl"]), rel=1e-5
    )


def test_gradients_flow_through_the_reparameterized_sample():
    x = binary_images(8)
    # With beta = 0 the encoder reaches the loss only through z = mu + sigma * eps.
    vae = VAE.mlp((8, 8, 1), latent_dim=2, hidden_units=[16], beta=0.0, seed=0)
    assert vae.encode(x).reparameterization_type == tfd.FULLY_REPARAMETERIZED
    with tf.GradientTape() as tape:
        reconstruction, _ = vae.elbo_terms(x, seed=3)
        loss = -tf.reduce_mean(reconstruction)
    gradients = tape.gradient(loss, vae.encoder.trainable_variables)
    assert all(g is not None for g in gradients)
    kernel, bias = gradients[-2].numpy(), gradients[-1].numpy()
    # Both the means (first half of the outputs) and the scales (second half) get gradient.
    assert np.abs(bias[:2]).min() > 0 and np.abs(bias[2:]).min() > 0
    assert np.abs(kernel).sum() > 0


class TestLinearGaussian:
    """p(z) = N(0, I), p(x | z) = N(W z + b, s^2 I): log p(x) = log N(x; b, W W^T + s^2 I)."""

    data_dim, latent_dim, noise = 5, 2, 0.5

    def build(self, posterior_mean_scale, posterior_std_scale, kl="analytic"):
        rng = np.random.default_rng(0)
        # Orthogonal columns make the exact posterior diagonal, so q can be exact.
        w = np.linalg.qr(rng.normal(size=(self.data_dim, self.latent_dim)))[0] * [2.0, 1.0]
        b = rng.normal(size=self.data_dim)
        precision = np.eye(self.latent_dim) + w.T @ w / self.noise**2
        post_cov = np.linalg.inv(precision)
        post_map = post_cov @ w.T / self.noise**2  # E[z | x] = post_map @ (x - b)

        def inverse_softplus(y):
            return np.log(np.expm1(y - MIN_SCALE))

        encoder = keras.Sequential([keras.Input((self.data_dim,)), keras.layers.Dense(4)])
        mean_map = posterior_mean_scale * post_map
        std = posterior_std_scale * np.sqrt(np.diag(post_cov))
        encoder.layers[0].set_weights(
            [
                np.concatenate([mean_map.T, np.zeros((self.data_dim, 2))], axis=1),
                np.concatenate([-mean_map @ b, inverse_softplus(std)]),
            ]
        )
        decoder = keras.Sequential([keras.Input((self.latent_dim,)), keras.layers.Dense(10)])
        decoder.layers[0].set_weights(
            [
                np.concatenate([w.T, np.zeros((self.latent_dim, self.data_dim))], axis=1),
                np.concatenate([b, np.full(self.data_dim, inverse_softplus(self.noise))]),
            ]
        )
        vae = VAE(encoder, decoder, self.latent_dim, likelihood="gaussian", kl=kl)
        exact = tfd.MultivariateNormalTriL(
            loc=b.astype("float32"),
            scale_tril=np.linalg.cholesky(w @ w.T + self.noise**2 * np.eye(self.data_dim)).astype(
                "float32"
            ),
        )
        x = exact.sample(256, seed=[1, 2])
        # Gaussian data are not in [0, 1]: bypass the pixel-range check for this model.
        vae._check_data = lambda x: tf.convert_to_tensor(x, tf.float32)
        return vae, x, exact.log_prob(x).numpy()

    def test_exact_posterior_makes_every_bound_tight(self):
        # With q exact, log p(x, z) - log q(z | x) = log p(x) at every z (Monte-Carlo KL).
        vae, x, log_p = self.build(1.0, 1.0, kl="monte_carlo")
        np.testing.assert_allclose(vae.elbo(x, seed=0), log_p, atol=2e-3)
        # K = 10 in chunks of 3 exercises the remainder chunk.
        np.testing.assert_allclose(vae.log_prob(x, 10, chunk_size=3, seed=0), log_p, atol=2e-3)

    def test_elbo_below_iwae_increasing_in_k_below_log_p(self):
        vae, x, log_p = self.build(0.6, 1.6)
        elbo = np.mean([vae.elbo(x, seed=s).numpy().mean() for s in range(20)])
        iwae = [vae.log_prob(x, k, seed=k).numpy().mean() for k in (1, 10, 100, 1000)]
        bounds = [elbo, *iwae[1:]]
        assert all(a < b for a, b in itertools.pairwise(bounds)), bounds
        np.testing.assert_allclose(iwae[0], elbo, atol=0.1 * (log_p.mean() - elbo))
        assert iwae[-1] <= log_p.mean() + 1e-3
        gaps = log_p.mean() - np.asarray(bounds)
        assert gaps[-1] < 0.1 * gaps[0], gaps


def test_log_prob_is_seeded_and_batched_over_k():
    x = binary_images(3)
    vae = VAE.mlp((8, 8, 1), latent_dim=2, hidden_units=[16])
    first = vae.log_prob(x, num_samples=50, chunk_size=8, seed=4).numpy()
    np.testing.assert_array_equal(first, vae.log_prob(x, 50, chunk_size=8, seed=4))
    assert not np.array_equal(first, vae.log_prob(x, 50, chunk_size=8, seed=5))
    assert first.shape == (3,) and np.all(first < 0)
    with pytest.raises(ValueError, match="num_samples must be a positive integer"):
        vae.log_prob(x, num_samples=0)


def test_discretized_logistic_likelihood_is_normalized_over_256_levels():
    vae = VAE.mlp((2, 2, 1), latent_dim=2, hidden_units=[8], likelihood="logistic")
    pixels = vae.decode(tf.random.normal([3, 2])).distribution  # per-pixel distributions
    levels = tf.reshape(tf.range(256, dtype=tf.float32), [256, 1, 1, 1, 1])
    total = tf.reduce_sum(tf.exp(pixels.log_prob(levels)), axis=0)
    np.testing.assert_allclose(total, np.ones([3, 2, 2, 1]), atol=1e-4)


def test_bad_input_raises_clear_errors():
    vae = VAE.mlp((8, 8, 1), latent_dim=2, hidden_units=[8])
    with pytest.raises(ValueError, match=r"shape \(batch, 8, 8, 1\)"):
        vae.elbo(np.zeros((2, 64), "float32"))
    with pytest.raises(ValueError, match=r"\[0.0, 1.0\]"):
        vae.log_prob(np.full((2, 8, 8, 1), 255.0, "float32"))
    with pytest.raises(ValueError, match="latent_dim|shape"):
        vae.decode(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match="likelihood must be one of"):
        VAE.mlp((8, 8, 1), latent_dim=2, likelihood="poisson")
    with pytest.raises(ValueError, match="encoder must output"):
        VAE(vae.encoder, vae.decoder, latent_dim=3)


def test_conv_output_layers_compute_the_same_function_family():
    """A stride-1 "same" Conv2DTranspose is the Conv2D with its kernel flipped and its
    channel axes swapped: carrying the weights over gives the same decoder."""
    build = functools.partial(
        VAE.conv, (8, 8, 1), latent_dim=2, filters=(4,), likelihood="gaussian"
    )
    transposed, convolved = build(), build(output_layer="conv2d")
    assert isinstance(transposed.decoder.layers[-1], keras.layers.Conv2DTranspose)
    assert type(convolved.decoder.layers[-1]) is keras.layers.Conv2D
    for source, target in zip(
        transposed.decoder.layers[:-1], convolved.decoder.layers[:-1], strict=True
    ):
        target.set_weights(source.get_weights())
    kernel, bias = transposed.decoder.layers[-1].get_weights()
    flipped = np.transpose(kernel[::-1, ::-1], (0, 1, 3, 2))
    convolved.decoder.layers[-1].set_weights([flipped, bias])
    z = tf.random.normal([5, 2])
    np.testing.assert_allclose(convolved.decoder(z), transposed.decoder(z), atol=1e-5)
    with pytest.raises(ValueError, match="output_layer must be one of"):
        build(output_layer="dense")


def test_published_conv_preset_keeps_its_conv2d_output_layer():
    # The v1 weights of vae_fashion_mnist were trained with a Conv2D output layer.
    assert type(zoo.load("vae_fashion_mnist", pretrained=False).decoder.layers[-1]) is (
        keras.layers.Conv2D
    )
    if zoo.info("vae_fashion_mnist")["weights"] is not None:
        zoo.load("vae_fashion_mnist")  # the published weights load into the built model


def test_presets_build_untrained():
    assert {"vae_fashion_mnist", "vae_mnist"} <= set(zoo.list_models("vae_*"))
    model = zoo.load("vae_fashion_mnist", pretrained=False)
    assert isinstance(model, VAE) and model.data_shape == (28, 28, 1)
    assert "5,000" in zoo.info("vae_mnist")["dataset"]

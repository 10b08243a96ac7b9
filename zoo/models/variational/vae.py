"""Variational autoencoder: amortized variational inference with reparameterized gradients.

A latent-variable model p(x, z) = p(z) p_theta(x | z) with a standard normal prior
p(z) = N(0, I) and a decoder network giving the likelihood p_theta(x | z). An encoder network
gives a diagonal Gaussian posterior q_phi(z | x) = N(mu(x), diag(sigma(x)^2)). Both are
trained by maximizing the evidence lower bound

    ELBO(x) = E_q[log p_theta(x | z)] - beta * KL(q_phi(z | x) || p(z)) <= log p(x)

with one reparameterized draw z = mu + sigma * eps, eps ~ N(0, I) per example, so gradients
flow through the sample into the encoder. beta = 1 is the VAE of Kingma and Welling; beta > 1
is the beta-VAE of Higgins et al., which trades reconstruction for a more factorized code.
The KL term is either closed form (`kl="analytic"`) or the single-sample Monte-Carlo
estimate log q(z|x) - log p(z) at the same draw (`kl="monte_carlo"`).

`log_prob(x, num_samples=K)` is the importance-weighted estimate of Burda et al. (2015),
see `zoo.evaluation.importance_weighted`.

Likelihoods (`likelihood=`), all over data in [0, 1]:
    - `"bernoulli"`: independent Bernoulli pixels; the decoder outputs logits. Exact for
      binary data; for grey levels it is the cross-entropy objective of keras.io's VAE.
    - `"gaussian"`: independent Normal(loc, scale) with a learned per-pixel scale
      (softplus); the decoder outputs loc and a raw scale, stacked on the last axis.
    - `"logistic"`: discretized logistic over the 256 grey levels k / 255 (Salimans et al.
      2017, one mixture component); the decoder outputs loc and a raw scale. `decode`
      returns a distribution over the integer levels 0..255; `log_prob` / `elbo` take
      x in [0, 1] and report the log-probability of the discrete levels (nats).

#### References
Kingma and Welling (2014). Auto-Encoding Variational Bayes. ICLR 2014.
Rezende, Mohamed and Wierstra (2014). Stochastic Backpropagation and Approximate
Inference in Deep Generative Models. ICML 2014.
Higgins et al. (2017). beta-VAE: Learning Basic Visual Concepts with a Constrained
Variational Framework. ICLR 2017.
Burda, Grosse and Salakhutdinov (2015). Importance Weighted Autoencoders. ICLR 2016.
"""

import keras
import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp

from zoo.checks import as_float_batch, check_in_range
from zoo.evaluation.importance_weighted import importance_weighted_log_prob
from zoo.models.base import GenerativeModel
from zoo.models.steps import PerExampleLossSteps
from zoo.random import next_seed, replica_batch_noise, split_seed, stateless_seed

tfd = tfp.distributions

LIKELIHOODS = ("bernoulli", "gaussian", "logistic")
# Decoder outputs per data value: logits, or (loc, raw scale).
PARAMS_PER_VALUE = {"bernoulli": 1, "gaussian": 2, "logistic": 2}
KL_ESTIMATORS = ("analytic", "monte_carlo")
PIXEL_LEVELS = 256
MIN_SCALE = 1e-3
# The last layer of `VAE.conv`'s decoder, two weight layouts of one model family.
OUTPUT_LAYERS = {"conv2d_transpose": keras.layers.Conv2DTranspose, "conv2d": keras.layers.Conv2D}


@keras.saving.register_keras_serializable(package="zoo")
class VAE(PerExampleLossSteps, GenerativeModel):
    """Variational autoencoder with a Gaussian posterior and a standard normal prior.

    Args:
        encoder: Keras model `x [batch, *data_shape] -> [batch, 2 * latent_dim]`: the
            posterior means, then raw scales (softplus gives sigma).
        decoder: Keras model `z [batch, latent_dim] -> [batch, *data_shape[:-1],
            data_shape[-1] * p]` with p = 1 for `"bernoulli"` (logits) and p = 2 for
            `"gaussian"` / `"logistic"` (locs then raw scales on the last axis).
        latent_dim: Dimension of z.
        likelihood: `"bernoulli"`, `"gaussian"` or `"logistic"` (see the module docstring).
        kl: `"analytic"` (closed form) or `"monte_carlo"` (log q(z|x) - log p(z) at the
            reparameterized draw).
        beta: Weight of the KL term in the training loss (1 = VAE, > 1 = beta-VAE). The
            reported `elbo` always uses beta = 1.
        seed: Integer seed of the model's `keras.random.SeedGenerator` (training noise).
        **kwargs: `keras.Model` arguments (`name`, ...).

    Raises:
        ValueError: for an unknown `likelihood` / `kl`, a negative `beta`, or encoder /
            decoder output shapes that do not match `latent_dim` and the data shape.

    #### Examples

    ```python
    vae = VAE.mlp((28, 28, 1), latent_dim=16, hidden_units=[512, 256])
    vae.compile(optimizer="adam")
    vae.fit(binary_images, epochs=10, batch_size=128)
    vae.log_prob(binary_images[:10], num_samples=5000)   # nats per image
    vae.sample(16, seed=0).shape
    # ==> TensorShape([16, 28, 28, 1])
    ```

    #### References
    Kingma and Welling (2014). Auto-Encoding Variational Bayes.
    Higgins et al. (2017). beta-VAE.
    """

    contract_methods = ("sample", "generate", "decode", "log_prob", "elbo", "encode", "reconstruct")

    def __init__(
        self,
        encoder,
        decoder,
        latent_dim,
        likelihood="bernoulli",
        kl="analytic",
        beta=1.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        _check_likelihood(likelihood)
        if kl not in KL_ESTIMATORS:
            raise ValueError(f"kl must be one of {KL_ESTIMATORS}; got {kl!r}.")
        if beta < 0:
            raise ValueError(f"beta must be >= 0; got {beta}.")
        self.encoder = encoder
        self.decoder = decoder
        self.latent_dim = int(latent_dim)
        self.likelihood = likelihood
        self.kl = kl
        self.beta = float(beta)
        self.seed = seed
        self.data_shape = tuple(encoder.input_shape[1:])
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.elbo_tracker = keras.metrics.Mean(name="elbo")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")
        self._log_prob_graph = None  # `log_prob`'s tf.function, built on first use
        self._check_networks()
        self.built = True

    def _check_networks(self):
        dummy = tf.zeros((1, *self.data_shape))
        encoded = self.encoder(dummy)
        if tuple(encoded.shape[1:]) != (2 * self.latent_dim,):
            raise ValueError(
                f"encoder must output shape (batch, {2 * self.latent_dim}) = 2 * latent_dim "
                f"(means, raw scales); got {tuple(encoded.shape)}."
            )
        decoded = self.decoder(tf.zeros((1, self.latent_dim)))
        params = PARAMS_PER_VALUE[self.likelihood]
        expected = (*self.data_shape[:-1], self.data_shape[-1] * params)
        if tuple(decoded.shape[1:]) != expected:
            raise ValueError(
                f"decoder must output shape (batch, {', '.join(map(str, expected))}) for the "
                f"{self.likelihood} likelihood ({params} parameter(s) per value); "
                f"got {tuple(decoded.shape)}."
            )

    # ----------------------------------------------------------------------- builders
    @classmethod
    def mlp(
        cls,
        input_shape,
        latent_dim,
        hidden_units=(512, 256),
        activation="relu",
        likelihood="bernoulli",
        **kwargs,
    ):
        """A VAE with fully connected encoder and (mirrored) decoder.

        Args:
            input_shape: Shape of one example, e.g. `(28, 28, 1)` or `(784,)`.
            latent_dim: Dimension of z.
            hidden_units: Widths of the encoder's hidden layers; the decoder mirrors them.
            activation: Hidden activation.
            likelihood: See `VAE`.
            **kwargs: Other `VAE` arguments (`kl`, `beta`, `seed`, `name`).

        Returns:
            A built `VAE`.

        #### Examples

        ```python
        vae = VAE.mlp((28, 28, 1), latent_dim=2, hidden_units=[512])
        ```
        """
        input_shape = tuple(input_shape)
        data_size = int(np.prod(input_shape))
        params = _check_likelihood(likelihood)
        encoder = keras.Sequential(
            [keras.Input(input_shape), keras.layers.Flatten()]
            + [keras.layers.Dense(units, activation=activation) for units in hidden_units]
            + [keras.layers.Dense(2 * latent_dim)],
            name="encoder",
        )
        decoder = keras.Sequential(
            [keras.Input((latent_dim,))]
            + [keras.layers.Dense(u, activation=activation) for u in reversed(hidden_units)]
            + [
                keras.layers.Dense(data_size * params),
                keras.layers.Reshape((*input_shape[:-1], input_shape[-1] * params)),
            ],
            name="decoder",
        )
        return cls(encoder, decoder, latent_dim, likelihood=likelihood, **kwargs)

    @classmethod
    def conv(
        cls,
        input_shape,
        latent_dim,
        filters=(32, 64),
        hidden_units=None,
        likelihood="bernoulli",
        output_layer="conv2d_transpose",
        **kwargs,
    ):
        """A VAE with a strided-convolution encoder and a transposed-convolution decoder.

        The encoder halves the spatial size with each of `filters` (3x3, stride 2, ReLU)
        and maps the flattened features to the posterior parameters; the decoder mirrors
        it with transposed convolutions and a final 3x3, stride-1 layer to the likelihood
        parameters. This is keras.io's VAE layout; its 16-unit dense bottleneck before z
        is optional here (`hidden_units`) and off by default, as it slows the training
        step (see benchmarks/RESULTS.md). Height and width must be divisible by
        `2 ** len(filters)`.

        The final layer is a `Conv2DTranspose` by default, as in keras.io. A stride-1
        "same" transposed convolution is a convolution with the kernel flipped and its
        channel axes swapped, so `output_layer="conv2d"` is the same model family with
        another weight layout (that of the `vae_fashion_mnist` v1 preset). It trains
        slower on CPU, where the kernel gradient of a `Conv2D` with one or two output
        channels (`Conv2DBackpropFilter`) is slow (see benchmarks/RESULTS.md).

        Args:
            input_shape: `(height, width, channels)`.
            latent_dim: Dimension of z.
            filters: Channels of the strided convolutions, input side first.
            hidden_units: Width of a dense ReLU layer between the convolutions and z (in
                both networks), or None for none.
            likelihood: See `VAE`.
            output_layer: `"conv2d_transpose"` or `"conv2d"`, the decoder's last layer.
            **kwargs: Other `VAE` arguments.

        Returns:
            A built `VAE`.

        Raises:
            ValueError: if `input_shape` is not 3-D or not divisible as above, or for
                another `output_layer`.

        #### Examples

        ```python
        vae = VAE.conv((28, 28, 1), latent_dim=16)
        ```
        """
        input_shape = tuple(input_shape)
        stride = 2 ** len(filters)
        if len(input_shape) != 3 or input_shape[0] % stride or input_shape[1] % stride:
            raise ValueError(
                f"input_shape must be (height, width, channels) with height and width "
                f"divisible by {stride}; got {input_shape}."
            )
        if output_layer not in OUTPUT_LAYERS:
            raise ValueError(
                f"output_layer must be one of {tuple(OUTPUT_LAYERS)}; got {output_layer!r}."
            )
        height, width, channels = input_shape
        small = (height // stride, width // stride, filters[-1])
        params = _check_likelihood(likelihood)

        def dense():
            return [keras.layers.Dense(hidden_units, activation="relu")] if hidden_units else []

        def conv(units, transpose=False):
            layer = keras.layers.Conv2DTranspose if transpose else keras.layers.Conv2D
            return layer(units, 3, strides=2, padding="same", activation="relu")

        encoder = keras.Sequential(
            [keras.Input(input_shape)]
            + [conv(f) for f in filters]
            + [keras.layers.Flatten(), *dense(), keras.layers.Dense(2 * latent_dim)],
            name="encoder",
        )
        decoder = keras.Sequential(
            [keras.Input((latent_dim,)), *dense()]
            + [
                keras.layers.Dense(int(np.prod(small)), activation="relu"),
                keras.layers.Reshape(small),
            ]
            + [conv(f, transpose=True) for f in reversed(filters)]
            + [OUTPUT_LAYERS[output_layer](channels * params, 3, padding="same")],
            name="decoder",
        )
        return cls(encoder, decoder, latent_dim, likelihood=likelihood, **kwargs)

    # ------------------------------------------------------------------ distributions
    @property
    def prior(self):
        """The prior p(z) = N(0, I), a `tfd.MultivariateNormalDiag` with event `[latent_dim]`."""
        return tfd.MultivariateNormalDiag(loc=tf.zeros([self.latent_dim]))

    def encode(self, x, training=False):
        """The approximate posterior q(z | x).

        Args:
            x: Float array `[batch, *data_shape]` with values in [0, 1].
            training: Passed to the encoder (dropout, batch norm).

        Returns:
            `tfd.MultivariateNormalDiag` with batch shape `[batch]`, event `[latent_dim]`,
            fully reparameterized.

        Raises:
            ValueError: for another shape or values outside [0, 1].
        """
        x = self._check_data(x)
        loc, raw_scale = tf.split(self.encoder(x, training=training), 2, axis=-1)
        return tfd.MultivariateNormalDiag(loc=loc, scale_diag=tf.nn.softplus(raw_scale) + MIN_SCALE)

    def decode(self, z, training=False):
        """The likelihood p(x | z).

        Args:
            z: Float tensor `[..., latent_dim]` (extra leading axes, e.g. importance
                samples, are allowed).
            training: Passed to the decoder.

        Returns:
            A `tfd.Independent` distribution with event shape `data_shape` (for
            `"logistic"`, over the integer levels 0..255; see the module docstring).

        Raises:
            ValueError: if the last axis of `z` is not `latent_dim`.
        """
        z = tf.convert_to_tensor(z, tf.float32)
        if z.shape[-1] != self.latent_dim:
            raise ValueError(f"z must have shape (..., {self.latent_dim}); got {tuple(z.shape)}.")
        leading = tf.shape(z)[:-1]
        params = self.decoder(tf.reshape(z, [-1, self.latent_dim]), training=training)
        params = tf.reshape(params, tf.concat([leading, tf.shape(params)[1:]], axis=0))
        return tfd.Independent(
            self._likelihood_distribution(params), reinterpreted_batch_ndims=len(self.data_shape)
        )

    def _likelihood_distribution(self, params):
        if self.likelihood == "bernoulli":
            return tfd.Bernoulli(logits=params, dtype=tf.float32)
        loc, raw_scale = tf.split(params, 2, axis=-1)
        scale = tf.nn.softplus(raw_scale) + MIN_SCALE
        if self.likelihood == "gaussian":
            return tfd.Normal(loc=loc, scale=scale)
        # Level k has mass P(k - 1 < X <= k) (tails folded into 0 and 255): centring the
        # logistic at k - 1/2 puts its mode on level k.
        levels = PIXEL_LEVELS - 1
        logistic = tfd.Logistic(loc=levels * tf.sigmoid(loc) - 0.5, scale=levels * scale)
        return tfd.QuantizedDistribution(logistic, low=0.0, high=float(levels))

    def _to_event(self, x):
        """Data in [0, 1] -> values of the likelihood's event space."""
        if self.likelihood == "logistic":
            return tf.round(x * (PIXEL_LEVELS - 1))
        return x

    def _from_event(self, values):
        if self.likelihood == "logistic":
            return values / (PIXEL_LEVELS - 1)
        return values

    def _likelihood_mean(self, likelihood):
        if self.likelihood == "logistic":
            # The centre of the logistic is the mode of the discretized one.
            logistic = likelihood.distribution.distribution
            return tf.clip_by_value(logistic.loc + 0.5, 0.0, PIXEL_LEVELS - 1.0)
        return likelihood.mean()

    # --------------------------------------------------------------------- estimators
    def log_joint(self, x, z):
        """The log p(x, z) = log p(z) + log p(x | z).

        Args:
            x: Data `[batch, *data_shape]` in [0, 1].
            z: Latents `[..., batch, latent_dim]`.

        Returns:
            Tensor with the leading shape of `z` (without `latent_dim`).
        """
        return self.prior.log_prob(z) + self.decode(z).log_prob(self._to_event(x))

    def elbo_terms(self, x, seed=None, training=False):
        """The reconstruction and KL terms of the ELBO per example, one reparameterized draw.

        Args:
            x: Data `[batch, *data_shape]` in [0, 1].
            seed: Stateless seed (anything `zoo.random.stateless_seed` takes).
            training: Passed to the networks.

        Returns:
            `(reconstruction, kl)`, each `[batch]`: log p(x | z) at z ~ q(z | x), and
            KL(q(z | x) || p(z)) in closed form or by Monte Carlo at the same z.
        """
        posterior = self.encode(x, training=training)
        return self._elbo_terms_at(
            x, posterior, posterior.sample(seed=stateless_seed(seed)), training
        )

    def _elbo_terms_at(self, x, posterior, z, training):
        """`elbo_terms` at the given reparameterized draw `z` of `posterior` = q(z | x)."""
        reconstruction = self.decode(z, training=training).log_prob(self._to_event(x))
        if self.kl == "analytic":
            kl = tfd.kl_divergence(posterior, self.prior)
        else:
            kl = posterior.log_prob(z) - self.prior.log_prob(z)
        return reconstruction, kl

    def elbo(self, x, seed=None):
        """Evidence lower bound per example (nats), one reparameterized draw, beta = 1.

        Args:
            x: Data `[batch, *data_shape]` in [0, 1].
            seed: Stateless seed; the same seed gives the same value.

        Returns:
            float32 Tensor `[batch]`.

        Raises:
            ValueError: for another shape or values outside [0, 1].
        """
        reconstruction, kl = self.elbo_terms(x, seed=seed)
        return reconstruction - kl

    def log_prob(self, x, num_samples=1000, chunk_size=None, seed=None):
        """Importance-weighted estimate of log p(x) per example (Burda et al. 2015), nats.

        Uses the encoder as proposal: log (1/K) sum_k p(x, z_k) / q(z_k | x). It is a
        stochastic lower bound in expectation that tightens as `num_samples` grows;
        `num_samples=1` is an unbiased ELBO estimate (Monte-Carlo KL).

        Args:
            x: Data `[batch, *data_shape]` in [0, 1] (for `"logistic"`, multiples of 1/255).
            num_samples: K importance samples per example (5000 in the literature).
            chunk_size: Samples decoded at once (memory); see
                `zoo.evaluation.importance_weighted.importance_weighted_log_prob`.
            seed: Stateless seed; the same seed gives the same estimate.

        Returns:
            float32 Tensor `[batch]`.

        Raises:
            ValueError: for another shape, values outside [0, 1], or `num_samples` < 1.

        #### Examples

        ```python
        nll = -tf.reduce_mean(vae.log_prob(x_test[:100], num_samples=5000))
        ```
        """
        x = self._check_data(x)
        if self._log_prob_graph is None:
            self._log_prob_graph = tf.function(
                lambda x, num_samples, chunk_size, seed: importance_weighted_log_prob(
                    x, self.encode, self.log_joint, num_samples, chunk_size, seed
                )
            )
        return self._log_prob_graph(x, num_samples, chunk_size, stateless_seed(seed))

    # ---------------------------------------------------------------------- sampling
    def generate(self, z):
        """The mean of p(x | z) (for `"logistic"`, its mode).

        It is in [0, 1] except for the unbounded Gaussian mean.

        Args:
            z: Latents `[batch, latent_dim]`.

        Returns:
            float32 Tensor `[batch, *data_shape]`.
        """
        return self._from_event(self._likelihood_mean(self.decode(z)))

    def sample(self, num_samples, seed=None, *, mean=False):
        """Draw x ~ p(x) = ∫ p(z) p(x | z) dz with z from the prior.

        Args:
            num_samples: Number of examples.
            seed: Stateless seed; the same seed gives the same samples.
            mean: Return the likelihood means `generate(z)` instead of draws from
                p(x | z) (smoother images; not samples of p(x)).

        Returns:
            float32 Tensor `[num_samples, *data_shape]`, in [0, 1] for the Bernoulli and
            logistic likelihoods (Gaussian draws are unbounded).
        """
        z_seed, x_seed = split_seed(seed, 2)
        z = self.prior.sample(num_samples, seed=z_seed)
        if mean:
            return self.generate(z)
        return self._from_event(self.decode(z).sample(seed=x_seed))

    def reconstruct(self, x):
        """`generate` at the posterior mean: the deterministic reconstruction of `x`."""
        return self.generate(self.encode(x).mean())

    def call(self, x, training=False):
        """Reconstruct `x` through the posterior mean (for `predict`)."""
        return self.generate(self.encode(x, training=training).mean())

    # ---------------------------------------------------------------------- training
    @property
    def metrics(self):
        return [self.loss_tracker, self.elbo_tracker, self.reconstruction_tracker, self.kl_tracker]

    def _per_example_loss(self, x, training):
        """The negative beta-ELBO per example, and its terms (one reparameterized draw)."""
        seed = next_seed(self.seed_generator)
        posterior = self.encode(x, training=training)
        # Replica-aware noise: 2 replicas take the same step as one device on the global batch.
        noise = replica_batch_noise(
            lambda n: tf.random.stateless_normal([n, self.latent_dim], seed), tf.shape(x)[0]
        )
        z = posterior.loc + posterior.stddev() * noise
        reconstruction, kl = self._elbo_terms_at(x, posterior, z, training)
        terms = {"elbo": reconstruction - kl, "reconstruction": reconstruction, "kl": kl}
        return -(reconstruction - self.beta * kl), terms

    def _check_data(self, x):
        x = as_float_batch(x, self.data_shape)
        return check_in_range(x, 0.0, 1.0, what=f"{self.likelihood} likelihood over [0, 1] data")

    # ------------------------------------------------------------------------ config
    def get_config(self):
        return {
            **super().get_config(),
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
            "latent_dim": self.latent_dim,
            "likelihood": self.likelihood,
            "kl": self.kl,
            "beta": self.beta,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("encoder", "decoder"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)


def _check_likelihood(likelihood):
    """Return the decoder outputs per data value for `likelihood`, or raise ValueError."""
    if likelihood not in LIKELIHOODS:
        raise ValueError(f"likelihood must be one of {LIKELIHOODS}; got {likelihood!r}.")
    return PARAMS_PER_VALUE[likelihood]

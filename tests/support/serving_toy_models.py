"""Two tiny models that follow the zoo conventions, for the serving tests.

`ToyVAE` is a latent model whose `encode`/`decode` return distributions and whose
`log_prob` is a seeded importance-weighted estimate; `ToyGAN` has two optimizers, a
discriminator and a generator. They exercise the export, `.keras`, callback and
`tf.distribute` machinery before (and independently of) the real families.
"""

import keras
import tensorflow as tf
import tensorflow_probability as tfp

from zoo.random import next_seed, replica_batch_noise, split_seed, stateless_seed

tfd = tfp.distributions


def _apply(layers, x):
    for layer in layers:
        x = layer(x)
    return x


@keras.saving.register_keras_serializable(package="zoo_tests")
class ToyVAE(keras.Model):
    """A one-hidden-layer Bernoulli VAE on flat binary vectors.

    Reference: Kingma and Welling, 2014, "Auto-Encoding Variational Bayes".
    """

    contract_methods = ("sample", "decode", "log_prob", "elbo", "encode", "reconstruct")

    def __init__(self, data_dim=6, latent_dim=2, hidden_units=8, **kwargs):
        super().__init__(**kwargs)
        self.data_dim, self.latent_dim, self.hidden_units = data_dim, latent_dim, hidden_units
        self.data_shape = (data_dim,)
        # Layer lists rather than Sequential: the decoder also sees [samples, batch, latent].
        self.encoder = [
            keras.layers.Dense(hidden_units, "tanh"),
            keras.layers.Dense(2 * latent_dim),
        ]
        self.decoder = [keras.layers.Dense(hidden_units, "tanh"), keras.layers.Dense(data_dim)]
        self.seed_generator = keras.random.SeedGenerator(1)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.decode(self.encode(tf.zeros([1, data_dim])).mean())
        self.built = True

    @property
    def metrics(self):
        return [self.loss_tracker]

    def call(self, x):
        return self.decode(self.encode(x).mean()).mean()

    def encode(self, x):
        """q(z | x) as a diagonal Normal."""
        loc, raw_scale = tf.split(_apply(self.encoder, x), 2, axis=-1)
        return tfd.Independent(tfd.Normal(loc, tf.nn.softplus(raw_scale) + 1e-3), 1)

    def decode(self, z):
        """p(x | z) as independent Bernoullis."""
        return tfd.Independent(tfd.Bernoulli(logits=_apply(self.decoder, z), dtype=tf.float32), 1)

    def prior(self):
        return tfd.MultivariateNormalDiag(tf.zeros([self.latent_dim]))

    def elbo(self, x, seed=None):
        """Single-sample ELBO per example."""
        noise = tf.random.stateless_normal([tf.shape(x)[0], self.latent_dim], stateless_seed(seed))
        return self._elbo(x, noise)

    def _elbo(self, x, noise):
        posterior = self.encode(x)
        z = posterior.mean() + posterior.stddev() * noise  # reparameterized draw
        return self.decode(z).log_prob(x) + self.prior().log_prob(z) - posterior.log_prob(z)

    def log_prob(self, x, num_samples=16, seed=None):
        """Importance-weighted estimate of log p(x) with `num_samples` samples."""
        posterior = self.encode(x)
        z = posterior.sample(num_samples, seed=stateless_seed(seed))
        weights = self.decode(z).log_prob(x) + self.prior().log_prob(z) - posterior.log_prob(z)
        return tf.reduce_logsumexp(weights, 0) - tf.math.log(float(num_samples))

    def reconstruct(self, x):
        """Mean of p(x | mean of q(z | x))."""
        return self.call(x)

    def sample(self, num_samples, seed=None):
        """Draw `num_samples` binary vectors."""
        z_seed, x_seed = split_seed(seed, 2)
        z = self.prior().sample(num_samples, seed=z_seed)
        return self.decode(z).sample(seed=x_seed)

    def train_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        seed = next_seed(self.seed_generator)
        noise = replica_batch_noise(
            lambda n: tf.random.stateless_normal([n, self.latent_dim], seed), tf.shape(x)[0]
        )
        with tf.GradientTape() as tape:
            per_example = -self._elbo(x, noise)
            loss = tf.nn.compute_average_loss(per_example)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        self.loss_tracker.update_state(per_example)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        self.loss_tracker.update_state(-self.elbo(x, seed=0))
        return {m.name: m.result() for m in self.metrics}

    def get_config(self):
        return {
            **super().get_config(),
            "data_dim": self.data_dim,
            "latent_dim": self.latent_dim,
            "hidden_units": self.hidden_units,
        }


@keras.saving.register_keras_serializable(package="zoo_tests")
class ToyGAN(keras.Model):
    """A non-saturating GAN on flat vectors with two optimizers.

    Reference: Goodfellow et al., 2014, "Generative Adversarial Nets".
    """

    contract_methods = ("sample", "generate", "discriminate")

    def __init__(self, data_dim=4, latent_dim=2, hidden_units=8, **kwargs):
        super().__init__(**kwargs)
        self.data_dim, self.latent_dim, self.hidden_units = data_dim, latent_dim, hidden_units
        self.data_shape = (data_dim,)
        self.generator = keras.Sequential(
            [keras.layers.Dense(hidden_units, "relu"), keras.layers.Dense(data_dim)]
        )
        self.discriminator = keras.Sequential(
            [keras.layers.Dense(hidden_units, "relu"), keras.layers.Dense(1)]
        )
        self.seed_generator = keras.random.SeedGenerator(2)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.generator.build((None, latent_dim))
        self.discriminator.build((None, data_dim))
        self.built = True

    def compile(self, d_optimizer="adam", g_optimizer="adam", **kwargs):
        super().compile(**kwargs)
        self.d_optimizer = keras.optimizers.get(d_optimizer)
        self.g_optimizer = keras.optimizers.get(g_optimizer)
        # Build now, so `load_weights` (BackupAndRestore, .keras) finds their slots.
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    def get_compile_config(self):
        return {
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
        }

    def compile_from_config(self, config):
        self.compile(
            d_optimizer=keras.saving.deserialize_keras_object(config["d_optimizer"]),
            g_optimizer=keras.saving.deserialize_keras_object(config["g_optimizer"]),
        )

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def call(self, z):
        return self.generate(z)

    def generate(self, z):
        """Map latent codes to samples."""
        return self.generator(z)

    def discriminate(self, x):
        """Discriminator logits."""
        return self.discriminator(x)[:, 0]

    def sample(self, num_samples, seed=None):
        """Draw `num_samples` vectors."""
        z = tf.random.stateless_normal([num_samples, self.latent_dim], stateless_seed(seed))
        return self.generate(z)

    def train_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        batch = tf.shape(x)[0]
        seed = next_seed(self.seed_generator)
        z = replica_batch_noise(
            lambda n: tf.random.stateless_normal([n, self.latent_dim], seed), batch
        )
        with tf.GradientTape() as tape:
            real, fake = self.discriminate(x), self.discriminate(self.generate(z))
            d_per_example = tf.nn.softplus(-real) + tf.nn.softplus(fake)
            d_loss = tf.nn.compute_average_loss(d_per_example)
        variables = self.discriminator.trainable_variables
        self.d_optimizer.apply(tape.gradient(d_loss, variables), variables)
        with tf.GradientTape() as tape:
            g_per_example = tf.nn.softplus(-self.discriminate(self.generate(z)))
            g_loss = tf.nn.compute_average_loss(g_per_example)
        variables = self.generator.trainable_variables
        self.g_optimizer.apply(tape.gradient(g_loss, variables), variables)
        self.d_loss_tracker.update_state(d_per_example)
        self.g_loss_tracker.update_state(g_per_example)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        self.d_loss_tracker.update_state(tf.nn.softplus(-self.discriminate(x)))
        return {m.name: m.result() for m in self.metrics}

    def get_config(self):
        return {
            **super().get_config(),
            "data_dim": self.data_dim,
            "latent_dim": self.latent_dim,
            "hidden_units": self.hidden_units,
        }

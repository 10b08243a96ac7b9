"""Benchmark: zoo VAEs against a faithful Keras 3 port of keras.io's `vae.py`.

Data: Fashion-MNIST, statically binarized (pixel intensity / 255 > 0.5), for training and
test, identical batches for every model. Every model is trained with Adam (learning rate
1e-3, keras.io's setting), batch size 128, for the same number of epochs, the epochs of the
models interleaved so that the shared machine's load hits all of them alike.

Models (`--models`): `zoo_mlp` (`VAE.mlp`, 512-256), `zoo_conv` (`VAE.conv`, default
builder), both with a `--latent-dim` latent (16); `zoo_conv_z2`, the same conv VAE with
keras.io's 2-d latent (the like-for-like speed comparison); `keras_io`, the port.

Scores, all on the statically binarized test set, in nats per image, each as the mean over
images with its standard error (sample standard deviation / sqrt(n)):
    - test ELBO: one reparameterized draw per image, closed-form KL, all 10,000 images;
    - test NLL: -log p(x) by the importance-weighted estimate with K samples (Burda et al.
      2015), the same `zoo.evaluation.importance_weighted_log_prob` for every model, on the
      first `--nll-images` test images (K = 5000 decodes 5000 latents per image: ~1.2 s per
      image for a conv decoder on 2 cores, ~0.1 s for the MLP), beside the ELBO of those
      same images. Differences against `keras_io` are paired (same images) with their own
      standard error.

The keras.io model (https://keras.io/examples/generative/vae/, F. Chollet) is ported
unchanged: conv encoder 32-64 filters, a 16-unit dense layer, 2-d latent, a
transposed-conv decoder with sigmoid outputs, summed binary cross-entropy plus closed-form
KL, its own `Sampling` layer. For the IWAE score its sigmoid outputs are read as Bernoulli
means, clipped to [1e-7, 1 - 1e-7] as its `binary_crossentropy` loss clips them.

Training and scoring can run as separate jobs (each under the machine's CPU lock):
`--save-weights DIR` after training, then `--load-weights DIR` to score without training.

Run:
    python benchmarks/vae.py --epochs 3 --nll-images 0 --save-weights /tmp/vae_bench
    python benchmarks/vae.py --load-weights /tmp/vae_bench --models zoo_conv,keras_io \
        --nll-images 200
"""

import argparse
import os
import pathlib
import time

import keras
import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp
from keras import layers, ops

import zoo.data
from zoo.evaluation.importance_weighted import importance_weighted_log_prob
from zoo.models import VAE

tfd = tfp.distributions


# ------------------------------------------------------------ keras.io vae.py, ported
class Sampling(layers.Layer):
    """Uses (z_mean, z_log_var) to sample z, the vector encoding a digit."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = ops.shape(z_mean)[0]
        dim = ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


def keras_io_encoder_decoder(latent_dim=2):
    encoder_inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
    x = layers.Conv2D(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    z = Sampling()([z_mean, z_log_var])
    encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")

    latent_inputs = keras.Input(shape=(latent_dim,))
    x = layers.Dense(7 * 7 * 64, activation="relu")(latent_inputs)
    x = layers.Reshape((7, 7, 64))(x)
    x = layers.Conv2DTranspose(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu", strides=2, padding="same")(x)
    decoder_outputs = layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same")(x)
    decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")
    return encoder, decoder


class KerasIOVAE(keras.Model):
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.total_loss_tracker = keras.metrics.Mean(name="total_loss")
        self.reconstruction_loss_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

    @property
    def metrics(self):
        return [
            self.total_loss_tracker,
            self.reconstruction_loss_tracker,
            self.kl_loss_tracker,
        ]

    def train_step(self, data):
        with tf.GradientTape() as tape:
            z_mean, z_log_var, z = self.encoder(data)
            reconstruction = self.decoder(z)
            reconstruction_loss = ops.mean(
                ops.sum(keras.losses.binary_crossentropy(data, reconstruction), axis=(1, 2))
            )
            kl_loss = -0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
            kl_loss = ops.mean(ops.sum(kl_loss, axis=1))
            total_loss = reconstruction_loss + kl_loss
        grads = tape.gradient(total_loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights, strict=True))
        self.total_loss_tracker.update_state(total_loss)
        self.reconstruction_loss_tracker.update_state(reconstruction_loss)
        self.kl_loss_tracker.update_state(kl_loss)
        return {
            "loss": self.total_loss_tracker.result(),
            "reconstruction_loss": self.reconstruction_loss_tracker.result(),
            "kl_loss": self.kl_loss_tracker.result(),
        }


# ----------------------------------------------- one scoring interface for both kinds
def keras_io_posterior(model):
    def posterior(x):
        z_mean, z_log_var, _ = model.encoder(x)
        return tfd.MultivariateNormalDiag(loc=z_mean, scale_diag=ops.exp(0.5 * z_log_var))

    return posterior


def keras_io_log_likelihood(model, x, z):
    """log p(x | z) as keras.io's loss defines it: minus the summed clipped cross-entropy."""
    leading = tf.shape(z)[:-1]
    probs = model.decoder(tf.reshape(z, [-1, z.shape[-1]]))
    probs = tf.reshape(probs, tf.concat([leading, tf.shape(probs)[1:]], axis=0))
    x = tf.broadcast_to(x, tf.shape(probs))
    return -tf.reduce_sum(keras.losses.binary_crossentropy(x, probs), axis=(-2, -1))


def scorers(model):
    """(posterior_fn, log_joint_fn, log_likelihood_fn) for a zoo VAE or the keras.io port."""
    prior = tfd.MultivariateNormalDiag(loc=tf.zeros([model.decoder.input_shape[-1]]))
    if isinstance(model, VAE):
        posterior = model.encode

        def log_likelihood(x, z):
            return model.decode(z).log_prob(x)

    else:
        posterior = keras_io_posterior(model)

        def log_likelihood(x, z):
            return keras_io_log_likelihood(model, x, z)

    def log_joint(x, z):
        return prior.log_prob(z) + log_likelihood(x, z)

    return posterior, log_joint, log_likelihood, prior


def test_elbo(model, x_test, batch_size=500, seed=0):
    """Per-image ELBO (one reparameterized draw, closed-form KL), numpy `[len(x_test)]`."""
    posterior_fn, _, log_likelihood, prior = scorers(model)

    @tf.function
    def batch_elbo(x, seed):
        posterior = posterior_fn(x)
        z = posterior.sample(seed=seed)
        return log_likelihood(x, z) - tfd.kl_divergence(posterior, prior)

    values = [
        batch_elbo(x_test[i : i + batch_size], tf.constant([seed, i]))
        for i in range(0, len(x_test), batch_size)
    ]
    return tf.concat(values, 0).numpy()


def test_log_prob(model, x, num_samples, batch_size=10, draws_per_chunk=1024, seed=0):
    """Per-image IWAE estimate of log p(x), numpy `[len(x)]`.

    One `tf.function` call per `batch_size` images; its `tf.while_loop` decodes
    `draws_per_chunk` latents at once (a 28x28x32 feature map of 4096 latents is 400 MB;
    1024 decoded as fast per latent or faster here).
    """
    posterior_fn, log_joint, _, _ = scorers(model)

    @tf.function
    def batch_log_prob(x, seed):
        return importance_weighted_log_prob(
            x,
            posterior_fn,
            log_joint,
            num_samples,
            chunk_size=max(1, draws_per_chunk // batch_size),
            seed=seed,
        )

    values = [
        batch_log_prob(x[i : i + batch_size], tf.constant([seed, i]))
        for i in range(0, len(x), batch_size)
    ]
    return tf.concat(values, 0).numpy()


def mean_se(values):
    """`"mean ± standard error"` of per-image values."""
    values = np.asarray(values, np.float64)
    se = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else float("nan")
    return f"{values.mean():.2f} ± {se:.2f}"


def build(name, latent_dim):
    if name == "zoo_mlp":
        return VAE.mlp((28, 28, 1), latent_dim=latent_dim, hidden_units=[512, 256], seed=0)
    if name == "zoo_conv":
        return VAE.conv((28, 28, 1), latent_dim=latent_dim, seed=0)
    if name == "zoo_conv_z2":
        return VAE.conv((28, 28, 1), latent_dim=2, seed=0)
    if name == "keras_io":
        return KerasIOVAE(*keras_io_encoder_decoder(latent_dim=2))
    raise ValueError(f"unknown model {name!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default="zoo_mlp,zoo_conv,zoo_conv_z2,keras_io")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--latent-dim", type=int, default=16, help="zoo_mlp, zoo_conv")
    parser.add_argument("--train-images", type=int, default=60000)
    parser.add_argument("--num-samples", type=int, default=5000, help="K of the IWAE NLL")
    parser.add_argument("--nll-images", type=int, default=50, help="0: no NLL")
    parser.add_argument("--nll-models", default=None, help="subset of --models (default all)")
    parser.add_argument("--save-weights", type=pathlib.Path, help="folder, after training")
    parser.add_argument("--load-weights", type=pathlib.Path, help="folder; skips training")
    args = parser.parse_args()
    keras.utils.set_random_seed(0)

    def binarized(split):
        return zoo.data.binarize_static(zoo.data.load_arrays("fashion_mnist", split)[0])

    x_test = binarized("test")
    names = args.models.split(",")
    nll_names = set(args.nll_models.split(",") if args.nll_models else names)
    models = {name: build(name, args.latent_dim) for name in names}
    epoch_seconds = {name: [] for name in names}
    if args.load_weights:
        for name, model in models.items():
            for part in ("encoder", "decoder"):  # the keras.io port is never `built`
                getattr(model, part).load_weights(args.load_weights / f"{name}.{part}.weights.h5")
        print(f"weights of {', '.join(names)} loaded from {args.load_weights}; no training")
    else:
        x_train = binarized("train")[: args.train_images]
        for model in models.values():
            model.compile(optimizer=keras.optimizers.Adam(1e-3))
        for epoch in range(args.epochs):
            for name, model in models.items():
                start = time.perf_counter()
                history = model.fit(x_train, epochs=1, batch_size=args.batch_size, verbose=0)
                epoch_seconds[name].append(time.perf_counter() - start)
                print(
                    f"epoch {epoch + 1} {name}: loss {history.history['loss'][-1]:.2f}, "
                    f"{epoch_seconds[name][-1]:.1f} s, load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
        if args.save_weights:
            args.save_weights.mkdir(parents=True, exist_ok=True)
            for name, model in models.items():
                for part in ("encoder", "decoder"):
                    getattr(model, part).save_weights(
                        args.save_weights / f"{name}.{part}.weights.h5"
                    )
        print(
            f"\nFashion-MNIST, static binarization (> 0.5); {args.epochs} epochs on "
            f"{len(x_train)} training images, batch {args.batch_size}, Adam 1e-3."
        )

    nll_x = x_test[: args.nll_images]
    print(
        "\n| model | latent | params | s/epoch (first, median of rest) "
        "| test ELBO, 10k images | "
        + (
            f"first {args.nll_images} test images: ELBO | NLL, IWAE K={args.num_samples} | "
            if args.nll_images
            else ""
        )
        + "scoring s |"
    )
    print("| --- " * (8 if args.nll_images else 6) + "|")
    nll_values = {}
    for name, model in models.items():
        start = time.perf_counter()
        row = [
            name,
            str(model.decoder.input_shape[-1]),
            f"{sum(int(np.prod(w.shape)) for w in model.trainable_weights):,}",
        ]
        seconds = epoch_seconds[name]
        rest = f"{np.median(seconds[1:]):.1f}" if len(seconds) > 1 else "-"
        row.append(f"{seconds[0]:.1f}, {rest}" if seconds else "-")
        row.append(mean_se(test_elbo(model, x_test)))
        if args.nll_images:
            if name in nll_names:
                nll_values[name] = -test_log_prob(model, nll_x, args.num_samples)
                row += [mean_se(test_elbo(model, nll_x, batch_size=10)), mean_se(nll_values[name])]
            else:
                row += ["-", "-"]
        row.append(f"{time.perf_counter() - start:.0f}")
        print("| " + " | ".join(row) + " |", flush=True)
    if "keras_io" in nll_values and len(nll_values) > 1:
        print("\nPaired NLL differences against keras_io (same images):")
        for name, values in nll_values.items():
            if name != "keras_io":
                print(f"  {name} - keras_io: {mean_se(values - nll_values['keras_io'])}")
    print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()

"""Our `GAN` vs a faithful Keras 3 port of keras.io's "GAN overriding `Model.train_step`".

    python benchmarks/dcgan_vs_kerasio.py --timing-steps 30 --train-seconds 360

Same networks (the example's 28x28x1 generator and discriminator, latent 128), same
optimizers (Adam 3e-4 for both players), same data (Fashion-MNIST train in [0, 1]), same
initial weights, batch 64, run side by side in one process, interleaved in blocks so all
see the same machine load. Three models:

- keras.io (Keras 3 port): the example's `train_step` and layers;
- zoo GAN, same kernels: our `GAN` on the example's layers (`keras.layers.Conv2D` output);
- zoo DCGAN "kerasio": the same, with the 7x7 output convolution computed by
  `zoo.layers.tap_conv.TapConv2D` (same function and weights, cheaper CPU kernels).

Reports:

1. ms per training step of each (median over interleaved blocks, after a warm-up);
2. FD-FMNIST (and KID) after equal wall-clock training time, keras.io vs zoo DCGAN: both
   train in alternating blocks of `--block-steps` until each has used `--train-seconds`,
   then `--fd-samples` samples of each are scored against as many Fashion-MNIST test
   images with `zoo.evaluation.sample_quality` on the `classifier_fashion_mnist` features.

Where the steps differ (all visible in the code): keras.io's step generates a fake batch for
the discriminator update, then draws *fresh* noise and runs the generator again for the
generator update; ours runs the generator once and back-propagates the generator update
through that same pass, scored by the updated discriminator (two updates, alternating, as
in Goodfellow et al.'s algorithm). keras.io adds 0.05·U[0, 1] noise to the labels; ours
smooths the real targets one-sidedly (Salimans et al.), `--label-smoothing` 0.1 by default
(0: plain targets).
"""

import argparse
import statistics
import time

import keras
import numpy as np
import tensorflow as tf

import zoo.data
from zoo.evaluation.sample_quality import sample_quality
from zoo.models import DCGAN, GAN
from zoo.models.adversarial.dcgan import kerasio_discriminator, kerasio_generator

LATENT_DIM = 128


class KerasIOGAN(keras.Model):
    """The keras.io example's GAN, ported to Keras 3 (seed generator, metric trackers)."""

    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.seed_generator = keras.random.SeedGenerator(1337)

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn
        self.d_loss_metric = keras.metrics.Mean(name="d_loss")
        self.g_loss_metric = keras.metrics.Mean(name="g_loss")

    @property
    def metrics(self):
        return [self.d_loss_metric, self.g_loss_metric]

    def train_step(self, real_images):
        if isinstance(real_images, tuple):
            real_images = real_images[0]
        batch_size = tf.shape(real_images)[0]
        random_latent_vectors = keras.random.normal(
            shape=(batch_size, self.latent_dim), seed=self.seed_generator
        )
        generated_images = self.generator(random_latent_vectors)
        combined_images = tf.concat([generated_images, real_images], axis=0)
        labels = tf.concat([tf.ones((batch_size, 1)), tf.zeros((batch_size, 1))], axis=0)
        labels += 0.05 * keras.random.uniform(tf.shape(labels), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            predictions = self.discriminator(combined_images)
            d_loss = self.loss_fn(labels, predictions)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

        random_latent_vectors = keras.random.normal(
            shape=(batch_size, self.latent_dim), seed=self.seed_generator
        )
        misleading_labels = tf.zeros((batch_size, 1))
        with tf.GradientTape() as tape:
            predictions = self.discriminator(self.generator(random_latent_vectors))
            g_loss = self.loss_fn(misleading_labels, predictions)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        self.d_loss_metric.update_state(d_loss)
        self.g_loss_metric.update_state(g_loss)
        return {
            "d_loss": self.d_loss_metric.result(),
            "g_loss": self.g_loss_metric.result(),
        }


THEIRS, SAME_KERNELS, OURS = (
    "keras.io (Keras 3 port)",
    "zoo GAN, same kernels",
    "zoo DCGAN kerasio (TapConv2D output)",
)


def build_models(seed, xla=False, label_smoothing=0.0):
    """The three models, each from the same initial weights (seeded builds)."""

    def adam_pair():
        return {
            "d_optimizer": keras.optimizers.Adam(3e-4),
            "g_optimizer": keras.optimizers.Adam(3e-4),
        }

    keras.utils.set_random_seed(seed)
    theirs = KerasIOGAN(
        kerasio_discriminator(), kerasio_generator(LATENT_DIM, tap_output=False), LATENT_DIM
    )
    theirs.compile(**adam_pair(), loss_fn=keras.losses.BinaryCrossentropy(from_logits=True))
    keras.utils.set_random_seed(seed)
    same = GAN(
        kerasio_generator(LATENT_DIM, tap_output=False),
        kerasio_discriminator(),
        LATENT_DIM,
        data_range=(0.0, 1.0),
        seed=seed,
    )
    same.compile(**adam_pair(), jit_compile=xla)
    keras.utils.set_random_seed(seed)
    ours = DCGAN(
        (28, 28, 1),
        latent_dim=LATENT_DIM,
        architecture="kerasio",
        label_smoothing=label_smoothing,
        seed=seed,
    )
    ours.compile(**adam_pair(), jit_compile=xla)
    return {THEIRS: theirs, SAME_KERNELS: same, OURS: ours}


def batches(images, batch_size, seed):
    rng = np.random.default_rng(seed)
    while True:
        for i in np.array_split(rng.permutation(len(images)), len(images) // batch_size):
            yield images[i[:batch_size]]


def timed_steps(model, stream, steps):
    start = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(next(stream))
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--timing-steps", type=int, default=30, help="steps per timed block")
    parser.add_argument("--timing-blocks", type=int, default=3)
    parser.add_argument("--train-seconds", type=float, default=360.0, help="0 skips FD")
    parser.add_argument("--block-steps", type=int, default=10, help="steps per training block")
    parser.add_argument("--fd-samples", type=int, default=5000)
    parser.add_argument(
        "--fd-every", type=float, default=0, help="also FD (1,000 samples) every this many s"
    )
    parser.add_argument("--xla", action="store_true", help="jit_compile our train_step")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--label-smoothing",
        type=float,
        default=0.1,
        help="one-sided, zoo DCGAN only (keras.io adds its own label noise)",
    )
    args = parser.parse_args()

    train, _ = zoo.data.load_arrays("fashion_mnist", "train")
    train = zoo.data.to_unit_interval(train)
    models = build_models(args.seed, args.xla, args.label_smoothing)
    streams = {name: batches(train, args.batch_size, args.seed) for name in models}
    steps = {name: 0 for name in models}

    for name, model in models.items():  # warm-up: tracing and first steps
        timed_steps(model, streams[name], 3)
        steps[name] += 3
    per_step = {name: [] for name in models}
    for _ in range(args.timing_blocks):
        for name, model in models.items():
            seconds = timed_steps(model, streams[name], args.timing_steps)
            per_step[name].append(1000 * seconds / args.timing_steps)
            steps[name] += args.timing_steps
    ms = {name: statistics.median(values) for name, values in per_step.items()}

    quality, curves = {}, {}
    if args.train_seconds > 0:
        test, _ = zoo.data.load_arrays("fashion_mnist", "test")
        real = zoo.data.to_unit_interval(test[: args.fd_samples])

        def score(model, num_samples):
            z = tf.random.stateless_normal([num_samples, LATENT_DIM], [args.seed, 7])
            fake = model.generator.predict(z, batch_size=500, verbose=0)
            return sample_quality(real[:num_samples], fake, seed=args.seed)

        contenders = {name: models[name] for name in (THEIRS, OURS)}
        used = {name: 0.0 for name in contenders}
        curves = {name: [] for name in contenders}
        while min(used.values()) < args.train_seconds:
            for name, model in contenders.items():
                if used[name] < args.train_seconds:
                    before = used[name]
                    used[name] += timed_steps(model, streams[name], args.block_steps)
                    steps[name] += args.block_steps
                    if args.fd_every and int(used[name] // args.fd_every) > int(
                        before // args.fd_every
                    ):  # untimed: FD of 1,000 samples along the run
                        fd = score(model, 1000)["fd"]
                        curves[name].append(f"{used[name]:.0f} s / {steps[name]}: {fd:.0f}")
        for name, model in contenders.items():
            quality[name] = (score(model, args.fd_samples), steps[name], used[name])

    print(
        f"\nbatch={args.batch_size}, Fashion-MNIST train, Adam(3e-4) x2, xla={args.xla}, "
        f"zoo label_smoothing={args.label_smoothing}, "
        f"timing: median of {args.timing_blocks} interleaved blocks of {args.timing_steps} "
        f"steps after 3 warm-up steps; per-block ms: "
        + "; ".join(f"{name}: {[round(v) for v in values]}" for name, values in per_step.items())
        + "\n"
    )
    print(
        "| model | ms/step | ratio to keras.io | steps in all (s of equal-time training) | FD-FMNIST | KID-FMNIST |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for name in models:
        cells = f"| {name} | {ms[name]:.0f} | {ms[name] / ms[THEIRS]:.2f} |"
        if name in quality:
            result, n, seconds = quality[name]
            cells += (
                f" {n} ({seconds:.0f} s) | {result['fd']:.2f} | "
                f"{result['kid']:.4f} ± {result['kid_std']:.4f} |"
            )
        else:
            cells += " - | - | - |"
        print(cells)
    for name, curve in curves.items():
        print(f"\nFD-FMNIST along the run (training s / steps: FD, 1,000 samples), {name}: ")
        print(", ".join(curve))
    if quality:
        print(
            f"\nFD protocol: {quality[OURS][0]['protocol']}, real = Fashion-MNIST test[:{args.fd_samples}]"
        )


if __name__ == "__main__":
    main()

"""Our `GAN` vs a faithful Keras 3 port of keras.io's "GAN overriding `Model.train_step`".

    python -m benchmarks run dcgan_vs_kerasio --timing-steps 20   # step times, JSON record
    python benchmarks/dcgan_vs_kerasio.py --timing-steps 20 --train-seconds 300 --fd-every 60

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
2. with `--train-seconds` > 0 (default 0: step times only), FD-FMNIST (and KID) after
   equal wall-clock training time, keras.io vs zoo DCGAN: both
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

Target (issue 15): zoo DCGAN ms/step <= 0.75x keras.io's. `--smoke`: batch 8 of random
images, one timed step of keras.io and zoo DCGAN each, no FD.
"""

import time

import keras
import numpy as np
import tensorflow as tf
from _timing import contender, forward_flops, interleaved_rounds, scaled, target

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
        self.d_optimizer.apply_gradients(
            zip(grads, self.discriminator.trainable_weights, strict=True)
        )

        random_latent_vectors = keras.random.normal(
            shape=(batch_size, self.latent_dim), seed=self.seed_generator
        )
        misleading_labels = tf.zeros((batch_size, 1))
        with tf.GradientTape() as tape:
            predictions = self.discriminator(self.generator(random_latent_vectors))
            g_loss = self.loss_fn(misleading_labels, predictions)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights, strict=True))
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


def step_flops(model, batch_size, regenerates):
    """FLOPs of one GAN step, 3x forward for each pass trained through (backward ~ 2x).

    The discriminator update: a generator pass without gradient where the step generates
    afresh for it (`regenerates`, keras.io), D forward + backward on fakes and reals; the
    generator update: G and D forward + backward on one batch of fakes.
    """
    generator = forward_flops(model.generator, batch_size)
    discriminator = forward_flops(model.discriminator, batch_size)
    return (
        (generator if regenerates else 0)
        + 3 * (2 * discriminator)
        + 3 * (generator + discriminator)
    )


def run(
    smoke=False,
    batch_size=64,
    timing_steps=20,
    timing_blocks=3,
    train_seconds=0.0,
    block_steps=10,
    fd_samples=5000,
    fd_every=0.0,
    xla=False,
    seed=0,
    label_smoothing=0.1,
):
    """ms per step of the three models (interleaved blocks), optionally FD after equal time.

    Args:
        smoke: Batch 8 of random images, 1 warm-up and 1 timed step each, no FD, without
            the "same kernels" model.
        batch_size: Images per step.
        timing_steps: Steps per timed block.
        timing_blocks: Timed blocks per model, interleaved.
        train_seconds: Then train keras.io and zoo DCGAN this many seconds each and score
            FD-FMNIST; 0 skips it.
        block_steps: Steps per training block of the equal-time run.
        fd_samples: Samples scored for the final FD.
        fd_every: Also FD of 1,000 samples every this many training seconds (0: never).
        xla: `jit_compile` our train steps.
        seed: Initial weights and data order.
        label_smoothing: One-sided, zoo DCGAN only (keras.io adds its own label noise).
    """
    warmup_steps = 3
    if smoke:
        batch_size, timing_steps, timing_blocks, train_seconds, warmup_steps = 8, 1, 1, 0.0, 1
        train = np.random.default_rng(seed).random((4 * batch_size, 28, 28, 1), "float32")
    else:
        train, _ = zoo.data.load_arrays("fashion_mnist", "train")
        train = zoo.data.to_unit_interval(train)
    models = build_models(seed, xla, label_smoothing)
    if smoke:  # zoo GAN on the same kernels runs the code path of zoo DCGAN
        del models[SAME_KERNELS]
    streams = {name: batches(train, batch_size, seed) for name in models}
    steps = {name: warmup_steps for name in models}
    for name, model in models.items():  # warm-up: tracing and first steps
        timed_steps(model, streams[name], warmup_steps)

    def block(name):
        steps[name] += timing_steps
        return timed_steps(models[name], streams[name], timing_steps)

    times = interleaved_rounds({name: lambda n=name: block(n) for name in models}, timing_blocks, 0)

    contenders = {}
    for name, model in models.items():
        per_step = scaled(times[name], 1e3 / timing_steps)
        contenders[name] = contender(
            per_step["wall"],
            per_step["cpu"],
            unit="ms/step",
            flops_per_step=step_flops(model, batch_size, regenerates=name == THEIRS),
        )
    notes = []
    if train_seconds > 0:
        notes += equal_time_quality(
            models,
            streams,
            steps,
            contenders,
            train_seconds,
            block_steps,
            fd_samples,
            fd_every,
            seed,
        )
    ms = {name: entry["wall"]["median"] for name, entry in contenders.items()}
    cpu_ms = {name: entry["cpu"]["median"] for name, entry in contenders.items()}
    targets = [
        target(
            f"{OURS} / keras.io ms per step (medians)",
            ms[OURS] / ms[THEIRS],
            "<= 0.75",
            cpu_ratio=cpu_ms[OURS] / cpu_ms[THEIRS],
            **({"same_kernels_ratio": ms[SAME_KERNELS] / ms[THEIRS]} if SAME_KERNELS in ms else {}),
        )
    ]
    data = "random images (smoke)" if smoke else "Fashion-MNIST train in [0, 1]"
    notes[:0] = [
        (
            f"batch {batch_size}, {data}, Adam(3e-4) x2, xla={xla}, zoo label_smoothing="
            f"{label_smoothing}; ms/step: {timing_blocks} interleaved blocks of {timing_steps} "
            f"steps after {warmup_steps} warm-up steps each."
        ),
        (
            "FLOPs per step: 3x forward FLOPs of each pass trained through, plus keras.io's "
            "second generator pass; Dense, Conv2D, Conv2DTranspose layers, 2 per multiply-add "
            "(TapConv2D counted as the Conv2D it equals)."
        ),
    ]
    return {
        "settings": {
            "batch_size": batch_size,
            "timing_steps": timing_steps,
            "timing_blocks": timing_blocks,
            "train_seconds": train_seconds,
            "xla": xla,
            "seed": seed,
            "label_smoothing": label_smoothing,
        },
        "contenders": contenders,
        "targets": targets,
        "notes": notes,
    }


def equal_time_quality(
    models, streams, steps, contenders, train_seconds, block_steps, fd_samples, fd_every, seed
):
    """Train keras.io and zoo DCGAN for equal time; FD/KID into `contenders`; curve notes."""
    test, _ = zoo.data.load_arrays("fashion_mnist", "test")
    real = zoo.data.to_unit_interval(test[:fd_samples])

    def score(model, num_samples):
        z = tf.random.stateless_normal([num_samples, LATENT_DIM], [seed, 7])
        fake = model.generator.predict(z, batch_size=500, verbose=0)
        return sample_quality(real[:num_samples], fake, seed=seed)

    chosen = {name: models[name] for name in (THEIRS, OURS)}
    used = {name: 0.0 for name in chosen}
    curves = {name: [] for name in chosen}
    while min(used.values()) < train_seconds:
        for name, model in chosen.items():
            if used[name] < train_seconds:
                before = used[name]
                used[name] += timed_steps(model, streams[name], block_steps)
                steps[name] += block_steps
                if fd_every and int(used[name] // fd_every) > int(before // fd_every):
                    fd = score(model, 1000)["fd"]  # untimed: FD of 1,000 samples along the run
                    curves[name].append(f"{used[name]:.0f} s / {steps[name]}: {fd:.0f}")
    protocol = None
    for name, model in chosen.items():
        result = score(model, fd_samples)
        protocol = result["protocol"]
        contenders[name].update(
            steps_in_all=steps[name],
            training_s=used[name],
            fd_fmnist=result["fd"],
            kid_fmnist=result["kid"],
            kid_std=result["kid_std"],
        )
    notes = [f"FD-FMNIST along the run, {name}: " + ", ".join(c) for name, c in curves.items() if c]
    return notes + [f"FD protocol: {protocol}, real = Fashion-MNIST test[:{fd_samples}]"]


if __name__ == "__main__":
    from harness import script_main

    script_main(run)

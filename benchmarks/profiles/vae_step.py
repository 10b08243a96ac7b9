"""Profile: where a training step of the zoo conv VAE spends its time, beside keras.io's.

Two side-by-side measurements on one fixed batch of 128 statically binarized Fashion-MNIST
images, the variants interleaved round by round (min and median of the rounds):

1. `--part ops`: the decoder's last layer alone, forward and backward on a 28x28x32 feature
   map to `--channels` outputs: `Conv2D` (the `vae_fashion_mnist` v1 layer), its kernel
   gradient `Conv2DBackpropFilter` alone, `Conv2DTranspose` (keras.io's layer, now
   `VAE.conv`'s default), and the `Conv2D` computed as a transposed convolution with its
   kernel flipped and its channel axes swapped (the same function).
2. `--part steps`: compiled `train_step`s (`tf.function`, as `fit` runs them) of the
   keras.io port (`kio`) and of `VAE.conv` variants named by `_`-joined tags:
   `z2` / `z16` latent size; `conv` the `Conv2D` output layer (default: transposed);
   `fused` the Bernoulli log-likelihood as one `sigmoid_cross_entropy_with_logits`
   instead of `tfd.Independent(tfd.Bernoulli(logits))` (same math); `nocheck` without the
   [0, 1] input assertion; `onetracker` updating only the loss tracker.
3. `--part fit`: the same models trained by `model.fit` (batch 128, Adam 1e-3) on
   `--steps` batches of the training set per round, reported as seconds per 469 steps
   (one epoch of 60,000 images); the first round (tracing) is not counted. The
   like-for-like comparison with its target is `python -m benchmarks run vae_vs_kerasio`.

Run:
    python benchmarks/profiles/vae_step.py --part ops
    python benchmarks/profiles/vae_step.py --part steps --variants kio,z2,z16,z2_conv,z2_fused
    python benchmarks/profiles/vae_step.py --part fit --variants kio,z16,z2,z16_conv --steps 80
"""

import argparse
import os
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # benchmarks/vae.py

import keras
import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp
from vae import KerasIOVAE, keras_io_encoder_decoder

import zoo.data
from zoo.models import VAE

tfd = tfp.distributions


class FusedBernoulli(VAE):
    """The same VAE with the Bernoulli log-likelihood as one fused cross-entropy."""

    def _elbo_terms_at(self, x, posterior, z, training):
        logits = self.decoder(z, training=training)
        cross_entropy = tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=logits)
        return -tf.reduce_sum(cross_entropy, [1, 2, 3]), tfd.kl_divergence(posterior, self.prior)


class NoInputCheck(VAE):
    def _check_data(self, x):
        return tf.cast(x, tf.float32)


class OneTracker(VAE):
    @property
    def metrics(self):
        return [self.loss_tracker]

    def _update_metrics(self, loss, terms, sample_weight):
        self.loss_tracker.update_state(loss, sample_weight=sample_weight)


TAG_CLASSES = {"fused": FusedBernoulli, "nocheck": NoInputCheck, "onetracker": OneTracker}


def build_variant(name):
    if name == "kio":
        return KerasIOVAE(*keras_io_encoder_decoder(2))
    tags = name.split("_")
    latent = 16 if tags[0] == "z16" else 2
    layer = "conv2d" if "conv" in tags else "conv2d_transpose"
    model = VAE.conv((28, 28, 1), latent_dim=latent, seed=0, output_layer=layer)
    for tag, cls in TAG_CLASSES.items():
        if tag in tags:
            model = cls(model.encoder, model.decoder, latent, seed=0)
    return model


def step_functions(names, x):
    functions = {}
    for name in names:
        model = build_variant(name)
        model.compile(optimizer=keras.optimizers.Adam(1e-3))
        model.optimizer.build(model.trainable_variables)
        functions[name] = tf.function(model.train_step)
    return {name: (lambda f=f: f(x)) for name, f in functions.items()}


def fit_functions(names, x):
    functions = {}
    for name in names:
        model = build_variant(name)
        model.compile(optimizer=keras.optimizers.Adam(1e-3))
        functions[name] = lambda model=model: model.fit(x, batch_size=128, verbose=0).history
    return functions


def output_layer_functions(channels, batch=128):
    x = tf.random.normal([batch, 28, 28, 32])
    kernel = tf.Variable(tf.random.normal([3, 3, 32, channels]) * 0.1)
    transposed_kernel = tf.Variable(tf.random.normal([3, 3, channels, 32]) * 0.1)
    upstream = tf.random.normal([batch, 28, 28, channels])
    out_shape = [batch, 28, 28, channels]

    def forward_backward(forward, variable):
        @tf.function
        def run():
            with tf.GradientTape() as tape:
                tape.watch(x)
                loss = tf.reduce_sum(forward() * upstream)
            return tape.gradient(loss, [x, variable])

        return run

    def conv_as_transpose():
        flipped = tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2])
        return tf.nn.conv2d_transpose(x, flipped, out_shape, 1, "SAME")

    difference = tf.reduce_max(tf.abs(tf.nn.conv2d(x, kernel, 1, "SAME") - conv_as_transpose()))
    print(f"max |Conv2D - Conv2D as flipped transpose| = {float(difference):.2e}")
    kernel_gradient = tf.function(
        lambda: tf.raw_ops.Conv2DBackpropFilter(
            input=x,
            filter_sizes=kernel.shape,
            out_backprop=upstream,
            strides=[1, 1, 1, 1],
            padding="SAME",
        )
    )
    return {
        "Conv2D fwd+bwd": forward_backward(lambda: tf.nn.conv2d(x, kernel, 1, "SAME"), kernel),
        "Conv2D kernel gradient only": kernel_gradient,
        "Conv2DTranspose fwd+bwd": forward_backward(
            lambda: tf.nn.conv2d_transpose(x, transposed_kernel, out_shape, 1, "SAME"),
            transposed_kernel,
        ),
        "Conv2D as flipped transpose fwd+bwd": forward_backward(conv_as_transpose, kernel),
    }


def interleaved_ms(functions, rounds, calls):
    for function in functions.values():
        function()  # trace
    times = {name: [] for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            start = time.perf_counter()
            for _ in range(calls):
                result = function()
            tf.nest.map_structure(np.asarray, result)
            times[name].append((time.perf_counter() - start) / calls * 1e3)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=("ops", "steps", "fit"), default="steps")
    parser.add_argument("--variants", default="kio,z2,z16,z2_conv,z2_fused,z2_nocheck")
    parser.add_argument("--channels", type=int, default=1, help="--part ops")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--calls", type=int, default=15, help="calls per round (ops, steps)")
    parser.add_argument("--steps", type=int, default=80, help="batches per round (fit)")
    args = parser.parse_args()
    images = zoo.data.load_arrays("fashion_mnist", "train")[0]
    if args.part == "ops":
        functions = output_layer_functions(args.channels)
    elif args.part == "steps":
        batch = zoo.data.binarize_static(images[:128])
        functions = step_functions(args.variants.split(","), batch)
    else:
        functions = fit_functions(
            args.variants.split(","), zoo.data.binarize_static(images[: 128 * args.steps])
        )
    times = interleaved_ms(functions, args.rounds, 1 if args.part == "fit" else args.calls)
    if args.part == "fit":  # ms per round of `--steps` batches -> s per 469 steps
        times = {name: [t * 469 / args.steps / 1e3 for t in v] for name, v in times.items()}
    threads = os.environ.get("TF_NUM_INTRAOP_THREADS", "default")
    print(f"\nload average {os.getloadavg()}, intra-op threads {threads}\n")
    unit = "s per 469 steps" if args.part == "fit" else "ms per call"
    print(f"| variant | {unit}, min | median |\n| --- | --- | --- |")
    for name, values in times.items():
        print(f"| {name} | {min(values):.1f} | {np.median(values):.1f} |")


if __name__ == "__main__":
    main()

"""MADE 784-500-784 on binarized Fashion-MNIST: zoo's Keras 3 MADE vs TFP's AutoregressiveNetwork.

Both models: one hidden layer of 500 ReLU units, natural order, evenly spread hidden
degrees, Bernoulli outputs, Adam(1e-3), the same number of epochs, in the same process,
and the same batches in the same order (the package's `zoo.data.load` pipeline). TFP's
`tfb.AutoregressiveNetwork` is a tf-keras layer; it is trained here with a plain
`tf.GradientTape` step compiled by `tf.function` (that is the only place the zoo touches
it). Ours is trained with `model.fit`. The test NLL is the exact
-log p(x) in nats averaged over the 10,000 test images, binarized with threshold 0.5.

The two train epoch by epoch in turn (TFP's epoch 1, ours, TFP's epoch 2, ...), so both
see the same machine load; each `fit` call is one epoch. Wall seconds per epoch and the
process CPU seconds per epoch are both reported, as the median over the epochs after the
first (tracing and compilation); CPU time is less sensitive to other jobs on a shared
machine.

    python benchmarks/made_vs_tfp.py --epochs 2 --seeds 0,1
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp

import zoo.data
from zoo.models.autoregressive import MADE

tfd, tfb = tfp.distributions, tfp.bijectors


def binarized_fashion_mnist(split):
    images, _ = zoo.data.load_arrays("fashion_mnist", split)
    return zoo.data.binarize_static(images).reshape(len(images), -1)


def train_batches(seed, epoch, args):
    """The epoch's batches from `zoo.data.load`, shuffled by the run's seed and the epoch.

    The pipeline shuffles the uint8 images and binarizes whole batches. It is built once
    per contender and epoch, so both see the same batches in the same order.
    """
    dataset = zoo.data.load(
        "fashion_mnist",
        binarize="static",
        shuffle=True,
        batch_size=args.batch_size,
        seed=1000 * seed + epoch,
    )
    dataset = dataset.take(args.train_size // args.batch_size)
    return dataset.map(lambda images, labels: tf.reshape(images, [-1, 784]))


def timed(run_epoch, batches):
    """Wall and process CPU seconds of `run_epoch(batches)`."""
    start, start_cpu = time.perf_counter(), time.process_time()
    run_epoch(batches)
    return time.perf_counter() - start, time.process_time() - start_cpu


class Ours:
    """zoo's MADE, trained with `model.fit`, one epoch per `epoch()` call."""

    def __init__(self, args):
        self.model = MADE(784, hidden_units=[500])
        self.model.compile(
            optimizer=keras.optimizers.Adam(args.learning_rate),
            steps_per_execution=args.steps_per_execution,
            jit_compile=args.jit_compile,
        )

    def epoch(self, batches):
        self.model.fit(batches, epochs=1, shuffle=False, verbose=0)

    def test_nll(self, x_test):
        return -float(np.mean(self.model.log_prob(x_test)))


class TFP:
    """TFP's `AutoregressiveNetwork` trained by a `tf.function` GradientTape step."""

    def __init__(self, args):
        import tf_keras

        self.made = tfb.AutoregressiveNetwork(
            params=1, event_shape=[784], hidden_units=[500], activation="relu"
        )
        self.optimizer = tf_keras.optimizers.Adam(args.learning_rate)
        self.train_step = tf.function(self._train_step)

    def nll(self, x):
        logits = self.made(x)[..., 0]
        return -tfd.Independent(tfd.Bernoulli(logits=logits), 1).log_prob(x)

    def _train_step(self, x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(self.nll(x))
        variables = self.made.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    def epoch(self, batches):
        for x in batches:
            self.train_step(x)

    def test_nll(self, x_test):
        batches = tf.data.Dataset.from_tensor_slices(x_test).batch(1000)
        return float(np.mean(tf.concat([self.nll(x) for x in batches], 0)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--steps-per-execution", type=int, default=50)
    parser.add_argument("--jit-compile", action="store_true")
    parser.add_argument(
        "--train-size", type=int, default=60000, help="images per epoch (the first batches)"
    )
    parser.add_argument("--seeds", default="0", help="comma-separated seeds, one run each")
    args = parser.parse_args()

    x_test = binarized_fashion_mnist("test")
    tfp_name, ours_name = "TFP AutoregressiveNetwork (GradientTape loop)", "zoo MADE (model.fit)"
    rows = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        contenders = {}
        for name, runner in ((tfp_name, TFP), (ours_name, Ours)):
            keras.utils.set_random_seed(seed)
            contenders[name] = runner(args)
        seconds = {name: [] for name in contenders}
        for epoch in range(args.epochs):  # interleaved: both see the same machine load
            for name, runner in contenders.items():
                seconds[name].append(timed(runner.epoch, train_batches(seed, epoch, args)))
        # epochs after the first (tracing, compilation): median wall and CPU seconds
        later, later_cpu, fastest = {}, {}, {}
        for name, times in seconds.items():
            later[name], later_cpu[name] = np.median(times[1:] or times, axis=0)
            fastest[name] = min(wall for wall, _ in times[1:] or times)
        for name, runner in contenders.items():
            rows.append(
                (
                    name,
                    seed,
                    seconds[name][0][0],
                    later[name],
                    later[tfp_name] / later[name],
                    fastest[name],
                    fastest[tfp_name] / fastest[name],
                    later_cpu[name],
                    later_cpu[tfp_name] / later_cpu[name],
                    runner.test_nll(x_test),
                )
            )
    print(
        f"\nMADE 784-500-784, binarized Fashion-MNIST (threshold 0.5), {args.epochs} epochs, "
        f"batch {args.batch_size}, Adam({args.learning_rate}), "
        f"steps_per_execution={args.steps_per_execution}, jit_compile={args.jit_compile}, "
        f"load average {os.getloadavg()[0]:.1f}\n"
    )
    print(
        "| model | seed | s/epoch (first) | s/epoch (later, median) | speed-up | "
        "s/epoch (later, min) | speed-up (min) | CPU s/epoch (later, median) | "
        "speed-up (CPU) | test NLL (nats) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, seed, first, later, speed, low, low_speed, cpu, cpu_speed, nll in rows:
        print(
            f"| {name} | {seed} | {first:.2f} | {later:.2f} | {speed:.2f}x | {low:.2f} | "
            f"{low_speed:.2f}x | {cpu:.2f} | {cpu_speed:.2f}x | {nll:.2f} |"
        )


if __name__ == "__main__":
    main()

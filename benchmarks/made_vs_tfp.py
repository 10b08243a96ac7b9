"""MADE 784-500-784 on binarized Fashion-MNIST: zoo's Keras 3 MADE vs TFP's AutoregressiveNetwork.

Both models: one hidden layer of 500 ReLU units, natural order, evenly spread hidden
degrees, Bernoulli outputs, Adam(1e-3), the same batches, the same number of epochs, in
the same process. TFP's `tfb.AutoregressiveNetwork` is a tf-keras layer; it is trained
here with a plain `tf.GradientTape` step compiled by `tf.function` (that is the only place
the zoo touches it). Ours is trained with `model.fit`. The test NLL is the exact
-log p(x) in nats averaged over the 10,000 test images, binarized with threshold 0.5.

Wall seconds per epoch and the process CPU seconds per epoch are both reported (CPU time
is less sensitive to other jobs on a shared machine).

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
from _timing import EpochTimer

import zoo.data
from zoo.models.autoregressive import MADE

tfd, tfb = tfp.distributions, tfp.bijectors


class EpochCPUTimer(EpochTimer):
    """`EpochTimer` that also records the process CPU seconds of every epoch."""

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.cpu_seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        super().on_epoch_begin(epoch, logs)
        self._start_cpu = time.process_time()

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        self.cpu_seconds.append(time.process_time() - self._start_cpu)


def binarized_fashion_mnist(split):
    images, _ = zoo.data.load_arrays("fashion_mnist", split)
    return zoo.data.binarize_static(images).reshape(len(images), -1)


def train_ours(x_train, x_test, args):
    model = MADE(784, hidden_units=[500])
    model.compile(
        optimizer=keras.optimizers.Adam(args.learning_rate),
        steps_per_execution=args.steps_per_execution,
        jit_compile=args.jit_compile,
    )
    timer = EpochCPUTimer()
    model.fit(
        x_train,
        batch_size=args.batch_size,
        epochs=args.epochs,
        shuffle=True,
        callbacks=[timer],
        verbose=0,
    )
    nll = -float(np.mean(model.log_prob(x_test)))
    return timer.seconds, timer.cpu_seconds, nll


def train_tfp(x_train, x_test, args):
    import tf_keras

    made = tfb.AutoregressiveNetwork(
        params=1, event_shape=[784], hidden_units=[500], activation="relu"
    )
    optimizer = tf_keras.optimizers.Adam(args.learning_rate)

    def nll(x):
        logits = made(x)[..., 0]
        return -tfd.Independent(tfd.Bernoulli(logits=logits), 1).log_prob(x)

    @tf.function
    def train_step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(nll(x))
        grads = tape.gradient(loss, made.trainable_variables)
        optimizer.apply_gradients(zip(grads, made.trainable_variables))
        return loss

    seconds, cpu_seconds = [], []
    for epoch in range(args.epochs):
        data = (
            tf.data.Dataset.from_tensor_slices(x_train)
            .shuffle(len(x_train), seed=epoch)
            .batch(args.batch_size)
            .prefetch(2)
        )
        start, start_cpu = time.perf_counter(), time.process_time()
        for x in data:
            train_step(x)
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - start_cpu)
    test_nll = float(
        np.mean(
            tf.concat([nll(x) for x in tf.data.Dataset.from_tensor_slices(x_test).batch(1000)], 0)
        )
    )
    return seconds, cpu_seconds, test_nll


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--steps-per-execution", type=int, default=50)
    parser.add_argument("--jit-compile", action="store_true")
    parser.add_argument("--train-size", type=int, default=60000)
    parser.add_argument("--seeds", default="0", help="comma-separated seeds, one run each")
    args = parser.parse_args()

    x_train = binarized_fashion_mnist("train")[: args.train_size]
    x_test = binarized_fashion_mnist("test")
    tfp_name, ours_name = "TFP AutoregressiveNetwork (GradientTape loop)", "zoo MADE (model.fit)"
    rows = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        keras.utils.set_random_seed(seed)
        results = {tfp_name: train_tfp(x_train, x_test, args)}
        keras.utils.set_random_seed(seed)
        results[ours_name] = train_ours(x_train, x_test, args)
        later = {name: np.mean(r[0][1:] or r[0]) for name, r in results.items()}
        later_cpu = {name: np.mean(r[1][1:] or r[1]) for name, r in results.items()}
        for name, (seconds, _, test_nll) in results.items():
            rows.append(
                (
                    name,
                    seed,
                    seconds[0],
                    later[name],
                    later[tfp_name] / later[name],
                    later_cpu[name],
                    later_cpu[tfp_name] / later_cpu[name],
                    test_nll,
                )
            )
    print(
        f"\nMADE 784-500-784, binarized Fashion-MNIST (threshold 0.5), {args.epochs} epochs, "
        f"batch {args.batch_size}, Adam({args.learning_rate}), "
        f"steps_per_execution={args.steps_per_execution}, jit_compile={args.jit_compile}, "
        f"load average {os.getloadavg()[0]:.1f}\n"
    )
    print(
        "| model | seed | s/epoch (first) | s/epoch (later, mean) | speed-up | "
        "CPU s/epoch (later) | speed-up (CPU) | test NLL (nats) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, seed, first, later, speed, cpu, cpu_speed, nll in rows:
        print(
            f"| {name} | {seed} | {first:.2f} | {later:.2f} | {speed:.2f}x | {cpu:.2f} | "
            f"{cpu_speed:.2f}x | {nll:.2f} |"
        )


if __name__ == "__main__":
    main()

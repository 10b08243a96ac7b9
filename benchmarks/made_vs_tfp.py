"""MADE 784-500-784 on binarized Fashion-MNIST: zoo's Keras 3 MADE vs TFP's AutoregressiveNetwork.

Both models: one hidden layer of 500 ReLU units, natural order, evenly spread hidden
degrees, Bernoulli outputs, Adam(1e-3), the same batches, the same number of epochs, in
the same process. TFP's `tfb.AutoregressiveNetwork` is a tf-keras layer; it is trained
here with a plain `tf.GradientTape` step compiled by `tf.function` (that is the only place
the zoo touches it). Ours is trained with `model.fit`. The test NLL is the exact
-log p(x) in nats averaged over the 10,000 test images, binarized with threshold 0.5.

    python benchmarks/made_vs_tfp.py --epochs 2
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
    timer = EpochTimer()
    model.fit(
        x_train,
        batch_size=args.batch_size,
        epochs=args.epochs,
        shuffle=True,
        callbacks=[timer],
        verbose=0,
    )
    nll = -float(np.mean(model.log_prob(x_test)))
    return timer.seconds, nll


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

    seconds = []
    for epoch in range(args.epochs):
        data = (
            tf.data.Dataset.from_tensor_slices(x_train)
            .shuffle(len(x_train), seed=epoch)
            .batch(args.batch_size)
            .prefetch(2)
        )
        start = time.perf_counter()
        for x in data:
            train_step(x)
        seconds.append(time.perf_counter() - start)
    test_nll = float(
        np.mean(
            tf.concat([nll(x) for x in tf.data.Dataset.from_tensor_slices(x_test).batch(1000)], 0)
        )
    )
    return seconds, test_nll


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--steps-per-execution", type=int, default=50)
    parser.add_argument("--jit-compile", action="store_true")
    parser.add_argument("--train-size", type=int, default=60000)
    args = parser.parse_args()

    keras.utils.set_random_seed(0)
    x_train = binarized_fashion_mnist("train")[: args.train_size]
    x_test = binarized_fashion_mnist("test")
    results = {
        "TFP AutoregressiveNetwork (GradientTape loop)": train_tfp(x_train, x_test, args),
        "zoo MADE (model.fit)": train_ours(x_train, x_test, args),
    }
    base = np.mean(
        results["TFP AutoregressiveNetwork (GradientTape loop)"][0][1:]
        or results["TFP AutoregressiveNetwork (GradientTape loop)"][0]
    )
    print(
        f"\nMADE 784-500-784, binarized Fashion-MNIST (threshold 0.5), {args.epochs} epochs, "
        f"batch {args.batch_size}, Adam({args.learning_rate}), "
        f"steps_per_execution={args.steps_per_execution}, jit_compile={args.jit_compile}\n"
    )
    print("| model | s/epoch (first) | s/epoch (later, mean) | speed-up | test NLL (nats) |")
    print("| --- | --- | --- | --- | --- |")
    for name, (seconds, test_nll) in results.items():
        later = np.mean(seconds[1:] or seconds)
        print(f"| {name} | {seconds[0]:.2f} | {later:.2f} | {base / later:.2f}x | {test_nll:.2f} |")


if __name__ == "__main__":
    main()

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

    python -m benchmarks run made_vs_tfp --epochs 3 --seeds 0,1   # writes a JSON record
    python benchmarks/made_vs_tfp.py --epochs 2 --seeds 0,1        # prints the tables only

`--smoke`: two epochs of 4 batches of synthetic binary images, only to prove it runs.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp
from _timing import contender, matmul_flops, target, timed

import zoo.data
from zoo.models.autoregressive import MADE

tfd, tfb = tfp.distributions, tfp.bijectors


def binarized_fashion_mnist(split):
    images, _ = zoo.data.load_arrays("fashion_mnist", split)
    return zoo.data.binarize_static(images).reshape(len(images), -1)


def train_batches(seed, epoch, settings):
    """The epoch's batches from `zoo.data.load`, shuffled by the run's seed and the epoch.

    The pipeline shuffles the uint8 images and binarizes whole batches. It is built once
    per contender and epoch, so both see the same batches in the same order.
    """
    dataset = zoo.data.load(
        "fashion_mnist",
        binarize="static",
        shuffle=True,
        batch_size=settings["batch_size"],
        seed=1000 * seed + epoch,
    )
    dataset = dataset.take(settings["train_size"] // settings["batch_size"])
    return dataset.map(lambda images, labels: tf.reshape(images, [-1, 784]))


def synthetic_batches(seed, epoch, settings):
    """Smoke data: `train_size` random binary images, the same for both contenders."""
    rng = np.random.default_rng(1000 * seed + epoch)
    x = (rng.random((settings["train_size"], 784)) < 0.3).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).batch(settings["batch_size"])


class Ours:
    """zoo's MADE, trained with `model.fit`, one epoch per `epoch()` call."""

    def __init__(self, settings):
        self.model = MADE(784, hidden_units=[500])
        self.model.compile(
            optimizer=keras.optimizers.Adam(settings["learning_rate"]),
            steps_per_execution=settings["steps_per_execution"],
            jit_compile=settings["jit_compile"],
        )

    def epoch(self, batches):
        self.model.fit(batches, epochs=1, shuffle=False, verbose=0)

    def test_nll(self, x_test):
        return -float(np.mean(self.model.log_prob(x_test)))


class TFP:
    """TFP's `AutoregressiveNetwork` trained by a `tf.function` GradientTape step."""

    def __init__(self, settings):
        import tf_keras

        self.made = tfb.AutoregressiveNetwork(
            params=1, event_shape=[784], hidden_units=[500], activation="relu"
        )
        self.optimizer = tf_keras.optimizers.Adam(settings["learning_rate"])
        self.train_step = tf.function(self._train_step)

    def nll(self, x):
        logits = self.made(x)[..., 0]
        return -tfd.Independent(tfd.Bernoulli(logits=logits), 1).log_prob(x)

    def _train_step(self, x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(self.nll(x))
        variables = self.made.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
        return loss

    def epoch(self, batches):
        for x in batches:
            self.train_step(x)

    def test_nll(self, x_test):
        batches = tf.data.Dataset.from_tensor_slices(x_test).batch(1000)
        return float(np.mean(tf.concat([self.nll(x) for x in batches], 0)))


TFP_NAME, OURS_NAME = "TFP AutoregressiveNetwork (GradientTape loop)", "zoo MADE (model.fit)"


def run(
    smoke=False,
    epochs=3,
    batch_size=100,
    learning_rate=1e-3,
    steps_per_execution=50,
    jit_compile=False,
    train_size=60000,
    seeds="0",
    test_nll=True,
):
    """Train both contenders epoch by epoch in turn; s/epoch, FLOPs, test NLL, the target.

    Args:
        smoke: 2 epochs of 4 batches of synthetic data (NLL on 200 synthetic images).
        epochs: Epochs per seed; the first (tracing) is reported apart.
        batch_size, learning_rate, steps_per_execution, jit_compile: Training settings
            (the last two: ours only).
        train_size: Images per epoch (the first batches of each shuffled epoch).
        seeds: Comma-separated seeds, one pair of fresh models each.
        test_nll: Score the exact test NLL (all 10,000 test images) after training.
    """
    if smoke:
        epochs, train_size, steps_per_execution = 2, 4 * batch_size, 2
    settings = {
        "epochs": epochs,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "steps_per_execution": steps_per_execution,
        "jit_compile": jit_compile,
        "train_size": train_size,
        "seeds": seeds,
    }
    batches_of = synthetic_batches if smoke else train_batches
    if test_nll:
        x_test = synthetic_batches(9, 0, {"train_size": 200, "batch_size": 200})
        x_test = next(iter(x_test)).numpy() if smoke else binarized_fashion_mnist("test")
    steps = train_size // batch_size
    flops = 5 * matmul_flops(batch_size, 784, 500)  # forward 2 products, backward 3
    contenders, targets = {}, []
    seed_list = [int(s) for s in str(seeds).split(",")]
    for seed in seed_list:
        runners = {}
        for name, runner in ((TFP_NAME, TFP), (OURS_NAME, Ours)):
            keras.utils.set_random_seed(seed)
            runners[name] = runner(settings)
        times = {name: [] for name in runners}
        for epoch in range(epochs):  # interleaved: both see the same machine load
            for name, runner in runners.items():
                times[name].append(timed(runner.epoch, batches_of(seed, epoch, settings)))
        suffix = f", seed {seed}" if len(seed_list) > 1 else ""
        for name, runner in runners.items():
            later = times[name][1:] or times[name]  # after the first epoch (tracing)
            contenders[name + suffix] = contender(
                [wall for wall, _ in later],
                [cpu for _, cpu in later],
                unit="s/epoch",
                steps_per_unit=steps,
                flops_per_step=flops,
                first_epoch_s=times[name][0][0],
                test_nll=runner.test_nll(x_test) if test_nll else None,
            )
        ours, theirs = contenders[OURS_NAME + suffix], contenders[TFP_NAME + suffix]
        targets.append(
            target(
                f"TFP s/epoch / zoo MADE s/epoch (median, later epochs{suffix})",
                theirs["wall"]["median"] / ours["wall"]["median"],
                ">= 1.2",
                cpu_ratio=theirs["cpu"]["median"] / ours["cpu"]["median"],
            )
        )
    data_note = "synthetic data (smoke)" if smoke else "binarized Fashion-MNIST (threshold 0.5)"
    return {
        "settings": settings,
        "contenders": contenders,
        "targets": targets,
        "notes": [
            (
                f"MADE 784-500-784, {data_note}, {epochs} epochs of {steps} steps, "
                f"batch {batch_size}, Adam({learning_rate}); "
                f"ours: `fit`, steps_per_execution={steps_per_execution}, "
                f"jit_compile={jit_compile}; TFP: "
                "a `tf.function` GradientTape step per batch; epochs interleaved; times over the "
                "epochs after the first (its wall time: first epoch s)."
            ),
            (
                "FLOPs per step: five 100x784x500-sized products (forward 2, backward 3), "
                "2 per multiply-add; element-wise work and Adam not counted."
            ),
            "Test NLL: exact -log p(x), nats, all 10,000 test images."
            if test_nll and not smoke
            else "Test NLL: on 200 synthetic images (smoke)."
            if test_nll
            else "Test NLL not scored.",
        ],
    }


if __name__ == "__main__":
    from harness import script_main

    script_main(run)

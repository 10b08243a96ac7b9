"""zoo's BernoulliRBM vs scikit-learn's BernoulliRBM, side by side in one run.

Two comparisons on statically binarized Fashion-MNIST (threshold 0.5), batch size 100,
learning rate 0.1 (plain SGD, no momentum and no weight decay for the matched runs, as
scikit-learn's):

1. Speed: seconds per epoch of `fit` with 256 hidden units (scikit-learn trains by PCD with
   one Gibbs step; ours is timed with CD-1 and with PCD-1). Our first epoch includes
   tracing and is reported apart; the per-epoch figure is the median of the others.
2. Quality: 20 hidden units, equal epochs, PCD-1; mean exact test log-likelihood (nats per
   image) of both models, each scored by our exact `log_partition` (2^20 hidden states
   enumerated). Also ours with its defaults (momentum 0.5, weight decay 2e-4, visible
   biases at the data's log-odds).

Usage:
    python benchmarks/rbm_vs_sklearn.py --epochs 3 --skip-ll
    python benchmarks/rbm_vs_sklearn.py --skip-speed --ll-epochs 5 --seeds 0,1,2,3,4
"""

import argparse
import statistics
import time

import keras
import numpy as np
from _timing import EpochTimer
from sklearn.neural_network import BernoulliRBM as SklearnRBM

import zoo.data
from zoo.models import BernoulliRBM


def load(split, limit=None):
    images, _ = zoo.data.load_arrays("fashion_mnist", split)
    x = zoo.data.binarize_static(zoo.data.to_unit_interval(images)).reshape(len(images), -1)
    return x[:limit] if limit else x


def ours(n_hidden, persistent, matched=True, seed=0):
    if matched:
        model = BernoulliRBM(784, n_hidden, persistent=persistent, weight_decay=0.0, seed=seed)
        optimizer = keras.optimizers.SGD(learning_rate=0.1)
    else:
        model = BernoulliRBM(784, n_hidden, persistent=persistent, seed=seed)
        optimizer = None  # the model's default: SGD(0.1, momentum=0.5)
    return model, optimizer


def fit_ours(model, optimizer, x, epochs, steps_per_execution):
    model.compile(optimizer=optimizer, steps_per_execution=steps_per_execution)
    timer = EpochTimer()
    model.fit(x, batch_size=100, epochs=epochs, shuffle=True, verbose=0, callbacks=[timer])
    return timer.seconds


def fit_sklearn(x, n_hidden, epochs, seed=0):
    model = SklearnRBM(
        n_components=n_hidden, learning_rate=0.1, batch_size=100, n_iter=epochs, random_state=seed
    )
    start = time.perf_counter()
    model.fit(x)
    return model, (time.perf_counter() - start) / epochs


def sklearn_as_ours(sk):
    model = BernoulliRBM(sk.components_.shape[1], sk.components_.shape[0])
    model.kernel.assign(sk.components_.T.astype("float32"))
    model.visible_bias.assign(sk.intercept_visible_.astype("float32"))
    model.hidden_bias.assign(sk.intercept_hidden_.astype("float32"))
    return model


def test_log_likelihood(model, x_test):
    model.log_partition("exact")
    return float(
        np.mean(
            np.concatenate(
                [model.log_prob(x_test[i : i + 1000]) for i in range(0, len(x_test), 1000)]
            )
        )
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--epochs", type=int, default=3, help="epochs of the speed runs (>= 2)")
    parser.add_argument(
        "--ll-epochs", type=int, default=5, help="epochs of the 20-hidden-unit runs"
    )
    parser.add_argument("--num-train", type=int, default=60000)
    parser.add_argument("--steps-per-execution", type=int, default=600)
    parser.add_argument(
        "--seeds",
        default="0",
        help="comma-separated seeds of the log-likelihood runs (weights, shuffling, Gibbs "
        "noise); the table gives each seed and the mean +- std",
    )
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-ll", action="store_true")
    args = parser.parse_args()
    seeds = [int(seed) for seed in args.seeds.split(",")]
    keras.utils.set_random_seed(seeds[0])
    x_train, x_test = load("train", args.num_train), load("test")

    if not args.skip_speed:
        rows = []
        _, sk_seconds = fit_sklearn(x_train, 256, args.epochs)
        rows.append(("scikit-learn BernoulliRBM (PCD-1)", "-", sk_seconds))
        for persistent in (False, True):
            seconds = fit_ours(
                *ours(256, persistent), x_train, args.epochs, args.steps_per_execution
            )
            label = f"zoo BernoulliRBM ({'PCD-1' if persistent else 'CD-1'})"
            rows.append((label, f"{seconds[0]:.2f}", statistics.median(seconds[1:])))
        print(
            f"\nSpeed: {len(x_train)} images, 784-256, batch 100, lr 0.1, {args.epochs} epochs each"
        )
        print("| model | first epoch (s, with tracing) | s / epoch | speed-up vs scikit-learn |")
        print("| --- | --- | --- | --- |")
        for label, first, seconds in rows:
            print(f"| {label} | {first} | {seconds:.2f} | {sk_seconds / seconds:.1f}x |")

    if not args.skip_ll:
        labels = (
            "scikit-learn BernoulliRBM (PCD-1)",
            "zoo BernoulliRBM (PCD-1, matched: plain SGD, no weight decay, zero visible biases)",
            (
                "zoo BernoulliRBM (PCD-1, zoo defaults: momentum 0.5, weight decay 2e-4, "
                "visible biases at the data log-odds)"
            ),
        )
        scores = {label: [] for label in labels}
        for seed in seeds:
            keras.utils.set_random_seed(seed)
            sk, _ = fit_sklearn(x_train, 20, args.ll_epochs, seed=seed)
            scores[labels[0]].append(test_log_likelihood(sklearn_as_ours(sk), x_test))
            for label, matched in zip(labels[1:], (True, False)):
                model, optimizer = ours(20, persistent=True, matched=matched, seed=seed)
                if not matched:
                    model.init_visible_bias(x_train)
                fit_ours(model, optimizer, x_train, args.ll_epochs, args.steps_per_execution)
                scores[label].append(test_log_likelihood(model, x_test))
        print(
            f"\nExact test log-likelihood (nats, mean over {len(x_test)} test images): 784-20, "
            f"{args.ll_epochs} epochs, batch 100, lr 0.1, seeds {args.seeds}"
        )
        print("| model | " + " | ".join(f"seed {seed}" for seed in seeds) + " | mean +- std |")
        print("| --- " * (len(seeds) + 2) + "|")
        for label, values in scores.items():
            cells = " | ".join(f"{v:.2f}" for v in values)
            spread = np.std(values, ddof=1) if len(values) > 1 else 0.0
            print(f"| {label} | {cells} | {np.mean(values):.2f} +- {spread:.2f} |")


if __name__ == "__main__":
    main()

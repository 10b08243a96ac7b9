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
   biases at the data's log-odds), and those defaults with the learning rate decayed from
   0.1 to 0 by a cosine over the run (the `rbm_fashion_mnist` recipe's schedule): a
   constant-rate PCD run ends wherever the oscillating parameters happen to be, and its
   final test log-likelihood varies by tens of nats from seed to seed. Every run is seeded
   alike (`keras.utils.set_random_seed(seed)` right before it), so `--ll-models` can pick
   any subset and reproduce the same numbers.

   Update rules, line by line against scikit-learn's `_fit`: both take the positive phase
   with hidden probabilities p(h | v_data), both advance one Gibbs step per update of
   chains as many as the batch (100), both take the negative statistics as p(h | v_neg)
   with v_neg sampled, both average over the batch. The differences: scikit-learn keeps
   its chains as hidden samples (v_neg is drawn from them with the new weights), ours as
   visible states (one full step v -> h -> v with the current weights), and scikit-learn
   visits the batches in the same order every epoch while `fit` shuffles.

Usage:
    python benchmarks/rbm_vs_sklearn.py --epochs 3 --skip-ll
    python benchmarks/rbm_vs_sklearn.py --skip-speed --ll-epochs 5 --seeds 0,1,2,3,4
    python benchmarks/rbm_vs_sklearn.py --skip-speed --ll-epochs 5 --seeds 0 --ll-models decay
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


LL_MODELS = {
    "sklearn": "scikit-learn BernoulliRBM (PCD-1)",
    "matched": "zoo BernoulliRBM (PCD-1, matched: plain SGD, no weight decay, zero visible biases)",
    "defaults": "zoo BernoulliRBM (PCD-1, zoo defaults: momentum 0.5, weight decay 2e-4, "
    "visible biases at the data log-odds)",
    "decay": "zoo BernoulliRBM (PCD-1, zoo defaults with the lr cosine-decayed from 0.1 to 0 "
    "over the run, as the rbm_fashion_mnist recipe)",
}


def log_likelihood_run(variant, seed, x_train, x_test, epochs, steps_per_execution):
    """Train one 784-20 model of `LL_MODELS` and return its exact mean test log p(v)."""
    if variant == "sklearn":
        sk, _ = fit_sklearn(x_train, 20, epochs, seed=seed)
        return test_log_likelihood(sklearn_as_ours(sk), x_test)
    model, optimizer = ours(20, persistent=True, matched=variant == "matched", seed=seed)
    if variant != "matched":
        model.init_visible_bias(x_train)
    if variant == "decay":
        steps = epochs * len(x_train) // 100
        schedule = keras.optimizers.schedules.CosineDecay(0.1, steps)
        optimizer = keras.optimizers.SGD(schedule, momentum=0.5)
    fit_ours(model, optimizer, x_train, epochs, steps_per_execution)
    return test_log_likelihood(model, x_test)


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
    parser.add_argument(
        "--ll-models",
        default=",".join(LL_MODELS),
        help=f"which log-likelihood runs, comma-separated from {', '.join(LL_MODELS)}",
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
        variants = args.ll_models.split(",")
        scores = {variant: [] for variant in variants}
        for seed in seeds:
            for variant in variants:
                keras.utils.set_random_seed(seed)  # each run alike, whichever others run
                scores[variant].append(
                    log_likelihood_run(
                        variant, seed, x_train, x_test, args.ll_epochs, args.steps_per_execution
                    )
                )
        print(
            f"\nExact test log-likelihood (nats, mean over {len(x_test)} test images): 784-20, "
            f"{args.ll_epochs} epochs, batch 100, lr 0.1, seeds {args.seeds}"
        )
        print("| model | " + " | ".join(f"seed {seed}" for seed in seeds) + " | mean +- std |")
        print("| --- " * (len(seeds) + 2) + "|")
        for variant, values in scores.items():
            cells = " | ".join(f"{v:.2f}" for v in values)
            spread = np.std(values, ddof=1) if len(values) > 1 else 0.0
            print(f"| {LL_MODELS[variant]} | {cells} | {np.mean(values):.2f} +- {spread:.2f} |")


if __name__ == "__main__":
    main()

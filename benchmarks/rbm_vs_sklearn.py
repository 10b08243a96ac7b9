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

3. `run(smoke=False)`: the speed comparison as a JSON-able record, on synthetic binary data
   of the same shape (60,000 x 784, pixel i on with its own random rate; no download): per
   contender the seconds per epoch (median and spread over interleaved rounds, every
   contender one epoch per round), the useful GFLOP/s of its CD arithmetic (the GEMMs the
   algorithm needs: 2k + 3 per CD-k batch, 2k + 5 per PCD-k batch with its one-step
   reconstruction, each 2 * 100 * 784 * 256 flops) against a GEMM peak measured in the same
   rounds (a `tf.function` loop of the same 100x784 @ 784x256 matmul), and the ratios to
   scikit-learn. The zoo models use `compile(optimizer=SGD(0.1))` and `fit` defaults
   (scikit-learn's learning rate, no momentum); the Gaussian-Bernoulli RBM uses `compile()`
   on standard-normal data. scikit-learn runs with its BLAS's default threads unless
   `sklearn_blas_threads` is given (OpenBLAS's spinning threads slow down by orders of
   magnitude when the cores are oversubscribed; the record keeps the load average).

Usage:
    python benchmarks/rbm_vs_sklearn.py --epochs 3 --skip-ll
    python -m benchmarks run rbm_vs_sklearn                     # run(), a JSON record
    python benchmarks/rbm_vs_sklearn.py --skip-speed --ll-epochs 5 --seeds 0,1,2,3,4
    python benchmarks/rbm_vs_sklearn.py --skip-speed --ll-epochs 5 --seeds 0 --ll-models decay
"""

import argparse
import os
import statistics
import sys
import time

import keras
import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import EpochTimer, contender, target
from sklearn.neural_network import BernoulliRBM as SklearnRBM

import zoo.data
from zoo.models import BernoulliRBM, GaussianBernoulliRBM


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


# ------------------------------------------------------------------ run(): the JSON record
def synthetic_binary(num_examples, num_visible, seed=0):
    """Binary float32 data `[num_examples, num_visible]`, unit i on with its own random rate."""
    rng = np.random.default_rng(seed)
    rates = rng.beta(0.5, 1.0, size=num_visible)
    return (rng.random((num_examples, num_visible)) < rates).astype("float32")


def cd_gemm_flops(batch, n_visible, n_hidden, cd_k=1, persistent=False):
    """Flops of the GEMMs one CD-k / PCD-k update needs (each `batch x n_visible x n_hidden`).

    CD-k: hidden logits of the data, 2k - 1 Gibbs half-steps after the first, the hidden
    logits of the negative particles, and two gradient outer products: 2k + 3 GEMMs. PCD-k
    adds the data's one-step reconstruction (two half-steps) to 2k chain half-steps: 2k + 5.
    """
    gemms = 2 * cd_k + (5 if persistent else 3)
    return gemms * 2 * batch * n_visible * n_hidden


def _zoo_contender(model, optimizer, x, **compile_kwargs):
    model.compile(optimizer=optimizer, **compile_kwargs)
    warm = x[: min(len(x), 1000)]
    model.fit(warm, batch_size=100, epochs=1, verbose=0)  # trace outside the timed epochs

    def epoch():
        timer = EpochTimer()
        model.fit(x, batch_size=100, epochs=1, shuffle=True, verbose=0, callbacks=[timer])
        return timer.seconds[0]

    return epoch


def _sklearn_contender(x, n_hidden, blas_threads):
    def epoch():
        model = SklearnRBM(n_components=n_hidden, learning_rate=0.1, batch_size=100, n_iter=1)
        with threadpool_limits(blas_threads):
            start = time.perf_counter()
            model.fit(x)
            return time.perf_counter() - start

    return epoch


def run(smoke: bool = False, rounds=None, num_train=None, sklearn_blas_threads=None) -> dict:
    """Seconds per epoch of zoo's RBMs and scikit-learn's, 784-256, batch 100, interleaved.

    Args:
        smoke: A seconds-long version (1,000 examples, 2 rounds) that checks the plumbing.
        rounds: Interleaved rounds (every contender one epoch per round); default 3.
        num_train: Examples per epoch; default 60,000.
        sklearn_blas_threads: BLAS threads of scikit-learn (`threadpoolctl`); None keeps
            the library default.

    Returns:
        A JSON-able dict: settings, load average before and after, and per contender the
        per-round seconds, their median and spread (max - min), GFLOP/s of the CD
        arithmetic, its fraction of the GEMM peak, and the ratio to scikit-learn.
    """
    rounds = rounds or (2 if smoke else 3)
    num_train = num_train or (1000 if smoke else 60000)
    n_visible, n_hidden, batch = 784, 256, 100
    steps = -(-num_train // batch)
    keras.utils.set_random_seed(0)
    x = synthetic_binary(num_train, n_visible)
    x_gauss = np.random.default_rng(1).normal(size=(num_train, n_visible)).astype("float32")
    contenders = {  # name: (epoch function, CD flops per step or None)
        "scikit-learn BernoulliRBM (PCD-1)": (
            _sklearn_contender(x, n_hidden, sklearn_blas_threads),
            # Its chains are hidden states: per batch v @ W (data), h @ W^T, v @ W, 2 grads.
            cd_gemm_flops(batch, n_visible, n_hidden, 1, persistent=False),
        ),
    }
    for persistent in (False, True):
        model = BernoulliRBM(n_visible, n_hidden, persistent=persistent, weight_decay=0.0, seed=0)
        name = f"zoo BernoulliRBM ({'PCD-1' if persistent else 'CD-1'}, compile defaults)"
        contenders[name] = (
            _zoo_contender(model, keras.optimizers.SGD(0.1), x),
            cd_gemm_flops(batch, n_visible, n_hidden, 1, persistent),
        )
    if not smoke:
        model = BernoulliRBM(n_visible, n_hidden, weight_decay=0.0, seed=0)
        contenders["zoo BernoulliRBM (CD-1, steps_per_execution=1: the old default)"] = (
            _zoo_contender(model, keras.optimizers.SGD(0.1), x, steps_per_execution=1),
            cd_gemm_flops(batch, n_visible, n_hidden, 1),
        )
    contenders["zoo GaussianBernoulliRBM (CD-1, compile defaults)"] = (
        _zoo_contender(GaussianBernoulliRBM(n_visible, n_hidden, seed=0), None, x_gauss),
        cd_gemm_flops(batch, n_visible, n_hidden, 1),
    )
    seconds = {name: {"wall": [], "cpu": []} for name in contenders}
    for _ in range(rounds):
        for name, (epoch, _) in contenders.items():
            start_cpu = time.process_time()
            seconds[name]["wall"].append(epoch())
            seconds[name]["cpu"].append(time.process_time() - start_cpu)
    sklearn = "scikit-learn BernoulliRBM (PCD-1)"
    results = {
        name: contender(
            **seconds[name], unit="s/epoch", steps_per_unit=steps, flops_per_step=flops_per_step
        )
        for name, (_, flops_per_step) in contenders.items()
    }
    sklearn_median = results[sklearn]["wall"]["median"]
    targets = [
        target(
            f"{name} s/epoch / scikit-learn's (median)",
            results[name]["wall"]["median"] / sklearn_median,
            "<= 0.5",
            cpu_ratio=results[name]["cpu"]["median"] / results[sklearn]["cpu"]["median"],
        )
        for name in results
        if name.startswith("zoo BernoulliRBM") and "compile defaults" in name
    ]
    return {
        "settings": {
            "data": f"synthetic binary {num_train} x {n_visible} (Gaussian RBM: N(0, 1))",
            "n_hidden": n_hidden,
            "batch_size": batch,
            "rounds": rounds,
            "sklearn_blas_threads": sklearn_blas_threads,
        },
        "contenders": results,
        "targets": targets,
        "notes": [
            "One epoch per contender per round, interleaved; ours: `fit` with `compile()`'s "
            "defaults and SGD(0.1) (the Gaussian RBM: its default optimizer).",
            "FLOPs: CD-k (2k + 3) GEMMs of 100x784x256 per batch, PCD-k 2k + 5; "
            "scikit-learn counted as CD-1's 5 (its chains are hidden states); element-wise "
            "work (sampling, sigmoids) not counted.",
        ],
    }


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

"""Train the `rbm_fashion_mnist` preset, score it by AIS, optionally publish it.

784-256 BernoulliRBM, PCD-1 with 100 persistent chains, on the 60,000 statically binarized
Fashion-MNIST training images (threshold 0.5); visible biases start at the data's log-odds;
SGD with momentum 0.5, learning rate 0.05 decayed to 0 by a cosine schedule, weight decay
2e-4, batch 100. log Z by annealed importance sampling (Salakhutdinov & Murray 2008:
base-rate start model fitted to the training data, 100 chains, 14,500 betas); the test
log-likelihood is the mean log p(v) of the 10,000 test images with that log Z, which the
published weights carry (`log_z_cache`), so `zoo.load("rbm_fashion_mnist").log_prob(x)`
works at once.

Usage:
    python benchmarks/train_rbm_fashion_mnist.py --epochs 10 [--publish]
"""

import argparse
import time

import keras
import numpy as np

import zoo
import zoo.data
from zoo._registry import get_preset
from zoo.evaluation.ais import ais_schedule


def load(split):
    images, _ = zoo.data.load_arrays("fashion_mnist", split)
    return zoo.data.binarize_static(zoo.data.to_unit_interval(images)).reshape(len(images), -1)


def mean_log_prob(model, x):
    return float(
        np.mean(np.concatenate([model.log_prob(x[i : i + 1000]) for i in range(0, len(x), 1000)]))
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--learning-rate", type=float, default=0.05)
    parser.add_argument("--ais-chains", type=int, default=100)
    parser.add_argument("--ais-betas", type=int, default=14500)
    parser.add_argument(
        "--publish", action="store_true", help="write zoo_weights/ and zoo/published.json"
    )
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    x_train, x_test = load("train"), load("test")

    config = get_preset("rbm_fashion_mnist").config
    model = zoo.load("rbm_fashion_mnist", pretrained=False, seed=0)
    model.init_visible_bias(x_train)
    steps = args.epochs * len(x_train) // 100
    schedule = keras.optimizers.schedules.CosineDecay(args.learning_rate, steps)
    model.compile(optimizer=keras.optimizers.SGD(schedule, momentum=0.5), steps_per_execution=600)
    start = time.perf_counter()
    history = model.fit(x_train, batch_size=100, epochs=args.epochs, shuffle=True, verbose=2)
    train_seconds = time.perf_counter() - start

    start = time.perf_counter()
    estimate = model.log_partition(
        "ais", num_chains=args.ais_chains, betas=ais_schedule(args.ais_betas), seed=0, data=x_train
    )
    ais_seconds = time.perf_counter() - start
    test_ll, train_ll = mean_log_prob(model, x_test), mean_log_prob(model, x_train[:10000])
    log_z = (float(estimate.log_z), float(estimate.log_z_lower), float(estimate.log_z_upper))
    print(
        f"\nrbm_fashion_mnist: {args.epochs} epochs ({train_seconds:.0f} s), AIS {ais_seconds:.0f} s"
    )
    print("| quantity | value |")
    print("| --- | --- |")
    print(
        f"| log Z (AIS, {args.ais_chains} chains, {args.ais_betas} betas) | {log_z[0]:.2f} "
        f"(log(Z +- 3 sigma): [{log_z[1]:.2f}, {log_z[2]:.2f}]) |"
    )
    print(f"| mean test log p(v), 10,000 images (nats) | {test_ll:.2f} |")
    print(f"| mean train log p(v), first 10,000 images (nats) | {train_ll:.2f} |")
    print(
        f"| final pseudo-likelihood / reconstruction error | {history.history['pseudo_likelihood'][-1]:.2f} / "
        f"{history.history['reconstruction_error'][-1]:.4f} |"
    )

    if args.publish:
        from zoo._hub import publish_preset

        protocol = (
            "mean log p(v) in nats over the 10,000 Fashion-MNIST test images binarized at 0.5; "
            f"log Z by AIS (Salakhutdinov & Murray 2008), base-rate start model, {args.ais_chains} "
            f"chains, {args.ais_betas} betas, seed 0: log Z = {log_z[0]:.2f}, "
            f"log(Z +- 3 sigma) = [{log_z[1]:.2f}, {log_z[2]:.2f}]"
        )
        record = publish_preset(
            model,
            "rbm_fashion_mnist",
            config,
            {
                "description": "Bernoulli RBM 784-256 trained with PCD-1 on binarized Fashion-MNIST",
                "dataset": "Fashion-MNIST train (60,000), statically binarized at 0.5",
                "paper": get_preset("rbm_fashion_mnist").paper,
                "training": {
                    "command": f"python benchmarks/train_rbm_fashion_mnist.py --epochs {args.epochs} --publish",
                    "epochs": args.epochs,
                    "batch_size": 100,
                    "optimizer": f"SGD(CosineDecay({args.learning_rate}), momentum=0.5), weight decay 2e-4",
                    "wall_time_seconds": round(train_seconds),
                    "machine": "2 shared CPU cores",
                },
                "metrics": {
                    "test_log_likelihood": {"value": round(test_ll, 3), "protocol": protocol},
                    "log_partition_ais": {"value": round(log_z[0], 3), "protocol": protocol},
                },
            },
        )
        print("published", record["version"])


if __name__ == "__main__":
    main()

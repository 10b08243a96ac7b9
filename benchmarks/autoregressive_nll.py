"""Exact test NLL of the autoregressive family on binarized Fashion-MNIST, equal training budget.

Every model: statically binarized images (pixel / 255 > 0.5, `zoo.data.binarize_static`),
Adam(1e-3), batch 100, the same `--epochs` over the same first `--train-size` training
images (seed 0), evaluated with the exact log p(x) on the first `--test-size` test images
(nats per image; lower is better). MADE with several masks is evaluated as the ensemble
of its masks. Short training: these numbers compare the models here under one budget,
not the papers' converged results.

    python benchmarks/autoregressive_nll.py --epochs 1 --train-size 10000 --only MADE,NADE
    python benchmarks/autoregressive_nll.py --epochs 1 --train-size 10000 --only Pixel
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np

import zoo.data
from zoo.models.autoregressive import MADE, NADE, PixelCNN, PixelRNN


def binarized_fashion_mnist(split):
    images, _ = zoo.data.load_arrays("fashion_mnist", split)
    return zoo.data.binarize_static(images)  # float32 0/1, [N, 28, 28, 1]


def models(args):
    flat, image = (784,), (28, 28, 1)
    layers, filters = args.pixel_layers, args.pixel_filters
    return [
        ("NADE 784-500", lambda: NADE(784, 500), flat),
        ("MADE 784-500-784, 1 mask", lambda: MADE(784, [500]), flat),
        (
            f"MADE 784-500-784, {args.num_masks} masks (random orders), ensemble",
            lambda: MADE(784, [500], num_masks=args.num_masks, order="random"),
            flat,
        ),
        (
            f"PixelCNN residual, {layers} blocks, {filters} filters",
            lambda: PixelCNN(image, num_layers=layers, filters=filters),
            image,
        ),
        (
            f"Gated PixelCNN, {layers} layers, {filters} filters",
            lambda: PixelCNN(image, num_layers=layers, filters=filters, gated=True),
            image,
        ),
        (
            f"PixelRNN Row LSTM, 2 layers, {filters} units",
            lambda: PixelRNN(image, num_layers=2, units=filters),
            image,
        ),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-size", type=int, default=10000)
    parser.add_argument("--num-masks", type=int, default=8)
    parser.add_argument("--pixel-layers", type=int, default=4)
    parser.add_argument("--pixel-filters", type=int, default=16)
    parser.add_argument("--test-size", type=int, default=10000)
    parser.add_argument(
        "--only", default="", help="comma-separated substrings of the model names to run"
    )
    args = parser.parse_args()

    x_train = binarized_fashion_mnist("train")
    x_test = binarized_fashion_mnist("test")[: args.test_size]
    rows = []
    wanted = [w.strip().lower() for w in args.only.split(",") if w.strip()]
    for name, build, shape in models(args):
        if wanted and not any(w in name.lower() for w in wanted):
            continue
        keras.utils.set_random_seed(0)
        model = build()
        model.compile(optimizer=keras.optimizers.Adam(1e-3), steps_per_execution=20)
        start = time.perf_counter()
        train = x_train[: args.train_size].reshape(-1, *shape)
        model.fit(train, batch_size=100, epochs=args.epochs, verbose=0)
        seconds = time.perf_counter() - start
        test = x_test.reshape(-1, *shape)
        log_probs = [model.log_prob(test[i : i + 200]) for i in range(0, len(test), 200)]
        nll = -np.mean(np.concatenate(log_probs))
        rows.append((name, model.count_params(), seconds, nll))
        print(f"{name}: {nll:.2f} nats ({seconds:.0f} s)", flush=True)

    print(
        f"\nBinarized Fashion-MNIST (threshold 0.5), {args.epochs} epoch(s) on the first "
        f"{args.train_size} training images, Adam(1e-3), batch 100, exact test NLL on "
        f"{len(x_test)} test images, load average {os.getloadavg()[0]:.1f}\n"
    )
    print("| model | parameters | train time (s) | test NLL (nats) |")
    print("| --- | --- | --- | --- |")
    for name, params, seconds, nll in rows:
        print(f"| {name} | {params:,} | {seconds:.0f} | {nll:.2f} |")


if __name__ == "__main__":
    main()

"""Exact test NLL of the autoregressive family on binarized Fashion-MNIST after short training.

Every model: statically binarized images (pixel / 255 > 0.5), Adam(1e-3), batch 100,
trained on the first `--train-size` training images (the whole set by default; the pixel
models take `--pixel-train-size`) for the stated epochs, evaluated with the exact
log p(x) on all 10,000 test images (nats per image; lower is better). MADE with several
masks is evaluated as the ensemble of its masks. Short training: these numbers are for
comparing the models here, not the papers' converged results.

    python benchmarks/autoregressive_nll.py
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
    return [
        ("NADE 784-500", lambda: NADE(784, 500), flat, args.epochs, args.train_size),
        ("MADE 784-500-784, 1 mask", lambda: MADE(784, [500]), flat, args.epochs, args.train_size),
        (
            f"MADE 784-500-784, {args.num_masks} masks (random orders), ensemble",
            lambda: MADE(784, [500], num_masks=args.num_masks, order="random"),
            flat,
            args.epochs,
            args.train_size,
        ),
        (
            f"PixelCNN residual, {args.pixel_layers} blocks, {args.pixel_filters} filters",
            lambda: PixelCNN(image, num_layers=args.pixel_layers, filters=args.pixel_filters),
            image,
            args.pixel_epochs,
            args.pixel_train_size,
        ),
        (
            f"Gated PixelCNN, {args.pixel_layers} layers, {args.pixel_filters} filters",
            lambda: PixelCNN(
                image, num_layers=args.pixel_layers, filters=args.pixel_filters, gated=True
            ),
            image,
            args.pixel_epochs,
            args.pixel_train_size,
        ),
        (
            f"PixelRNN Row LSTM, 2 layers, {args.pixel_filters} units",
            lambda: PixelRNN(image, num_layers=2, units=args.pixel_filters),
            image,
            args.pixel_epochs,
            args.pixel_train_size,
        ),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--train-size", type=int, default=60000)
    parser.add_argument("--num-masks", type=int, default=8)
    parser.add_argument("--pixel-epochs", type=int, default=1)
    parser.add_argument("--pixel-train-size", type=int, default=10000)
    parser.add_argument("--pixel-layers", type=int, default=4)
    parser.add_argument("--pixel-filters", type=int, default=16)
    parser.add_argument("--test-size", type=int, default=10000)
    parser.add_argument("--only", default="", help="substring of the model names to run")
    args = parser.parse_args()

    x_train = binarized_fashion_mnist("train")
    x_test = binarized_fashion_mnist("test")[: args.test_size]
    rows = []
    for name, build, shape, epochs, size in models(args):
        if args.only and args.only.lower() not in name.lower():
            continue
        keras.utils.set_random_seed(0)
        model = build()
        model.compile(optimizer=keras.optimizers.Adam(1e-3), steps_per_execution=20)
        start = time.perf_counter()
        model.fit(x_train[:size].reshape(-1, *shape), batch_size=100, epochs=epochs, verbose=0)
        seconds = time.perf_counter() - start
        test = x_test.reshape(-1, *shape)
        log_probs = [model.log_prob(test[i : i + 200]) for i in range(0, len(test), 200)]
        nll = -np.mean(np.concatenate(log_probs))
        rows.append((name, epochs, size, model.count_params(), seconds, nll))
        print(f"{name}: {nll:.2f} nats ({seconds:.0f} s)", flush=True)

    print(
        f"\nBinarized Fashion-MNIST (threshold 0.5), exact test NLL on {len(x_test)} test "
        "images, Adam(1e-3), batch 100\n"
    )
    print("| model | epochs | train images | parameters | train time (s) | test NLL (nats) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, epochs, size, params, seconds, nll in rows:
        print(f"| {name} | {epochs} | {size} | {params:,} | {seconds:.0f} | {nll:.2f} |")


if __name__ == "__main__":
    main()

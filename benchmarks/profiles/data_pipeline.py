"""How fast `zoo.data` reads Fashion-MNIST and feeds it through `tf.data`.

Measures, side by side in one process:
- `zoo.data.load_arrays(name, split)`: reading the IDX files into numpy (median of repeats);
- one epoch of `zoo.data.load(name, split, <option>, shuffle=True, batch_size=B)` for each
  preprocessing option, with the map vectorized over batches (what `load` does) and, as the
  peer, the same map applied per example before batching.

Usage:
    python benchmarks/profiles/data_pipeline.py --name fashion_mnist --batch-size 128 --repeats 3

Prints a markdown table.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

import zoo.data
from zoo.random import stateless_seed

OPTIONS = {
    "none (uint8)": {},
    "binarize static": {"binarize": "static"},
    "binarize dynamic": {"binarize": "dynamic"},
    "dequantize": {"dequantize": True},
}
PER_EXAMPLE = {
    "none (uint8)": None,
    "binarize static": lambda x, seed: zoo.data.binarize_static(x),
    "binarize dynamic": zoo.data.binarize_dynamic,
    "dequantize": zoo.data.dequantize,
}


def seconds(function, repeats, *args):
    """Median wall-clock seconds of `function(*args)` over `repeats` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_epoch(dataset):
    for _ in dataset:
        pass


def per_example_pipeline(name, split, transform, batch_size, seed):
    """The peer: the same preprocessing mapped over single examples, then batched."""
    images, labels = zoo.data.load_arrays(name, split)
    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(len(images), seed=seed)
    if transform is not None:
        noise_seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
        dataset = tf.data.Dataset.zip(dataset, noise_seeds).map(
            lambda element, noise_seed: (
                transform(element[0], stateless_seed(noise_seed)),
                element[1],
            ),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="fashion_mnist")
    parser.add_argument("--split", default="train")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    read = seconds(zoo.data.load_arrays, args.repeats, args.name, args.split)
    num_examples = len(zoo.data.load_arrays(args.name, args.split)[1])
    print(f"`load_arrays({args.name!r}, {args.split!r})`: {num_examples} images in {read:.2f} s\n")
    print(
        f"| option | epoch, map per batch of {args.batch_size} (`load`) | epoch, map per example |"
    )
    print("| --- | --- | --- |")
    for label, options in OPTIONS.items():
        ours = zoo.data.load(
            args.name,
            args.split,
            shuffle=True,
            batch_size=args.batch_size,
            seed=0,
            **options,
        )
        peer = per_example_pipeline(
            args.name, args.split, PER_EXAMPLE[label], args.batch_size, seed=0
        )
        run_epoch(ours), run_epoch(peer)  # warm up: tracing and the shuffle buffer
        ours_s = seconds(run_epoch, args.repeats, ours)
        peer_s = seconds(run_epoch, args.repeats, peer)
        print(f"| {label} | {ours_s:.2f} s | {peer_s:.2f} s |")


if __name__ == "__main__":
    main()

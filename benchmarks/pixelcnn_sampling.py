"""Time to sample 16 binary 28x28 images from a gated PixelCNN: zoo's sampler vs a naive loop.

- zoo `sample`: the cached sampler (Ramachandran et al., 2017), the whole image loop
  compiled as one `tf.function` (vertical stack once per row, horizontal stack once per
  pixel).
- zoo full passes: the same loop compiled, but one full network pass per pixel
  (`--full-passes`; slow, shows what the cache buys on its own).
- naive: a Python loop that calls the (compiled) full network once per pixel and samples
  that pixel. Its cost per pixel does not depend on the pixel, so it is timed on the first
  `--naive-pixels` pixels and extrapolated to all 784 (stated in the table).

All on the same untrained model (sampling cost does not depend on the weights), same
process, after one warm-up call each.

    python benchmarks/pixelcnn_sampling.py
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf

from zoo.models.autoregressive import PixelCNN
from zoo.random import stateless_seed


def naive_sampler(model, num_samples, num_pixels, seed=0):
    """Python loop over pixels, one full forward pass per pixel."""
    forward = tf.function(lambda x: model(x))
    width = model.image_shape[1]
    rng = np.random.default_rng(seed)
    x = np.zeros([num_samples, *model.image_shape], "float32")
    forward(x)  # trace outside the timing
    start = time.perf_counter()
    for t in range(num_pixels):
        i, j = divmod(t, width)
        logits = forward(x)[:, i, j, 0, 0].numpy()
        x[:, i, j, 0] = rng.uniform(size=num_samples) < 1 / (1 + np.exp(-logits))
    return (time.perf_counter() - start) / num_pixels


def timed(fn, repeats):
    fn()  # warm-up: tracing
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--num-samples", type=int, default=16)
    parser.add_argument("--num-layers", type=int, default=6)
    parser.add_argument("--filters", type=int, default=32)
    parser.add_argument("--naive-pixels", type=int, default=56)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--full-passes", action="store_true")
    args = parser.parse_args()

    model = PixelCNN((28, 28, 1), num_layers=args.num_layers, filters=args.filters, gated=True)
    n = args.num_samples
    rows = []
    cached = timed(lambda: model.sample(n, seed=0).numpy(), args.repeats)
    rows.append(("zoo `sample` (cached, one tf.function)", cached, "measured"))
    if args.full_passes:
        full = tf.function(model.sample_by_full_passes)
        seconds = timed(lambda: full(n, stateless_seed(0)).numpy(), 1)
        rows.append(("zoo full passes (one tf.function)", seconds, "measured"))
    per_pixel = naive_sampler(model, n, args.naive_pixels)
    naive = per_pixel * 28 * 28
    rows.append(
        (
            "naive Python loop, full network per pixel",
            naive,
            f"{per_pixel * 1000:.1f} ms/pixel over {args.naive_pixels} pixels, x 784",
        ),
    )
    print(
        f"\nGated PixelCNN, {args.num_layers} layers, {args.filters} filters, "
        f"{n} samples of 28x28x1 (Bernoulli)\n"
    )
    print("| sampler | seconds for 16 images | speed-up vs naive | how |")
    print("| --- | --- | --- | --- |")
    for name, seconds, how in rows:
        print(f"| {name} | {seconds:.2f} | {naive / seconds:.1f}x | {how} |")


if __name__ == "__main__":
    main()

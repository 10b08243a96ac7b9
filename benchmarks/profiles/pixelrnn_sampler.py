"""How much faster is PixelRNN's row-cached sampler than one full pass per sub-pixel?

Wall time of `PixelRNN((28, 28, 1), num_layers=4, units=32)` (the preset's architecture,
random weights) drawing `NUM` samples with `sample` (the cached sampler) and with
`sample_by_full_passes`, each compiled in a `tf.function` and warmed up on one sample
first; one timed run each (RESULTS, design notes).

Usage: python benchmarks/profiles/pixelrnn_sampler.py [NUM_CACHED] [NUM_FULL]
"""

import sys
import time

import tensorflow as tf

from zoo._random import stateless_seed
from zoo.models.autoregressive import PixelRNN


def timed(function, num):
    start = time.perf_counter()
    function(tf.constant(num), stateless_seed(0), None).numpy()
    return time.perf_counter() - start


def main(num_cached, num_full):
    model = PixelRNN((28, 28, 1), num_layers=4, units=32)
    cached, full = model._sample, tf.function(model.sample_by_full_passes, reduce_retracing=True)
    for name, function, num in (("cached", cached, num_cached), ("full", full, num_full)):
        warm = timed(function, 1)
        seconds = timed(function, num)
        print(f"{name}: warm-up (1 sample) {warm:.1f} s, {num} samples {seconds:.1f} s", flush=True)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]) if len(sys.argv) > 2 else (64, 16))

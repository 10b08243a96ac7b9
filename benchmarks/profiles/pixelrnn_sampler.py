"""How much faster is PixelRNN's row-cached sampler than one full pass per sub-pixel?

Wall and CPU time of `PixelRNN((28, 28, 1), num_layers=4, units=32)` (the preset's
architecture, random weights) drawing NUM samples with `sample` (the cached sampler) and
with `sample_by_full_passes`, each compiled in a `tf.function` and warmed up on one
sample first, then NUM_CACHED samples with the cached sampler; one timed run each
(RESULTS, design notes).

Usage: python benchmarks/profiles/pixelrnn_sampler.py [NUM NUM_CACHED]
"""

import sys
import time

import tensorflow as tf

from zoo.models.autoregressive import PixelRNN
from zoo.random import stateless_seed


def timed(function, num):
    """Wall and CPU (all threads of this process) seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    function(tf.constant(num), stateless_seed(0), None).numpy()
    return time.perf_counter() - wall, time.process_time() - cpu


def main(num, num_cached):
    model = PixelRNN((28, 28, 1), num_layers=4, units=32)
    cached = tf.function(model.sample_cached, reduce_retracing=True)
    full = tf.function(model.sample_by_full_passes, reduce_retracing=True)
    runs = (("cached", cached, num), ("full", full, num), ("cached", cached, num_cached))
    for name, function, n in runs:
        if name == "full" or n == num:  # warm-up: trace and run once on one sample
            print(f"{name}: warm-up (1 sample) wall {timed(function, 1)[0]:.1f} s", flush=True)
        wall, cpu = timed(function, n)
        print(f"{name}: {n} samples wall {wall:.1f} s, CPU {cpu:.1f} s", flush=True)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]) if len(sys.argv) > 2 else (16, 64))

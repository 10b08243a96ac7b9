"""Is XLA (`compile(jit_compile=True)`) faster for the RBM's CD-1 / PCD-1 `fit`?

Seconds per epoch of `BernoulliRBM(784, 256).fit` on 60,000 synthetic binary images,
batch 100, with and without XLA, in interleaved rounds (RESULTS, design notes).

Usage: python benchmarks/profiles/rbm_xla.py [ROUNDS]
"""

import sys
import time

import keras
import numpy as np

from zoo.models import BernoulliRBM


def main(rounds):
    rng = np.random.default_rng(0)
    x = (rng.random((60000, 784)) < rng.random(784) * 0.5).astype("float32")
    models = {}
    for persistent in (False, True):
        for jit in (False, True):
            model = BernoulliRBM(784, 256, cd_k=1, persistent=persistent, seed=0)
            model.compile(optimizer=keras.optimizers.SGD(0.1), jit_compile=jit)
            model.fit(x[:6000], batch_size=100, epochs=1, verbose=0)  # trace / compile
            models["PCD-1" if persistent else "CD-1", "XLA" if jit else "no XLA"] = model
    seconds = {name: [] for name in models}
    for _ in range(rounds):
        for name, model in models.items():
            start = time.perf_counter()
            model.fit(x, batch_size=100, epochs=1, verbose=0, shuffle=True)
            seconds[name].append(time.perf_counter() - start)
    for name, values in seconds.items():
        print(name, f"median {np.median(values):.2f} s/epoch", [round(v, 2) for v in values])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)

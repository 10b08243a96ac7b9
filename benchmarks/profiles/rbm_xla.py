"""Is XLA (`compile(jit_compile=True)`) faster for the RBM's CD-1 / PCD-1 `fit`? (Design notes in RESULTS.)

Usage: python benchmarks/profiles/rbm_xla.py [ROUNDS]
"""

import sys
import time

import keras
import numpy as np

from zoo.models import BernoulliRBM

rng = np.random.default_rng(0)
x = (rng.random((60000, 784)) < rng.random(784) * 0.5).astype("float32")
models = {}
for persistent in (False, True):
    for jit in (False, True):
        m = BernoulliRBM(784, 256, cd_k=1, persistent=persistent, seed=0)
        m.compile(optimizer=keras.optimizers.SGD(0.1), jit_compile=jit)
        m.fit(x[:6000], batch_size=100, epochs=1, verbose=0)
        models[("pcd" if persistent else "cd", jit)] = m
times = {k: [] for k in models}
for r in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
    for k, m in models.items():
        t = time.perf_counter()
        m.fit(x, batch_size=100, epochs=1, verbose=0, shuffle=True)
        times[k].append(time.perf_counter() - t)
for k, v in times.items():
    print(k, "median s/epoch", round(float(np.median(v)), 3), [round(t, 2) for t in v])

"""Milliseconds per NADE 784-500 training step: zoo's blocked NADE, direct autodiff forms, MADE.

Every row is one `model.fit` step (forward, backward, Adam update) on a batch of 100
binarized Fashion-MNIST images, D = 784, H = 500, measured in rounds in one process
(median over rounds) so that the rows share the machine's load; the process CPU time per
step is printed too (less sensitive to other jobs on a shared machine than wall time):

- zoo NADE: `NADE.call` = `nade.nade_logits` (blocks of `BLOCK_SIZE` positions, XLA
  loop over the blocks, custom O(D H) gradient);
- NADE, `tf.scan` over the 784 positions, autodiff (the previous implementation);
- NADE, exclusive `cumsum` over a [batch, D, H] tensor, autodiff;
- zoo MADE 784-500-784 (one mask), the yardstick of the issue.

    python benchmarks/nade_step.py --steps 20 --rounds 3

`run(smoke=False)` returns the zoo NADE vs zoo MADE comparison as a JSON-able record, on
synthetic binary data of the same shape (no download): ms per step (wall and process CPU)
per round, medians, spreads and the NADE / MADE ratio.
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf

import zoo.data
from zoo.models.autoregressive import MADE, NADE, nade


class ScanNADE(NADE):
    """NADE whose logits come from a `tf.scan` over positions (autodiff gradient)."""

    def call(self, x):
        x = tf.cast(x, self.W.dtype)

        def step(carry, inputs):
            running, _ = carry
            x_d, w_d, v_d = inputs
            return running + x_d[:, None] * w_d, tf.linalg.matvec(tf.sigmoid(running), v_d)

        start = (tf.zeros_like(x[:, :1]) + self.c, tf.zeros_like(x[:, 0]))
        _, logits = tf.scan(step, (tf.transpose(x), self.W, self.V), initializer=start)
        return self.b + tf.transpose(logits)


class CumsumNADE(NADE):
    """NADE whose logits come from an exclusive cumsum over [batch, D, H] (autodiff)."""

    def call(self, x):
        x = tf.cast(x, self.W.dtype)
        prefix = tf.cumsum(x[:, :, None] * self.W, axis=1, exclusive=True)
        return self.b + tf.reduce_sum(tf.sigmoid(self.c + prefix) * self.V, -1)


class BlockSizeNADE(NADE):
    """The zoo NADE traced with another `nade.BLOCK_SIZE`."""

    def __init__(self, *args, block_size, **kwargs):
        self.block_size = block_size
        super().__init__(*args, **kwargs)

    def call(self, x):
        default, nade.BLOCK_SIZE = nade.BLOCK_SIZE, self.block_size
        try:
            return super().call(x)
        finally:
            nade.BLOCK_SIZE = default


MODELS = {
    "zoo NADE (blocks, XLA loop, custom gradient)": lambda: NADE(784, 500),
    "NADE, tf.scan over positions, autodiff": lambda: ScanNADE(784, 500),
    "NADE, [batch, D, H] cumsum, autodiff": lambda: CumsumNADE(784, 500),
    "zoo MADE 784-500-784": lambda: MADE(784, [500]),
}


def _time_rounds(models, x, batch_size, steps, rounds):
    """Wall and CPU ms per step of every model, one `fit` epoch each per round, interleaved."""
    times = {name: [] for name in models}
    cpu = {name: [] for name in models}
    for _ in range(rounds):
        for name, model in models.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            model.fit(x, batch_size=batch_size, epochs=1, verbose=0)
            times[name].append((time.perf_counter() - start) / steps * 1e3)
            cpu[name].append((time.process_time() - start_cpu) / steps * 1e3)
    return times, cpu


def _compiled(name, x, batch_size, steps):
    keras.utils.set_random_seed(0)
    model = MODELS[name]()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), steps_per_execution=steps)
    model.fit(x, batch_size=batch_size, epochs=1, verbose=0)  # trace and compile
    return model


def run(smoke: bool = False, steps=None, rounds=None, batch_size=100) -> dict:
    """ms per training step of zoo's NADE 784-500 and MADE 784-500-784, interleaved rounds.

    Args:
        smoke: A short version (2 steps per round, 2 rounds) that checks the plumbing.
        steps: `fit` steps per round (one compiled execution); default 20.
        rounds: Interleaved rounds; default 3.
        batch_size: Examples per step.

    Returns:
        A JSON-able dict: per model the per-round wall and CPU ms per step, their medians
        and spreads, the NADE / MADE ratios, and the load average.
    """
    steps = steps or (2 if smoke else 20)
    rounds = rounds or (2 if smoke else 3)
    rng = np.random.default_rng(0)
    x = (rng.random((steps * batch_size, 784)) < rng.random(784)).astype("float32")
    names = {"NADE": "zoo NADE (blocks, XLA loop, custom gradient)", "MADE": "zoo MADE 784-500-784"}
    load_before = os.getloadavg()
    models = {key: _compiled(name, x, batch_size, steps) for key, name in names.items()}
    times, cpu = _time_rounds(models, x, batch_size, steps, rounds)
    record = {
        "benchmark": "nade_step",
        "smoke": smoke,
        "settings": {
            "batch_size": batch_size,
            "steps_per_round": steps,
            "rounds": rounds,
            "data": "synthetic binary, D=784",
            "H": 500,
        },
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "models": {},
    }
    for key, name in names.items():
        record["models"][key] = {
            "name": name,
            "ms_per_step": times[key],
            "median_ms": float(np.median(times[key])),
            "spread_ms": max(times[key]) - min(times[key]),
            "cpu_ms_per_step": cpu[key],
            "median_cpu_ms": float(np.median(cpu[key])),
        }
    made, nade_ = record["models"]["MADE"], record["models"]["NADE"]
    record["nade_over_made"] = nade_["median_ms"] / made["median_ms"]
    record["nade_over_made_cpu"] = nade_["median_cpu_ms"] / made["median_cpu_ms"]
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20, help="fit steps per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--only", default="", help="comma-separated substrings of row names")
    parser.add_argument(
        "--block-sizes", default="", help="extra zoo NADE rows with these BLOCK_SIZEs, e.g. 8,28"
    )
    parser.add_argument("--run-record", help="write run()'s JSON record here and stop")
    parser.add_argument("--smoke", action="store_true", help="with --run-record: run(smoke=True)")
    args = parser.parse_args()
    if args.run_record:
        record = run(smoke=args.smoke)
        with open(args.run_record, "w") as f:
            json.dump(record, f, indent=1)
        print(json.dumps(record, indent=1))
        return
    for size in [int(s) for s in args.block_sizes.split(",") if s]:
        MODELS[f"zoo NADE, BLOCK_SIZE={size}"] = lambda size=size: BlockSizeNADE(
            784, 500, block_size=size
        )

    images, _ = zoo.data.load_arrays("fashion_mnist", "train")
    n = args.steps * args.batch_size
    x = zoo.data.binarize_static(images[:n]).reshape(n, -1)
    wanted = [s.strip().lower() for s in args.only.split(",") if s.strip()]
    names = [m for m in MODELS if not wanted or any(w in m.lower() for w in wanted)]
    models = {name: _compiled(name, x, args.batch_size, args.steps) for name in names}
    times, cpu = _time_rounds(models, x, args.batch_size, args.steps, args.rounds)
    made = next((np.median(t) for m, t in times.items() if "MADE" in m), None)
    made_cpu = next((np.median(t) for m, t in cpu.items() if "MADE" in m), None)
    print(
        f"\nms per fit step, batch {args.batch_size}, D=784, H=500, "
        f"steps_per_execution={args.steps}, median of {args.rounds} rounds, "
        f"load average {os.getloadavg()[0]:.1f}\n"
    )
    print(
        "| model | ms / step (median) | rounds | x MADE | CPU ms / step (median) | x MADE (CPU) |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for name, t in times.items():
        ratio = f"{np.median(t) / made:.1f}x" if made else "-"
        cpu_ratio = f"{np.median(cpu[name]) / made_cpu:.1f}x" if made_cpu else "-"
        rounds = ", ".join(f"{v:.0f}" for v in t)
        print(
            f"| {name} | {np.median(t):.1f} | {rounds} | {ratio} | "
            f"{np.median(cpu[name]):.1f} | {cpu_ratio} |"
        )


if __name__ == "__main__":
    main()

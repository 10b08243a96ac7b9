"""Milliseconds per NADE 784-500 training step: zoo's blocked NADE vs direct autodiff forms, and MADE.

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
"""

import argparse
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20, help="fit steps per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--only", default="", help="comma-separated substrings of row names")
    parser.add_argument(
        "--block-sizes", default="", help="extra zoo NADE rows with these BLOCK_SIZEs, e.g. 8,28"
    )
    args = parser.parse_args()
    for size in [int(s) for s in args.block_sizes.split(",") if s]:
        MODELS[f"zoo NADE, BLOCK_SIZE={size}"] = lambda size=size: BlockSizeNADE(
            784, 500, block_size=size
        )

    images, _ = zoo.data.load_arrays("fashion_mnist", "train")
    n = args.steps * args.batch_size
    x = zoo.data.binarize_static(images[:n]).reshape(n, -1)
    wanted = [s.strip().lower() for s in args.only.split(",") if s.strip()]
    names = [m for m in MODELS if not wanted or any(w in m.lower() for w in wanted)]
    models = {}
    for name in names:
        keras.utils.set_random_seed(0)
        model = MODELS[name]()
        model.compile(optimizer=keras.optimizers.Adam(1e-3), steps_per_execution=args.steps)
        model.fit(x, batch_size=args.batch_size, epochs=1, verbose=0)  # trace and compile
        models[name] = model
    times = {name: [] for name in names}
    cpu = {name: [] for name in names}
    for _ in range(args.rounds):
        for name, model in models.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            model.fit(x, batch_size=args.batch_size, epochs=1, verbose=0)
            times[name].append((time.perf_counter() - start) / args.steps * 1e3)
            cpu[name].append((time.process_time() - start_cpu) / args.steps * 1e3)
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

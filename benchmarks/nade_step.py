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

`python -m benchmarks run nade_step` (`run()`) records the zoo NADE vs zoo MADE comparison
and NADE's forward pass alone, on synthetic binary data of the same shape (no download).
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf
from _timing import contender, interleaved_rounds, scaled, target

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
    times = interleaved_rounds(
        {
            name: lambda model=model: model.fit(x, batch_size=batch_size, epochs=1, verbose=0)
            for name, model in models.items()
        },
        rounds,
        warmup=0,  # `_compiled` already ran one epoch
    )
    return {name: scaled(t, 1e3 / steps) for name, t in times.items()}


def _compiled(name, x, batch_size, steps):
    keras.utils.set_random_seed(0)
    model = MODELS[name]()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), steps_per_execution=steps)
    model.fit(x, batch_size=batch_size, epochs=1, verbose=0)  # trace and compile
    return model


class ForwardOnly:
    """`steps` forward passes of zoo's NADE (logits, no gradient), one compiled loop."""

    def __init__(self, x, batch_size, steps):
        keras.utils.set_random_seed(0)
        self.model = NADE(784, 500)
        self.batches = tf.reshape(tf.constant(x), [steps, batch_size, -1])
        self.model(self.batches[0])

    @tf.function
    def __call__(self):
        return tf.map_fn(lambda batch: tf.reduce_sum(self.model(batch)), self.batches)


NADE_NAME, MADE_NAME = "zoo NADE 784-500 (fit)", "zoo MADE 784-500-784 (fit)"
FORWARD_NAME = "zoo NADE 784-500 forward pass only (no gradient, no update)"


def run(smoke: bool = False, steps=None, rounds=None, batch_size=100) -> dict:
    """ms per training step of zoo's NADE 784-500 and MADE 784-500-784, interleaved rounds.

    A third contender times NADE's forward pass alone: its backward pass needs the same
    B x D x H hidden units again (recomputed here; storing them was slower), so twice the
    forward time is about the least a NADE step of this form can take.

    Args:
        smoke: A short version (2 steps per round, 2 rounds) that checks the plumbing.
        steps: `fit` steps per round (one compiled execution); default 20.
        rounds: Interleaved rounds; default 3.
        batch_size: Examples per step.

    Returns:
        The harness's part of the record: settings, contenders (wall and CPU ms per step
        per round), the NADE / MADE target and notes.
    """
    steps = steps or (2 if smoke else 20)
    rounds = rounds or (2 if smoke else 5)
    rng = np.random.default_rng(0)
    x = (rng.random((steps * batch_size, 784)) < rng.random(784)).astype("float32")
    models = {
        NADE_NAME: _compiled("zoo NADE (blocks, XLA loop, custom gradient)", x, batch_size, steps),
        MADE_NAME: _compiled("zoo MADE 784-500-784", x, batch_size, steps),
    }
    functions = {
        name: lambda model=model: model.fit(x, batch_size=batch_size, epochs=1, verbose=0)
        for name, model in models.items()
    }
    functions[FORWARD_NAME] = ForwardOnly(x, batch_size, steps)
    times = interleaved_rounds(functions, rounds)
    made_flops = 2 * batch_size * 784 * 500 * 2 * 3  # 2 products, forward + 2 backward
    contenders = {
        name: contender(
            **scaled(t, 1e3 / steps),
            unit="ms/step",
            flops_per_step=made_flops if name == MADE_NAME else None,
        )
        for name, t in times.items()
    }
    nade_ms, made_ms = (contenders[n]["wall"]["median"] for n in (NADE_NAME, MADE_NAME))
    forward_ms = contenders[FORWARD_NAME]["wall"]["median"]
    return {
        "settings": {
            "batch_size": batch_size,
            "steps_per_round": steps,
            "rounds": rounds,
            "data": "synthetic binary, D=784",
            "hidden_units": 500,
            "optimizer": "Adam(1e-3)",
        },
        "contenders": contenders,
        "targets": [
            target(
                "zoo NADE step / zoo MADE step (median wall ms)",
                nade_ms / made_ms,
                "<= 8",
                cpu_ratio=contenders[NADE_NAME]["cpu"]["median"]
                / contenders[MADE_NAME]["cpu"]["median"],
                forward_only_over_made=forward_ms / made_ms,
            )
        ],
        "notes": [
            f"`fit` with Adam, steps_per_execution={steps}, batch {batch_size}; the three "
            "contenders interleaved in every round.",
            "NADE forward pass alone: "
            f"{forward_ms:.1f} ms = {forward_ms / made_ms:.1f}x a whole MADE step; its "
            "B x D x H = "
            f"{batch_size * 784 * 500 / 1e6:.0f} M sigmoids are needed again by the backward "
            "pass.",
        ],
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
    models = {name: _compiled(name, x, args.batch_size, args.steps) for name in names}
    measured = _time_rounds(models, x, args.batch_size, args.steps, args.rounds)
    times = {name: t["wall"] for name, t in measured.items()}
    cpu = {name: t["cpu"] for name, t in measured.items()}
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

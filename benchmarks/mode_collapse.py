"""Mode collapse on 2-D mixtures: plain GAN vs unrolled GAN (Metz et al.).

    # one mixture x one variant x some seeds per run; rows appended to a JSON-lines file
    python benchmarks/mode_collapse.py --mixture ring --unroll 5 --seeds 0 1 2 --out rows.jsonl
    # the markdown table of every row in the file(s)
    python benchmarks/mode_collapse.py --table rows.jsonl

Both variants use the same networks and training as Metz et al.'s reference notebook:
generator and discriminator with two 128-unit tanh hidden layers, orthogonal initial
weights (gain 1.4), z ~ N(0, I_256), the saddle objective (the generator minimises
-(discriminator loss), i.e. `loss="minimax"`), Adam with beta_1 0.5 at 1e-4 for the
discriminator and 1e-3 for the generator, batch size 512; the only difference is
`unroll_steps`. Each of these can be changed (`--activation`, `--init`, `--loss`,
`--d-lr`, ...), and every row records its setup. The whole train step is compiled with
XLA (`--no-xla` to compare) and runs `--steps-per-execution` steps per call: these MLPs
are so small that per-step overhead matters. Every `--eval-every` steps the run is scored
with `zoo.evaluation.mode_coverage` on 2,500 samples (3 std), so one row also shows how
coverage evolves. Each finished seed appends one JSON row to `--out`.

Published reference (VEEGAN / GDPP tables, 25k+ steps): plain GAN ≈ 1/8 on the ring and
3.3/25 on the grid; unrolled ≈ 7.6/8 and 23.6/25.
"""

import argparse
import json
import time

import keras
import numpy as np
import tensorflow as tf

from zoo.data import toy
from zoo.evaluation.mode_coverage import NUM_SAMPLES, mode_coverage
from zoo.models import GAN
from zoo.random import replica_rows

MIXTURES = {"ring": toy.ring_mixture, "grid": toy.grid_mixture}


INITIALIZERS = {
    "glorot": keras.initializers.GlorotUniform,
    # Metz et al.'s notebook: orthogonal weights with gain 1.4
    "orthogonal": lambda: keras.initializers.Orthogonal(gain=1.4),
}


def mlp(inputs, outputs, args, name):
    """Two hidden layers of `args.units` with `args.activation`, linear output."""

    def dense(units, activation=None):
        return keras.layers.Dense(
            units, activation=activation, kernel_initializer=INITIALIZERS[args.init]()
        )

    return keras.Sequential(
        [
            keras.Input((inputs,)),
            dense(args.units, args.activation),
            dense(args.units, args.activation),
            dense(outputs),
        ],
        name=name,
    )


class SimultaneousGAN(GAN):
    """Both players' gradients at the same weights, then both updates (`--updates
    simultaneous`), as in Metz et al.'s notebook, where one `sess.run` evaluates the
    generator's and the discriminator's updates together. The unrolled look-ahead then
    starts from the pre-update discriminator, its first step being the real update.
    `GAN` itself alternates: the generator answers the updated discriminator.
    """

    def train_step(self, data):
        real = self._real_batch(data)
        rows = replica_rows(tf.shape(real)[0])
        with tf.GradientTape(persistent=True) as tape:
            fake = self.generator(self._latents(tf.shape(real)[0], rows), training=True)
            d_per_example = self._discriminator_losses(
                real, tf.stop_gradient(fake), rows, training=True
            )
            g_per_example = self._generator_losses(real, fake)
            d_loss = tf.nn.compute_average_loss(d_per_example)
            g_loss = tf.nn.compute_average_loss(g_per_example)
        updates = (
            (self.d_optimizer, self.discriminator.trainable_variables, d_loss),
            (self.g_optimizer, self.generator.trainable_variables, g_loss),
        )
        grads = [tape.gradient(loss, variables) for _, variables, loss in updates]
        for (optimizer, variables, _), player_grads in zip(updates, grads, strict=True):
            optimizer.apply(player_grads, variables)
        self.d_loss_tracker.update_state(d_per_example)
        self.g_loss_tracker.update_state(g_per_example)
        return {m.name: m.result() for m in self.metrics}


def run(mixture_name, unroll_steps, seed, args):
    """Train one GAN; returns the JSON row (coverage at every evaluation, timing)."""
    mixture = MIXTURES[mixture_name]()
    keras.utils.set_random_seed(seed)
    gan_class = SimultaneousGAN if args.updates == "simultaneous" else GAN
    gan = gan_class(
        mlp(args.latent_dim, 2, args, "generator"),
        mlp(2, 1, args, "discriminator"),
        args.latent_dim,
        loss=args.loss,
        unroll_steps=unroll_steps,
        seed=seed,
    )
    gan.compile(
        d_optimizer=keras.optimizers.Adam(args.d_lr, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(args.g_lr, beta_1=0.5),
        steps_per_execution=args.steps_per_execution,
        jit_compile=args.xla,
    )
    chunk = args.eval_every * args.batch_size
    data = mixture.sample(args.steps * args.batch_size, seed=seed + 1000)
    curve, train_seconds = [], 0.0
    for start in range(0, len(data), chunk):
        begin = time.perf_counter()
        gan.fit(data[start : start + chunk], batch_size=args.batch_size, shuffle=False, verbose=0)
        train_seconds += time.perf_counter() - begin
        coverage = mode_coverage(gan.sample(NUM_SAMPLES, seed=seed).numpy(), mixture)
        curve.append(
            {
                "step": (start + chunk) // args.batch_size,
                "modes": coverage["modes_covered"],
                "high_quality": coverage["high_quality_fraction"],
            }
        )
    return {
        "mixture": mixture_name,
        "num_modes": mixture.num_modes,
        "unroll_steps": unroll_steps,
        "seed": seed,
        "steps": args.steps,
        "modes": curve[-1]["modes"],
        "high_quality": curve[-1]["high_quality"],
        "curve": curve,
        "train_seconds": train_seconds,
        "config": {
            key: getattr(args, key)
            for key in (
                "batch_size",
                "latent_dim",
                "units",
                "activation",
                "init",
                "loss",
                "d_lr",
                "g_lr",
                "updates",
                "xla",
            )
        },
    }


def setup(row):
    """The training setup of a row: loss, activation, initializer, learning rates."""
    config = row["config"]
    return (
        f"{config.get('loss', 'non_saturating')}, {config.get('activation', 'relu')}, "
        f"{config.get('init', 'glorot')}, D {config['d_lr']:g} / G {config['g_lr']:g}, "
        f"{config.get('updates', 'alternating')}"
    )


def table(rows):
    """Markdown table: one line per (mixture, setup, variant, steps), mean ± std over seeds."""
    groups = {}
    for row in rows:
        key = (row["mixture"], setup(row), row["unroll_steps"], row["steps"])
        groups.setdefault(key, []).append(row)
    header = (
        "| mixture | setup (loss, activation, init, Adam lr, updates) | GAN | steps | seeds | "
        "modes covered | % high quality | per seed | modes at each eval (mean) | s/run |"
    )
    lines = [header, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for (mixture, config, unroll, steps), group in sorted(groups.items()):
        group.sort(key=lambda r: r["seed"])
        modes = [r["modes"] for r in group]
        quality = [100 * r["high_quality"] for r in group]
        curve = np.mean([[c["modes"] for c in r["curve"]] for r in group], axis=0)
        evals = ", ".join(
            f"{c['step']}: {m:.1f}" for c, m in zip(group[0]["curve"], curve, strict=True)
        )
        label = "plain" if unroll == 0 else f"unrolled k={unroll}"
        lines.append(
            f"| {mixture} | {config} | {label} | {steps} | {len(group)} | {np.mean(modes):.1f} ± "
            f"{np.std(modes):.1f} / {group[0]['num_modes']} | {np.mean(quality):.1f} ± "
            f"{np.std(quality):.1f} | {modes} | {evals} | "
            f"{np.mean([r['train_seconds'] for r in group]):.0f} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mixture", choices=list(MIXTURES), default="ring")
    parser.add_argument("--unroll", type=int, default=0, help="unroll_steps; 0: plain GAN")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--steps", type=int, default=10000, help="generator updates per run")
    parser.add_argument("--eval-every", type=int, default=2000)
    parser.add_argument("--steps-per-execution", type=int, default=250)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--latent-dim", type=int, default=256)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--activation", default="tanh", help="hidden activation of G and D")
    parser.add_argument("--init", choices=list(INITIALIZERS), default="orthogonal")
    parser.add_argument(
        "--loss", default="minimax", help="GAN loss (minimax: Metz et al.'s saddle objective)"
    )
    parser.add_argument(
        "--updates",
        choices=["alternating", "simultaneous"],
        default="alternating",
        help="zoo's GAN (alternating) or both updates from the same weights (Metz's notebook)",
    )
    parser.add_argument("--d-lr", type=float, default=1e-4)
    parser.add_argument("--g-lr", type=float, default=1e-3)
    parser.add_argument("--no-xla", dest="xla", action="store_false")
    parser.add_argument("--out", help="append one JSON row per seed to this file")
    parser.add_argument("--table", nargs="+", metavar="JSONL", help="only print the table")
    args = parser.parse_args()

    if args.table:
        rows = []
        for path in args.table:
            with open(path) as f:
                rows += [json.loads(line) for line in f if line.strip()]
        print(table(rows))
        return
    if args.steps % args.eval_every or args.eval_every % args.steps_per_execution:
        parser.error(
            "--steps must be a multiple of --eval-every, and that of --steps-per-execution"
        )
    rows = []
    for seed in args.seeds:
        rows.append(run(args.mixture, args.unroll, seed, args))
        print(json.dumps(rows[-1]), flush=True)
        if args.out:
            with open(args.out, "a") as f:
                f.write(json.dumps(rows[-1]) + "\n")
    print(table(rows))


if __name__ == "__main__":
    main()

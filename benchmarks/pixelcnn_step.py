"""PixelCNN training step: live-taps masked convolutions vs the masked full kernels.

Every masked convolution of zoo's PixelCNN can run in two forms with the same weights
(`PixelCNN(convolution=...)`, see `zoo.layers.masked.MaskedConv2D`):

- `masked`: the full k x k kernel times its 0/1 mask, one 'SAME' convolution (the form
  before issue 15, kept as the test oracle).
- `taps`: only the kernel positions the mask keeps, as cropped convolutions of shifted,
  padded inputs (the gated vertical stack's 3x3 kernels use 6 of 9 taps, the horizontal
  1x3 kernels 2 of 3, a 7x7 type-A kernel 24 of 49).

Configurations, on batches of 28x28x1 binary images (batch 64 by default):
`gated_6x32` (the published `pixelcnn_fashion_mnist` preset), `gated_12x64`, and
`residual_5x128` (the keras.io PixelCNN architecture: a 7x7 type-A layer and 5 residual
blocks of 128 features). Each contender is one compiled `train_step` (forward, backward,
Adam update) of its own model, both models starting from the same weights. The contenders
run in interleaved rounds of a few steps each in one process, so they share the machine
load; the record gives the median and the spread (max - min) of ms per step over the
rounds, and the masked / taps ratio of the medians per configuration.

GFLOP/s counts the multiply-adds of the convolutions (2 FLOPs each) of the forward pass
and of both backward products (input and kernel gradients; no input gradient for the
layers reading the image), once over the live taps only and once over all k x k taps.
No keras.io PixelCNN port exists in `benchmarks/`, so there is no peer contender.

    python -m benchmarks.pixelcnn_step                 # full run, JSON record on stdout
    python -m benchmarks.pixelcnn_step --smoke         # tiny configs
    python -m benchmarks.pixelcnn_step --xla           # also taps with its update under XLA
"""

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf

from zoo.layers.masked import MaskedConv2D
from zoo.models.autoregressive import PixelCNN

CONFIGS = {
    "gated_6x32": {"num_layers": 6, "filters": 32, "gated": True},
    "gated_12x64": {"num_layers": 12, "filters": 64, "gated": True},
    "residual_5x128": {"num_layers": 5, "filters": 128, "gated": False},
}
SMOKE_CONFIGS = {
    "gated_2x16": {"num_layers": 2, "filters": 16, "gated": True},
    "residual_2x32": {"num_layers": 2, "filters": 32, "gated": False},
}
IMAGE_LAYERS = ("first", "vertical_0", "horizontal_0")  # their input is the image


def step_gflop(model, batch_size):
    """GFLOP of one training step's convolutions: (live taps only, all taps)."""
    height, width, _ = model.image_shape
    live = every = 0.0
    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, MaskedConv2D):
            macs_live, macs_all = float(layer._mask.sum()), float(layer._mask.size)
        elif isinstance(layer, keras.layers.Conv2D):
            macs_live = macs_all = float(np.prod(layer.kernel.shape))
        else:
            continue
        products = 2 if layer.name in IMAGE_LAYERS else 3  # forward, kernel grad, input grad
        positions = batch_size * height * width
        live += 2 * products * positions * macs_live / 1e9
        every += 2 * products * positions * macs_all / 1e9
    return live, every


def build_step(config, convolution, weights, xla=False):
    model = PixelCNN((28, 28, 1), convolution=convolution, **config)
    model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.jit_update = xla
    return model, tf.function(model.train_step)


def run(smoke: bool = False, batch_size: int = 64, rounds: int = 7, steps: int = 3, xla=False):
    """Time the contenders side by side; returns the JSON-able record.

    Args:
        smoke: Tiny configurations, batch 8, 2 rounds of 1 step (a check that it runs).
        batch_size: Images per step.
        rounds: Interleaved rounds; the record keeps every round's ms per step.
        steps: Steps per contender per round.
        xla: Also time the taps form with its update compiled by XLA (`jit_update`).
    """
    configs = SMOKE_CONFIGS if smoke else CONFIGS
    if smoke:
        batch_size, rounds, steps = 8, 2, 1
    forms = ["masked", "taps"] + (["taps_xla"] if xla else [])
    x = (np.random.default_rng(0).uniform(size=[batch_size, 28, 28, 1]) > 0.5).astype("float32")
    contenders, gflop, losses = {}, {}, {}
    for name, config in configs.items():
        keras.utils.set_random_seed(0)
        weights = PixelCNN((28, 28, 1), **config).get_weights()
        for form in forms:
            model, step = build_step(config, form.split("_")[0], weights, xla=form.endswith("xla"))
            losses[f"{name}/{form}"] = float(step(x)["loss"])  # trace, compile, first update
            contenders[f"{name}/{form}"] = step
        gflop[name] = step_gflop(model, batch_size)
    # The first update from the same weights on the same batch: same loss in every form.
    times = {key: [] for key in contenders}
    for _ in range(rounds):
        for key, step in contenders.items():
            start = time.perf_counter()
            for _ in range(steps):
                loss = step(x)["loss"]
            float(loss)
            times[key].append(1000 * (time.perf_counter() - start) / steps)
    record = {"contenders": {}, "configs": {}, "ratios": {}}
    for key, ms in times.items():
        name = key.split("/")[0]
        median = statistics.median(ms)
        live, every = gflop[name]
        record["contenders"][key] = {
            "ms_per_step_median": round(median, 2),
            "ms_spread": round(max(ms) - min(ms), 2),
            "rounds": [round(t, 2) for t in ms],
            "gflops_live_taps": round(live / (median / 1000), 2),
            "gflops_all_taps": round(every / (median / 1000), 2),
            "first_step_loss": losses[key],
        }
    for name, config in configs.items():
        live, every = gflop[name]
        record["configs"][name] = {
            **config,
            "image_shape": [28, 28, 1],
            "batch_size": batch_size,
            "steps_per_round": steps,
            "gflop_per_step_live_taps": round(live, 3),
            "gflop_per_step_all_taps": round(every, 3),
        }
        masked = record["contenders"][f"{name}/masked"]["ms_per_step_median"]
        for form in forms[1:]:
            taps = record["contenders"][f"{name}/{form}"]["ms_per_step_median"]
            record["ratios"][f"{name}: masked / {form}"] = round(masked / taps, 3)
    record["environment"] = {
        "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "unset (on)"),
        "load_average": os.getloadavg(),
        "tensorflow": tf.__version__,
        "smoke": smoke,
    }
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--xla", action="store_true")
    args = parser.parse_args()
    record = run(args.smoke, args.batch_size, args.rounds, args.steps, args.xla)
    print(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()

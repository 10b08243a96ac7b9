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
The peer, beside the residual configuration: keras.io's PixelCNN example ported to
Keras 3 (`kerasio_pixelcnn`: the same layer sizes, the kernel masked in place before each
call, binary cross-entropy, its own weights); its FLOPs are counted as the residual
model's.

    python -m benchmarks run pixelcnn_step            # full run, JSON record in results/
    python benchmarks/pixelcnn_step.py --smoke         # tiny configs, tables printed
    python benchmarks/pixelcnn_step.py --xla           # also taps with its update under XLA
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf
from _timing import contender, interleaved_rounds, scaled, target

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


class KerasIOPixelConv(keras.layers.Layer):
    """keras.io's PixelCNN layer, ported: a `Conv2D` whose kernel is multiplied by its mask,
    in place, before every call (the example's way of masking)."""

    def __init__(self, mask_type, **conv_options):
        super().__init__()
        self.mask_type = mask_type
        self.conv = keras.layers.Conv2D(**conv_options)

    def build(self, input_shape):
        self.conv.build(input_shape)
        height, width = self.conv.kernel.shape[:2]
        mask = np.zeros(self.conv.kernel.shape, "float32")
        mask[: height // 2] = 1.0
        mask[height // 2, : width // 2] = 1.0
        if self.mask_type == "B":
            mask[height // 2, width // 2] = 1.0
        self.mask = mask

    def call(self, inputs):
        self.conv.kernel.assign(self.conv.kernel * self.mask)
        return self.conv(inputs)


def kerasio_pixelcnn(filters, num_blocks):
    """keras.io's PixelCNN (van den Oord et al. 2016 on MNIST): a 7x7 type-A layer,
    residual blocks (1x1, 3x3 type B, 1x1 with half the filters inside), two 1x1 type-B
    layers and a sigmoid 1x1 output; binary cross-entropy."""
    inputs = keras.Input((28, 28, 1))
    x = KerasIOPixelConv("A", filters=filters, kernel_size=7, padding="same", activation="relu")(
        inputs
    )
    for _ in range(num_blocks):
        h = keras.layers.Conv2D(filters // 2, 1, activation="relu")(x)
        h = KerasIOPixelConv(
            "B", filters=filters // 2, kernel_size=3, padding="same", activation="relu"
        )(h)
        x = keras.layers.add([x, keras.layers.Conv2D(filters, 1, activation="relu")(h)])
    for _ in range(2):
        x = KerasIOPixelConv("B", filters=filters, kernel_size=1, activation="relu")(x)
    outputs = keras.layers.Conv2D(1, 1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    return model, tf.function(lambda x: model.train_step((x, x)))


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
    functions, gflop, losses = {}, {}, {}
    for name, config in configs.items():
        keras.utils.set_random_seed(0)
        weights = PixelCNN((28, 28, 1), **config).get_weights()
        for form in forms:
            model, step = build_step(config, form.split("_")[0], weights, xla=form.endswith("xla"))
            losses[f"{name}/{form}"] = float(step(x)["loss"])  # trace, compile, first update

            def steps_of(step=step):
                for _ in range(steps):
                    loss = step(x)["loss"]
                float(loss)

            functions[f"{name}/{form}"] = steps_of
        gflop[name] = step_gflop(model, batch_size)
        if not config["gated"]:  # the peer: keras.io's example at the same size
            keras.utils.set_random_seed(0)
            _, peer = kerasio_pixelcnn(config["filters"], config["num_layers"])
            peer(x)

            def peer_steps(peer=peer):
                for _ in range(steps):
                    loss = peer(x)["loss"]
                float(loss)

            functions[f"{name}/keras.io port"] = peer_steps
    times = interleaved_rounds(functions, rounds, warmup=0)
    contenders, targets = {}, []
    for key, measured in times.items():
        name = key.split("/")[0]
        live, every = gflop[name]
        contenders[key] = contender(
            **scaled(measured, 1e3 / steps),
            unit="ms/step",
            flops_per_step=live * 1e9,
            first_step_loss=losses.get(key),  # the same update from the same weights
        )
        contenders[key]["gflops_all_taps"] = contenders[key]["gflops"] * every / live
    for name in configs:
        live, every = gflop[name]
        masked = contenders[f"{name}/masked"]["wall"]
        for form in forms[1:]:
            taps = contenders[f"{name}/{form}"]["wall"]
            targets.append(
                target(
                    f"{name}: masked ms/step / {form} ms/step (median)",
                    masked["median"] / taps["median"],
                    ">= 1.4",
                    cpu_ratio=contenders[f"{name}/masked"]["cpu"]["median"]
                    / contenders[f"{name}/{form}"]["cpu"]["median"],
                    arithmetic_bound=every / live,
                )
            )
    peers = []
    for name in configs:
        if f"{name}/keras.io port" in contenders:
            peer = contenders[f"{name}/keras.io port"]["wall"]["median"]
            taps = contenders[f"{name}/taps"]["wall"]["median"]
            peers.append(
                f"{name}: keras.io port {peer:.0f} ms/step, zoo taps form {taps:.0f} "
                f"(zoo / keras.io {taps / peer:.2f})"
            )
    settings = {
        name: {
            **config,
            "gflop_per_step_live_taps": gflop[name][0],
            "gflop_per_step_all_taps": gflop[name][1],
        }
        for name, config in configs.items()
    }
    record = {
        "settings": {
            "configs": settings,
            "image_shape": [28, 28, 1],
            "batch_size": batch_size,
            "steps_per_round": steps,
            "rounds": rounds,
        },
        "contenders": contenders,
        "targets": targets,
        "notes": [
            "Each contender: one compiled `train_step` (forward, backward, Adam) of its own "
            "model, both forms from the same weights; rounds interleaved.",
            "GFLOP/s counts the live taps' multiply-adds of every convolution (forward, "
            "kernel and input gradients); `gflops all taps` counts every k x k tap.",
            "arithmetic bound: all-taps / live-taps FLOPs of the whole step, the speed-up "
            "that skipping the masked taps could give if every other op were free.",
            *peers,
        ],
    }
    return record


if __name__ == "__main__":
    from harness import script_main

    script_main(run)

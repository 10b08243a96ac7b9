"""
Title: Denoising autoencoder on Fashion-MNIST
Author: zoo contributors
Date created: 2026/11/23
Description: Train a deep denoising autoencoder with masking noise and show what it
    restores.

Run: `python examples/denoising_autoencoder_fashion_mnist.py [--quick] [--out DIR]`
"""

"""
## Introduction

A denoising autoencoder (Vincent et al., 2008) sees a corrupted input — here 30 % of the
pixels set to zero ("masking noise"), fresh noise every batch — and is trained to
reconstruct the *clean* input. It must learn the data's structure rather than the identity.

Reference: Vincent, Larochelle, Bengio & Manzagol (2008), Extracting and composing robust
features with denoising autoencoders.
"""

"""
## Setup
"""

import argparse
import pathlib

import keras
import numpy as np

import zoo.data
from zoo import plotting
from zoo.models import DenoisingAutoencoder

parser = argparse.ArgumentParser(description=__doc__.split("\n")[2])
parser.add_argument("--quick", action="store_true", help="tiny run (smoke test, < 2 min)")
parser.add_argument("--out", default="examples_output", help="folder for the PNG files")
args = parser.parse_args()
out = pathlib.Path(args.out)
keras.utils.set_random_seed(0)

"""
## Data

Grey levels in [0, 1]; the cross-entropy loss treats them as Bernoulli means.
"""

images, _ = zoo.data.load_arrays("fashion_mnist", "train")
test_images, _ = zoo.data.load_arrays("fashion_mnist", "test")
x_train = zoo.data.to_unit_interval(images[:2_000] if args.quick else images)
x_test = zoo.data.to_unit_interval(test_images)

"""
## Model and training
"""

dae = DenoisingAutoencoder(
    input_shape=(28, 28, 1),
    hidden_units=[64, 16] if args.quick else [512, 64],
    noise="masking",
    noise_level=0.3,
    loss="cross_entropy",
)
dae.compile(optimizer=keras.optimizers.Adam(1e-3), steps_per_execution=10)
dae.fit(x_train, batch_size=128, epochs=1 if args.quick else 10, verbose=2)
scores = dae.evaluate(x_test, batch_size=500, verbose=0, return_dict=True)
print(f"test reconstruction cross-entropy: {scores['reconstruction_loss']:.2f} nats per image")

"""
## What it restores

Rows: clean test images, their corrupted versions, and the reconstructions of the
corrupted versions.
"""

clean = x_test[:8]
corrupted = np.asarray(dae.corrupt(clean, seed=0))
restored = np.asarray(dae.reconstruct(corrupted))
plotting.save_image_grid(
    np.concatenate([clean, corrupted, restored]), out / "dae_denoising.png", rows=3, scale=2
)
print(f"Saved {out / 'dae_denoising.png'}")

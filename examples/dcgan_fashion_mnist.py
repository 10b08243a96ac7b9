"""
Title: DCGAN on Fashion-MNIST
Author: zoo contributors
Date created: 2026/11/23
Description: Train a deep convolutional GAN with `fit`, score it with FD-FMNIST, and
    walk its latent space.

Run: `python examples/dcgan_fashion_mnist.py [--quick] [--out DIR]`
"""

"""
## Introduction

A generator G maps Gaussian noise z to images; a discriminator D tells them from real ones.
`zoo.models.DCGAN` follows Radford et al.'s guidelines (strided convolutions, batch norm,
ReLU / LeakyReLU, tanh output) and trains with the non-saturating generator loss
(Goodfellow et al., 2014): each `train_step` updates D once, then G once.

References: Goodfellow et al. (2014), Generative adversarial nets; Radford, Metz & Chintala
(2016), Unsupervised representation learning with deep convolutional GANs.
"""

"""
## Setup
"""

import argparse
import pathlib

import keras
import numpy as np

import zoo
import zoo.data
from zoo import plotting
from zoo.models import DCGAN

parser = argparse.ArgumentParser(description=__doc__.split("\n")[2])
parser.add_argument("--quick", action="store_true", help="tiny run (smoke test, < 2 min)")
parser.add_argument("--out", default="examples_output", help="folder for the PNG files")
args = parser.parse_args()
out = pathlib.Path(args.out)
keras.utils.set_random_seed(0)

"""
## Data

Grey levels scaled to [-1, 1], the range of the generator's tanh output.
"""

images, _ = zoo.data.load_arrays("fashion_mnist", "train")
images = images[:1_024] if args.quick else images
x_train = zoo.data.to_unit_interval(images) * 2.0 - 1.0

"""
## Model

Both players get Adam(2e-4, beta_1=0.5) from `compile()` (the DCGAN paper's setting).
"""

gan = DCGAN(image_shape=(28, 28, 1), latent_dim=100, filters=8 if args.quick else 64)
gan.compile(steps_per_execution=8)
gan.fit(x_train, batch_size=128, epochs=1 if args.quick else 5, verbose=2)

"""
## Sample quality

FD-FMNIST: the Fréchet distance between features of real and generated images, taken from
the published `classifier_fashion_mnist` preset (when it is available).
"""

samples = (np.asarray(gan.sample(64, seed=0)) + 1.0) / 2.0
plotting.save_image_grid(samples, out / "dcgan_samples.png", scale=2)
if "classifier_fashion_mnist" in zoo.list_models(pretrained=True):
    from zoo.evaluation.sample_quality import sample_quality

    test_images, _ = zoo.data.load_arrays("fashion_mnist", "test")
    num = 500 if args.quick else 2_000
    generated = (np.asarray(gan.sample(num, seed=1)) + 1.0) / 2.0
    scores = sample_quality(zoo.data.to_unit_interval(test_images[:num]), generated)
    print(f"FD-FMNIST ({num} samples vs {num} test images): {scores['fd']:.2f}")

"""
## Latent walks

Spherical interpolation between pairs of latents (White, 2016): one row per pair.
"""

z = gan.sample_latents(8, seed=2).numpy()
plotting.interpolation_grid(gan, z[:4], z[4:], num_steps=8, path=out / "dcgan_walks.png", scale=2)
print(f"Saved {out / 'dcgan_samples.png'} and {out / 'dcgan_walks.png'}")

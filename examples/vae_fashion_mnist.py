"""
Title: Variational autoencoder on binarized Fashion-MNIST
Author: zoo contributors
Date created: 2026/11/23
Description: Train a convolutional VAE on dynamically binarized images, estimate test
    log-likelihood by importance weighting, and plot samples, reconstructions and latent
    traversals.

Run: `python examples/vae_fashion_mnist.py [--quick] [--out DIR]`
"""

"""
## Introduction

A VAE pairs an encoder q(z|x) (a Gaussian) with a decoder p(x|z) (Bernoulli pixels) and
maximizes the ELBO = E_q[log p(x|z)] − KL(q(z|x) || p(z)) through the reparameterization
z = μ + σ·ε. `VAE.log_prob(x, num_samples=K)` is the importance-weighted bound of Burda et
al., tighter than the ELBO as K grows.

References: Kingma & Welling (2014), Auto-encoding variational Bayes; Burda, Grosse &
Salakhutdinov (2016), Importance weighted autoencoders.
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
from zoo.models import VAE

parser = argparse.ArgumentParser(description=__doc__.split("\n")[2])
parser.add_argument("--quick", action="store_true", help="tiny run (smoke test, < 2 min)")
parser.add_argument("--out", default="examples_output", help="folder for the PNG files")
args = parser.parse_args()
out = pathlib.Path(args.out)
keras.utils.set_random_seed(0)

"""
## Data

Dynamic binarization: every epoch each pixel is redrawn as Bernoulli(grey level), which
regularizes (Salakhutdinov & Murray, 2008). `zoo.data.load` does it on batches.
"""

train = zoo.data.load(
    "fashion_mnist", binarize="dynamic", shuffle=True, batch_size=128, seed=0
).map(lambda x, y: x)
train = train.take(8) if args.quick else train
test_images, _ = zoo.data.load_arrays("fashion_mnist", "test")
x_test = zoo.data.binarize_static(zoo.data.to_unit_interval(test_images[:100]))

"""
## Model and training
"""

vae = VAE.conv(input_shape=(28, 28, 1), latent_dim=16, filters=[8, 16] if args.quick else [32, 64])
vae.compile(optimizer=keras.optimizers.Adam(1e-3))
vae.fit(train, epochs=1 if args.quick else 10, verbose=2)

"""
## Log-likelihood

The ELBO and the importance-weighted estimate on 100 statically binarized test images.
"""

elbo = float(np.mean(vae.elbo(x_test, seed=0)))
num_samples = 50 if args.quick else 5_000
iwae = float(np.mean(vae.log_prob(x_test, num_samples=num_samples, seed=0)))
print(f"ELBO {elbo:.2f} nats <= IWAE(K={num_samples}) {iwae:.2f} nats")

"""
## Plots: samples, reconstructions, latent traversals
"""

plotting.save_image_grid(vae.sample(64, seed=0, mean=True), out / "vae_samples.png", scale=2)
plotting.reconstruction_grid(
    x_test[:16], vae.reconstruct(x_test[:16]), columns=8, path=out / "vae_reconstructions.png"
)
z = vae.encode(x_test[:1]).mean()[0]
plotting.latent_traversal_grid(vae, z, dims=range(8), path=out / "vae_traversals.png", scale=2)
print(f"Saved vae_samples.png, vae_reconstructions.png and vae_traversals.png in {out}")

"""
Title: Restricted Boltzmann machine on binarized Fashion-MNIST
Author: zoo contributors
Date created: 2026/11/23
Description: Train a Bernoulli RBM with persistent contrastive divergence, measure its
    log-likelihood with annealed importance sampling, and draw samples by Gibbs sampling.

Run: `python examples/rbm_fashion_mnist.py [--quick] [--out DIR]`
"""

"""
## Introduction

A restricted Boltzmann machine (RBM) defines p(v, h) ∝ exp(bᵀv + cᵀh + hᵀWv) over binary
visible pixels v and binary hidden units h. Its free energy F(v) = −bᵀv − Σ softplus(c + Wv)
is cheap, but the normalizer Z is not: training follows the contrastive-divergence gradient
F(v_data) − F(v_model), where v_model comes from short Gibbs chains. With *persistent* CD
(Tieleman, 2008) the chains continue across updates. The likelihood needs log Z, which we
estimate by annealed importance sampling (Salakhutdinov & Murray, 2008), or compute exactly
for a small hidden layer.

References: Hinton (2002), Training products of experts by minimizing contrastive
divergence; Tieleman (2008); Salakhutdinov & Murray (2008), On the quantitative analysis of
deep belief networks.
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
from zoo.models import BernoulliRBM

parser = argparse.ArgumentParser(description=__doc__.split("\n")[2])
parser.add_argument("--quick", action="store_true", help="tiny run (smoke test, < 2 min)")
parser.add_argument("--out", default="examples_output", help="folder for the PNG files")
args = parser.parse_args()
out = pathlib.Path(args.out)
keras.utils.set_random_seed(0)

"""
## Data

Fashion-MNIST, statically binarized (pixel / 255 > 0.5) and flattened to 784 binary units.
"""

num_train = 2_000 if args.quick else 60_000
images, _ = zoo.data.load_arrays("fashion_mnist", "train")
test_images, _ = zoo.data.load_arrays("fashion_mnist", "test")


def binarize(x):
    return zoo.data.binarize_static(zoo.data.to_unit_interval(x)).reshape(len(x), -1)


x_train, x_test = binarize(images[:num_train]), binarize(test_images[:1_000])

"""
## Model

With 16 hidden units (quick run) log Z is exact (2^16 hidden states are enumerated);
with 256, AIS estimates it.
"""

n_hidden = 16 if args.quick else 256
rbm = BernoulliRBM(784, n_hidden, cd_k=1, persistent=True, num_chains=100, seed=0)
rbm.init_visible_bias(x_train)  # visible biases at the data's log-odds (Hinton's guide)

"""
## Train

`compile()` without arguments picks the RBM's usual optimizer: SGD with momentum.
`steps_per_execution` runs many updates per compiled call (small models are dominated by
per-batch Python overhead on CPU).
"""

rbm.compile(steps_per_execution=20)
history = rbm.fit(x_train, batch_size=100, epochs=1 if args.quick else 10, verbose=2)

"""
## Log-likelihood
"""

if args.quick:
    log_z = rbm.log_partition(method="exact")
else:
    log_z = rbm.log_partition(method="ais", num_chains=100, seed=0, data=x_train)
# Either method returns a `zoo.evaluation.Estimate`: the value and its standard error
# (0 when exact); log_prob uses the log Z cached by the call.
test_ll = float(np.mean(rbm.log_prob(x_test)))
print(
    f"log Z = {float(log_z.value):.2f} ± {float(log_z.standard_error):.2f} ({log_z.method}); "
    f"mean test log-likelihood = {test_ll:.2f} nats"
)

"""
## Sampling and plots

Block Gibbs sampling v → h → v from random states, compiled as one loop.
"""

samples = rbm.sample(64, seed=0, burn_in=100 if args.quick else 1000)
plotting.save_image_grid(np.reshape(samples, [-1, 28, 28]), out / "rbm_samples.png", scale=2)
filters = np.transpose(rbm.kernel.numpy())[:64].reshape(-1, 28, 28)
filters = (filters - filters.min()) / (filters.max() - filters.min())
plotting.save_image_grid(filters, out / "rbm_filters.png", scale=2)
print(f"Saved {out / 'rbm_samples.png'} and {out / 'rbm_filters.png'}")

"""Tiny training cases shared by the serving tests and their child processes.

A case is a model builder, a training array, compile arguments and a global batch size.
Family cases use each family's public constructor with the smallest sensible config.
"""

import dataclasses
from collections.abc import Callable

import keras
import numpy as np

import zoo.models as m
from support.serving_toy_models import ToyGAN, ToyVAE


@dataclasses.dataclass(frozen=True)
class Case:
    build: Callable
    data: Callable
    compile_kwargs: Callable = lambda: {"optimizer": "adam"}
    batch_size: int = 8


def _binary(n, *shape, seed=0):
    return np.random.default_rng(seed).integers(0, 2, size=(n, *shape)).astype(np.float32)


def _normal(n, *shape, seed=0):
    return np.random.default_rng(seed).normal(size=(n, *shape)).astype(np.float32)


def _uniform(n, *shape, seed=0):
    return np.random.default_rng(seed).uniform(size=(n, *shape)).astype(np.float32)


def _ratings(n, items, levels, seed=0):
    return np.random.default_rng(seed).integers(0, levels + 1, size=(n, items)).astype(np.float32)


def _gan():
    generator = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(8, "relu"), keras.layers.Dense(4)]
    )
    discriminator = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(8, "relu"), keras.layers.Dense(1)]
    )
    return m.GAN(generator, discriminator, latent_dim=2, seed=0)


def _gan_compile():
    return {"d_optimizer": keras.optimizers.Adam(1e-3), "g_optimizer": keras.optimizers.Adam(1e-3)}


CASES = {
    "toy_vae": Case(lambda: ToyVAE(), lambda: _binary(32, 6)),
    "toy_gan": Case(lambda: ToyGAN(), lambda: _normal(32, 4), dict),
}

# One tiny instance of every model class of the zoo (the families' public constructors).
FAMILY_CASES = {
    "BernoulliRBM": Case(lambda: m.BernoulliRBM(6, 3), lambda: _binary(32, 6)),
    "GaussianBernoulliRBM": Case(lambda: m.GaussianBernoulliRBM(6, 3), lambda: _normal(32, 6)),
    "SoftmaxRBM": Case(lambda: m.SoftmaxRBM(5, 3, 3), lambda: _ratings(32, 5, 3)),
    "BoltzmannMachine": Case(
        lambda: m.BoltzmannMachine(4, 2, num_chains=8, seed=0), lambda: _binary(32, 4)
    ),
    "DBN": Case(lambda: m.DBN([6, 4, 3], seed=0), lambda: _binary(32, 6)),
    "GAN": Case(_gan, lambda: _normal(32, 4), _gan_compile),
    "DCGAN": Case(
        lambda: m.DCGAN((8, 8, 1), latent_dim=4, filters=4, seed=0),
        lambda: _uniform(16, 8, 8, 1) * 2 - 1,
        _gan_compile,
    ),
    "VAE": Case(lambda: m.VAE.mlp((6,), 2, hidden_units=(8,), seed=0), lambda: _binary(32, 6)),
    "Autoencoder": Case(lambda: m.Autoencoder((6,), [4], seed=0), lambda: _uniform(32, 6)),
    "DenoisingAutoencoder": Case(
        lambda: m.DenoisingAutoencoder((6,), [4], seed=0), lambda: _uniform(32, 6)
    ),
    "ContractiveAutoencoder": Case(
        lambda: m.ContractiveAutoencoder((6,), [4], seed=0), lambda: _uniform(32, 6)
    ),
    "StackedAutoencoder": Case(
        lambda: m.StackedAutoencoder((6,), [4, 3], seed=0), lambda: _uniform(32, 6)
    ),
    "NADE": Case(lambda: m.NADE(6, 4), lambda: _binary(32, 6)),
    "MADE": Case(lambda: m.MADE(6, [8], num_masks=2), lambda: _binary(32, 6)),
    "PixelCNN": Case(
        lambda: m.PixelCNN((4, 4, 1), num_layers=2, filters=4, first_kernel_size=3),
        lambda: _binary(16, 4, 4, 1),
    ),
    "RecurrentLanguageModel": Case(
        lambda: m.RecurrentLanguageModel(3, cell="lstm", units=4, sequence_length=6),
        lambda: _ratings(32, 6, 2),
    ),
}
CASES.update(FAMILY_CASES)
# Persistent chains are training state of their own (saved, restored, per replica).
CASES["BernoulliRBM_PCD"] = Case(
    lambda: m.BernoulliRBM(6, 3, persistent=True), lambda: _binary(32, 6)
)
# The negative phase averaged over 3 chain states, from training examples (replica rows).
# Its default SGD: Adam's g / sqrt(v) turns the rounding noise of a hidden-bias gradient
# that is 0 in exact arithmetic into steps of 1e-5 that differ between the two runs.
CASES["BernoulliRBM_r3"] = Case(
    lambda: m.BernoulliRBM(6, 3, cd_k=2, negative_samples=3), lambda: _binary(32, 6), dict
)


def _energy_network():
    return keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)]
    )


# Langevin chains started at the batch: per-example noise, replica-aware.
CASES["EnergyBasedModel"] = Case(
    lambda: m.EnergyBasedModel(_energy_network(), m.LangevinSampler(0.01, num_steps=3), seed=0),
    lambda: _normal(32, 4),
)

"""Autoencoders: deep, denoising, contractive, stacked, and unrolled from RBMs (one shared base)."""

from zoo.models.autoencoders.autoencoder import (
    Autoencoder,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
    StackedAutoencoder,
)
from zoo.models.autoencoders.deep_autoencoder import DeepAutoencoder

__all__ = [
    "Autoencoder",
    "ContractiveAutoencoder",
    "DeepAutoencoder",
    "DenoisingAutoencoder",
    "StackedAutoencoder",
]

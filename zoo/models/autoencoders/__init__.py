"""Autoencoders: deep, denoising, contractive and stacked (one shared base)."""

from zoo.models.autoencoders.autoencoder import (
    Autoencoder,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
    StackedAutoencoder,
)

__all__ = ["Autoencoder", "ContractiveAutoencoder", "DenoisingAutoencoder", "StackedAutoencoder"]

"""Autoencoders: deep, denoising, contractive, stacked, and unrolled from RBMs (one shared base)."""

from zoo._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "autoencoder": [
            "Autoencoder",
            "ContractiveAutoencoder",
            "DenoisingAutoencoder",
            "StackedAutoencoder",
        ],
        "deep_autoencoder": ["DeepAutoencoder"],
    },
)

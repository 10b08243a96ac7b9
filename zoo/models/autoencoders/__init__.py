"""Autoencoders: deep, denoising, contractive and stacked (one shared base)."""

from zoo._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "autoencoder": [
            "Autoencoder",
            "ContractiveAutoencoder",
            "DenoisingAutoencoder",
            "StackedAutoencoder",
        ]
    },
)

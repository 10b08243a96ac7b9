"""Variational models: the VAE (and beta-VAE) with importance-weighted likelihoods."""

from zoo._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {"vae": ["VAE"]})

"""Variational models: the VAE (and beta-VAE) with importance-weighted likelihoods."""

from zoo.models.variational.vae import VAE

__all__ = ["VAE"]

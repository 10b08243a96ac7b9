"""autoencoders models."""

__all__ = []

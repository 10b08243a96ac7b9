"""variational models."""

__all__ = []

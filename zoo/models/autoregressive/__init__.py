"""autoregressive models."""

__all__ = []

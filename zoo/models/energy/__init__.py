"""energy models."""

__all__ = []

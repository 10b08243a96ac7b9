"""Adversarial models.

GAN (losses, k-step training, label smoothing, unrolling, class conditioning), DCGAN, and
the reference-batch generator wrapper for virtual batch norm.
"""

from zoo._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__, {"dcgan": ["DCGAN"], "gan": ["GAN"], "reference_batch": ["ReferenceBatchGenerator"]}
)

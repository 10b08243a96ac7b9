"""Shared Keras layers.

Masked dense/conv, minibatch discrimination, reference/virtual batch norm, and a cheap
convolution to few output channels (`TapConv2D`).
"""

from zoo._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "class_projection": ["ClassProjection"],
        "masked": ["MaskedConv2D", "MaskedDense"],
        "minibatch_discrimination": ["MinibatchDiscrimination"],
        "tap_conv": ["TapConv2D"],
        "virtual_batch_norm": ["ReferenceBatchNormalization", "VirtualBatchNormalization"],
    },
)

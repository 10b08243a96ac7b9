"""Shared Keras layers: masked dense/conv, minibatch discrimination, reference/virtual batch
norm, the projection discriminator's class term, and a cheap convolution to few output
channels (`TapConv2D`)."""

from zoo.layers.class_projection import ClassProjection
from zoo.layers.masked import MaskedConv2D, MaskedDense
from zoo.layers.minibatch_discrimination import MinibatchDiscrimination
from zoo.layers.tap_conv import TapConv2D
from zoo.layers.virtual_batch_norm import ReferenceBatchNormalization, VirtualBatchNormalization

__all__ = [
    "ClassProjection",
    "MaskedConv2D",
    "MaskedDense",
    "MinibatchDiscrimination",
    "ReferenceBatchNormalization",
    "TapConv2D",
    "VirtualBatchNormalization",
]

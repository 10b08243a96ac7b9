"""Adversarial models: GAN (losses, k-step training, label smoothing, unrolling, class
conditioning), DCGAN, and the reference-batch generator wrapper for virtual batch norm."""

from zoo.models.adversarial.dcgan import DCGAN
from zoo.models.adversarial.gan import GAN
from zoo.models.adversarial.reference_batch import ReferenceBatchGenerator

__all__ = ["DCGAN", "GAN", "ReferenceBatchGenerator"]

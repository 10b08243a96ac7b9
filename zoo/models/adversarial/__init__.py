"""Adversarial models: GAN (losses, k-step training, label smoothing, unrolling) and DCGAN."""

from zoo.models.adversarial.dcgan import DCGAN
from zoo.models.adversarial.gan import GAN

__all__ = ["DCGAN", "GAN"]

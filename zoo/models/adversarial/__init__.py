"""Adversarial models: GAN (losses, k-step training, label smoothing, unrolling) and DCGAN."""

from zoo.models.adversarial.dcgan import DCGAN
from zoo.models.adversarial.gan import GAN

# The FD-FMNIST feature extractor lives in zoo/models/classifier.py; importing it here
# registers its preset until zoo/models/__init__.py imports it directly.
from zoo.models.classifier import ImageClassifier

__all__ = ["DCGAN", "GAN", "ImageClassifier"]

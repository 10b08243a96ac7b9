"""Autoregressive models: exact likelihoods p(x) = prod_i p(x_i | x_<i)."""

from zoo.models.autoregressive.made import MADE
from zoo.models.autoregressive.nade import NADE
from zoo.models.autoregressive.pixelcnn import PixelCNN
from zoo.models.autoregressive.pixelrnn import PixelRNN
from zoo.models.autoregressive.recurrent_language_model import RecurrentLanguageModel

__all__ = ["MADE", "NADE", "PixelCNN", "PixelRNN", "RecurrentLanguageModel"]

"""Autoregressive models: exact likelihoods p(x) = prod_i p(x_i | x_<i)."""

from zoo._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "made": ["MADE"],
        "nade": ["NADE"],
        "pixelcnn": ["PixelCNN"],
        "pixelrnn": ["PixelRNN"],
        "recurrent_language_model": ["RecurrentLanguageModel"],
    },
)

"""A small image classifier: the feature extractor of the zoo's sample-quality metrics."""

from zoo._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {"image_classifier": ["ImageClassifier"]})

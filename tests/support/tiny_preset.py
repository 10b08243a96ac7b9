"""The test-only preset `tiny_mlp`: its builder, config and model card."""

import keras

import zoo

NAME = "tiny_mlp"
CONFIG = {"units": 3}
CARD = {
    "description": "test-only preset",
    "metrics": {"test_mse": {"value": 0.5, "protocol": "made up for the tests"}},
}


def tiny_mlp(units=3):
    """The test preset's builder: a built 4 -> `units` dense layer."""
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(units)])


def register_unpublished(name="tiny_unpublished", **kwargs):
    """Register a copy of `tiny_mlp` without weights (call inside `temporary_presets()`)."""
    return zoo.register_model(
        name,
        tiny_mlp,
        CONFIG,
        family="test",
        paper="-",
        dataset="-",
        unpublished_reason="train it with benchmarks/tiny.py",
        **kwargs,
    )


def register_tiny(weights=None, **kwargs):
    """Register `tiny_mlp` (call inside `temporary_presets()`)."""
    return zoo.register_model(
        NAME, tiny_mlp, CONFIG, family="test", paper="-", dataset="-", weights=weights, **kwargs
    )

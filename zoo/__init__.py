"""zoo: classic deep generative models as trainable, exportable Keras 3 models.

    import zoo
    gan = zoo.load("dcgan_fashion_mnist")        # verified pretrained weights
    images = gan.sample(64, seed=0)
"""

__version__ = "0.1.0.dev0"

from zoo._hub import HubError
from zoo._registry import info, list_models, load, register_model


def export_saved_model(model, path, **kwargs):
    """Write `model` as a SavedModel with its named serving signatures.

    See `zoo.export.export_saved_model` for the signatures and `**kwargs`
    (`log_prob_kwargs`, `log_partition_kwargs`, `seed`).
    """
    from zoo.export import export_saved_model as _export

    return _export(model, path, **kwargs)


__all__ = [
    "HubError",
    "__version__",
    "export_saved_model",
    "info",
    "list_models",
    "load",
    "register_model",
]

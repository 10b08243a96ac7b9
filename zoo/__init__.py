"""zoo: classic deep generative models as trainable, exportable Keras 3 models.

`import zoo` is instant: it imports no TensorFlow. Presets are listed and described from
their declarations; TensorFlow loads with the first model built or module used
(`zoo.models.VAE`, `zoo.data.load`, ...).

#### Examples

```python
import zoo
zoo.list_models("*fashion_mnist", pretrained=True)
gan = zoo.load("dcgan_fashion_mnist")        # verified pretrained weights
images = gan.sample(64, seed=0)
```
"""

import importlib

from zoo import hub, registry
from zoo._version import __version__
from zoo.hub import HubError, load
from zoo.registry import list_models, register_model

_SUBMODULES = (
    "callbacks",
    "data",
    "distribute",
    "evaluation",
    "export",
    "layers",
    "models",
    "plotting",
    "recipes",
)


def info(name: str) -> dict:
    """Everything known about a preset without downloading it.

    Args:
        name: Preset name or alias.

    Returns:
        A JSON-serializable dict with `name`, `family`, `paper`, `dataset`,
        `description`, `config`, `aliases`, `weights` (None when unpublished, else the
        newest version's `version`, `cached` (bool), `cache_dir`, and `files`: per file
        its `url` at the current endpoint (None without one), `sha256` and `size`),
        `versions` (every published version: `version`, `published`, `metrics`),
        `metrics` (from the newest model card, each with its protocol) and
        `unpublished_reason`.

    Raises:
        KeyError: unknown name (with the closest names).

    #### Examples

    ```python
    zoo.info("vae_fashion_mnist")["weights"]["files"]["model.weights.h5"]["sha256"]
    ```
    """
    preset = registry.get_preset(name)
    weights = preset.weights
    if weights is not None:
        version = weights["version"]
        weights = {
            "version": version,
            "cached": hub.is_cached(preset.name, weights),
            "cache_dir": str(hub.preset_dir(preset.name, version)),
            "files": {
                filename: {"url": hub.file_url(preset.name, version, filename), **record}
                for filename, record in weights["files"].items()
            },
        }
    return {
        "name": preset.name,
        "family": preset.family,
        "paper": preset.paper,
        "dataset": preset.dataset,
        "description": preset.description,
        "config": dict(preset.config),
        "aliases": list(preset.aliases),
        "weights": weights,
        "versions": [
            {k: record.get(k) for k in ("version", "published", "metrics")}
            for record in preset.versions
        ],
        "metrics": preset.metrics,
        "unpublished_reason": preset.unpublished_reason,
    }


def export_saved_model(model, path, **kwargs):
    """Write `model` as a SavedModel with its named serving signatures.

    See `zoo.export.export_saved_model` for the signatures and `**kwargs`
    (`log_prob_kwargs`, `log_partition_kwargs`, `seed`).
    """
    from zoo.export import export_saved_model as export

    return export(model, path, **kwargs)


def __getattr__(name):
    if name in _SUBMODULES:  # PEP 562: `zoo.models.VAE` without `import zoo.models`
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_SUBMODULES])


__all__ = [
    "HubError",
    "__version__",
    "export_saved_model",
    "hub",
    "info",
    "list_models",
    "load",
    "register_model",
    "registry",
]

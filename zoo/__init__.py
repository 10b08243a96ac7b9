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

__version__ = "0.1.0.dev0"

import importlib
import json

from zoo import hub, registry
from zoo.hub import HubError
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


def load(name: str, pretrained: bool = True, version: int | None = None, **config_overrides):
    """Build a preset's model, with its published weights by default.

    Args:
        name: Preset name or alias (see `zoo.list_models()`).
        pretrained: Download (or take from the cache), verify and load the weights.
            With `False`, the same architecture with fresh weights.
        version: Published version to load (`zoo.info(name)["versions"]`); default the
            newest. Every published version stays loadable.
        **config_overrides: Changes to the preset's config. With `pretrained=True`
            they must not change the shapes of the weights.

    Returns:
        A built `keras.Model`.

    Raises:
        KeyError: unknown name or version.
        zoo.HubError: (a `RuntimeError`) with `pretrained=True`, when the weights are not
            published, cannot be fetched offline, or fail verification; the message says
            what to do.

    #### Examples

    ```python
    vae = zoo.load("vae_fashion_mnist")                 # cached after the first call
    wide = zoo.load("vae_fashion_mnist", pretrained=False, latent_dim=64)
    first = zoo.load("dcgan_fashion_mnist", version=1)
    ```
    """
    preset = registry.get_preset(name)
    if not pretrained:
        if version is not None:
            raise ValueError("version= selects published weights; it needs pretrained=True.")
        return preset.build(**{**preset.config, **config_overrides})
    folder = hub.download_preset(preset.name, version=version)
    config = json.loads((folder / "config.json").read_text())
    model = preset.build(**{**config, **config_overrides})
    model.load_weights(folder / "model.weights.h5")
    return model


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

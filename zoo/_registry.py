"""The preset registry: names -> architecture builder, config, weights record, model card.

Model modules register their presets beside the model (the timm way), by calling
`register_model` at import time. The weights record of every *published* preset (sha256
and size of each file, plus the headline metrics of its model card) lives in the package
data file `zoo/published.json`, so `zoo.info` and checksum verification work before any
download and without network.
"""

import dataclasses
import difflib
import fnmatch
import functools
import json
import pathlib
from typing import Any, Callable

PUBLISHED_MANIFEST = pathlib.Path(__file__).with_name("published.json")
PRESET_FILES = ("config.json", "model.weights.h5", "metadata.json")

_PRESETS: dict[str, "Preset"] = {}
_ALIASES: dict[str, str] = {}


@dataclasses.dataclass(frozen=True)
class Preset:
    """A named, reproducible model: how to build it and where its weights come from.

    Attributes:
        name: Canonical preset name, e.g. `"vae_fashion_mnist"`.
        builder: Callable returning a built `keras.Model` from `**config`.
        config: Keyword arguments for `builder`.
        family: Model family (`"energy"`, `"adversarial"`, `"variational"`,
            `"autoencoder"`, `"autoregressive"`, `"classifier"`).
        paper: Reference of the method (authors, year, title).
        dataset: Training data and split.
        description: One line for `zoo list`.
        aliases: Other names `zoo.load` accepts.
        unpublished_reason: Why `pretrained=True` cannot work yet (for example data that
            cannot be reached), with the command that trains the weights.
    """

    name: str
    builder: Callable[..., Any]
    config: dict
    family: str
    paper: str
    dataset: str
    description: str = ""
    aliases: tuple = ()
    unpublished_reason: str | None = None

    @property
    def weights(self) -> dict | None:
        """The published weights record (`version`, `files`), or None."""
        record = _published().get(self.name)
        if record is None:
            return None
        return {"version": record["version"], "files": record["files"]}

    @property
    def metrics(self) -> dict:
        """Measured metrics from the published model card, each with its protocol."""
        return _published().get(self.name, {}).get("metrics", {})


def register_model(
    name: str,
    builder: Callable[..., Any],
    config: dict,
    *,
    family: str,
    paper: str,
    dataset: str,
    description: str = "",
    aliases: tuple = (),
    unpublished_reason: str | None = None,
) -> Preset:
    """Register a preset so that `zoo.load(name)` can build it.

    Args:
        name: Canonical preset name (lower case, `<model>_<dataset>`).
        builder: Callable building the model from `**config` (a model class or one of
            its builder class methods).
        config: JSON-serializable keyword arguments for `builder`.
        family: Model family, see `Preset`.
        paper: Reference (authors, year, title).
        dataset: Training data and split.
        description: One line shown by `zoo list`.
        aliases: Extra names resolving to this preset.
        unpublished_reason: Set when weights cannot be published yet; shown on
            `zoo.load(name, pretrained=True)`.

    Returns:
        The registered `Preset`.

    Raises:
        ValueError: if the name or an alias is already taken, or `config` is not JSON.
    """
    for key in (name, *aliases):
        if key in _PRESETS or key in _ALIASES:
            raise ValueError(f"Preset name {key!r} is already registered.")
    json.dumps(config)  # presets must round-trip through config.json
    preset = Preset(
        name=name,
        builder=builder,
        config=dict(config),
        family=family,
        paper=paper,
        dataset=dataset,
        description=description,
        aliases=tuple(aliases),
        unpublished_reason=unpublished_reason,
    )
    _PRESETS[name] = preset
    for alias in aliases:
        _ALIASES[alias] = name
    return preset


def get_preset(name: str) -> Preset:
    """Look a preset up by name or alias.

    Raises:
        KeyError: for an unknown name, listing the closest registered names.
    """
    _ensure_models_imported()
    name = _ALIASES.get(name, name)
    if name not in _PRESETS:
        known = sorted([*_PRESETS, *_ALIASES])
        close = difflib.get_close_matches(name, known, n=5, cutoff=0.4)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise KeyError(
            f"Unknown model {name!r}.{hint} `zoo.list_models()` lists all {len(_PRESETS)}."
        )
    return _PRESETS[name]


def list_models(pattern: str = "*", pretrained: bool = False) -> list[str]:
    """Names of registered presets matching an fnmatch `pattern`, sorted.

    Args:
        pattern: Shell-style pattern, e.g. `"*fashion_mnist"`.
        pretrained: Only names whose weights are published.

    Returns:
        Sorted list of canonical preset names.
    """
    _ensure_models_imported()
    names = [n for n in _PRESETS if fnmatch.fnmatch(n, pattern)]
    if pretrained:
        names = [n for n in names if _PRESETS[n].weights is not None]
    return sorted(names)


def info(name: str) -> dict:
    """Everything known about a preset without downloading it.

    Returns:
        A dict with `name`, `family`, `paper`, `dataset`, `description`, `config`,
        `aliases`, `weights` (version, files with url-relative name, sha256 and size; None
        when unpublished), `metrics` (from the model card) and `unpublished_reason`.
    """
    preset = get_preset(name)
    return {
        "name": preset.name,
        "family": preset.family,
        "paper": preset.paper,
        "dataset": preset.dataset,
        "description": preset.description,
        "config": dict(preset.config),
        "aliases": list(preset.aliases),
        "weights": preset.weights,
        "metrics": preset.metrics,
        "unpublished_reason": preset.unpublished_reason,
    }


def load(name: str, pretrained: bool = True, **config_overrides):
    """Build a preset's model, with its published weights by default.

    Args:
        name: Preset name or alias (see `zoo.list_models()`).
        pretrained: Download (or take from the cache), verify and load the weights.
            With `False`, the same architecture with fresh weights.
        **config_overrides: Changes to the preset's config. With `pretrained=True`
            they must not change the shapes of the weights.

    Returns:
        A built `keras.Model`.

    Raises:
        KeyError: unknown name.
        RuntimeError: `pretrained=True` for a preset whose weights are not published.
    """
    from zoo import _hub  # local: the hub pulls in networking only when weights are needed

    preset = get_preset(name)
    if not pretrained:
        return preset.builder(**{**preset.config, **config_overrides})
    if preset.weights is None:
        reason = preset.unpublished_reason or (
            f"no weights are published for {preset.name!r} yet; "
            f"`zoo.load({preset.name!r}, pretrained=False)` builds it untrained."
        )
        raise RuntimeError(reason)
    folder = _hub.fetch_preset(preset.name, preset.weights)
    config = json.loads((folder / "config.json").read_text())
    model = preset.builder(**{**config, **config_overrides})
    model.load_weights(folder / "model.weights.h5")
    return model


@functools.lru_cache(maxsize=1)
def _published() -> dict:
    """The published weights manifest; call `_published.cache_clear()` after writing it."""
    if not PUBLISHED_MANIFEST.exists():
        return {}
    return json.loads(PUBLISHED_MANIFEST.read_text())


def _ensure_models_imported():
    import zoo.models  # noqa: F401  (model modules register their presets on import)

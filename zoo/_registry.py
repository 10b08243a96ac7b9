"""The preset registry: names -> architecture builder, config, weights record, model card.

Model modules register their presets beside the model (the timm way), by calling
`register_model` at import time. The weights record of every *published* preset (sha256
and size of each file, plus the headline metrics of its model card) lives in the package
data file `zoo/published.json`, so `zoo.info` and checksum verification work before any
download and without network. Presets from elsewhere (tests, other packages) can pass
their record to `register_model(..., weights=...)`; `temporary_presets()` scopes
registrations to a `with` block.
"""

import contextlib
import dataclasses
import difflib
import fnmatch
import functools
import json
import pathlib
from collections.abc import Callable
from typing import Any

PUBLISHED_MANIFEST = pathlib.Path(__file__).with_name("published.json")
PRESET_FILES = ("config.json", "model.weights.h5", "metadata.json")

_PRESETS: dict[str, "Preset"] = {}
_ALIASES: dict[str, str] = {}


class UnknownModelError(KeyError):
    """No preset has this name; the message lists the closest registered names."""

    def __str__(self):
        return str(self.args[0])  # KeyError would show the message in quotes


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
        record: The published weights record given to `register_model(weights=...)`;
            None to read it from `zoo/published.json`.
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
    record: dict | None = None

    @property
    def weights(self) -> dict | None:
        """The published weights record (`version`, `files`), or None."""
        record = self._published_record()
        if record is None:
            return None
        return {"version": record["version"], "files": record["files"]}

    @property
    def metrics(self) -> dict:
        """Measured metrics from the published model card, each with its protocol."""
        return (self._published_record() or {}).get("metrics", {})

    def _published_record(self) -> dict | None:
        return self.record if self.record is not None else _published().get(self.name)


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
    weights: dict | None = None,
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
        weights: The published weights record, only for presets whose record is not in
            `zoo/published.json` (tests, presets of other packages): `{"version": int,
            "files": {filename: {"sha256": str, "size": int}}, "metrics": {...}}`, as
            returned by `zoo._hub.publish_preset`.

    Returns:
        The registered `Preset`.

    Raises:
        ValueError: if the name or an alias is already taken, `config` is not JSON, or
            `weights` is not a valid record.

    Example:
        >>> register_model("vae_fashion_mnist", VAE.mlp, {"input_shape": [28, 28, 1],
        ...     "latent_dim": 20, "hidden_units": [512]}, family="variational",
        ...     paper="Kingma & Welling, 2014. Auto-Encoding Variational Bayes.",
        ...     dataset="fashion_mnist train", description="MLP VAE, Bernoulli pixels")
    """
    for key in (name, *aliases):
        if key in _PRESETS or key in _ALIASES:
            raise ValueError(f"Preset name {key!r} is already registered.")
    try:
        json.dumps(config)  # presets must round-trip through config.json
    except (TypeError, ValueError) as error:
        raise ValueError(f"config of {name!r} must be JSON-serializable: {error}") from None
    if weights is not None:
        _check_weights_record(name, weights)
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
        record=weights,
    )
    _PRESETS[name] = preset
    for alias in aliases:
        _ALIASES[alias] = name
    return preset


def get_preset(name: str) -> Preset:
    """Look a preset up by name or alias.

    Raises:
        UnknownModelError: (a `KeyError`) for an unknown name, listing the closest
            registered names.
    """
    _ensure_models_imported()
    name = _ALIASES.get(name, name)
    if name not in _PRESETS:
        known = sorted([*_PRESETS, *_ALIASES])
        close = difflib.get_close_matches(name, known, n=5, cutoff=0.4)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UnknownModelError(
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

    Args:
        name: Preset name or alias.

    Returns:
        A JSON-serializable dict with `name`, `family`, `paper`, `dataset`,
        `description`, `config`, `aliases`, `weights` (None when unpublished, else
        `version`, `cached` (bool), `cache_dir`, and `files`: per file its `url` at the
        current endpoint (None without one), `sha256` and `size`), `metrics` (from the
        model card, each with its protocol) and `unpublished_reason`.

    Raises:
        KeyError: unknown name (with the closest names).

    Example:
        >>> zoo.info("vae_fashion_mnist")["weights"]["files"]["model.weights.h5"]["sha256"]
        '3b1f...'
    """
    from zoo import _hub

    preset = get_preset(name)
    weights = preset.weights
    if weights is not None:
        weights = {
            "version": weights["version"],
            "cached": _hub.is_cached(preset.name, weights),
            "cache_dir": str(_hub.preset_dir(preset.name, weights["version"])),
            "files": {
                filename: {"url": _hub.file_url(preset.name, filename), **record}
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
        zoo._hub.HubError: (a `RuntimeError`) with `pretrained=True`, when the weights
            are not published, cannot be fetched offline, or fail verification; the
            message says what to do.

    Example:
        >>> vae = zoo.load("vae_fashion_mnist")                    # cached after the first call
        >>> wide = zoo.load("vae_fashion_mnist", pretrained=False, latent_dim=64)
    """
    from zoo import (
        _hub,  # local: the hub pulls in networking only when weights are needed
    )

    preset = get_preset(name)
    if not pretrained:
        return preset.builder(**{**preset.config, **config_overrides})
    folder = _hub.download_preset(preset.name)
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


@contextlib.contextmanager
def temporary_presets():
    """Undo, on exit, every registration made inside the `with` block.

    For tests and notebooks: register throwaway presets (possibly with a `weights`
    record) without leaking them into the rest of the process.

    Example:
        >>> with temporary_presets():
        ...     register_model("tiny", build_tiny, {}, family="test", paper="-", dataset="-")
        ...     model = load("tiny", pretrained=False)
        >>> "tiny" in list_models()
        False
    """
    _ensure_models_imported()  # the families' own presets must not be undone
    saved = dict(_PRESETS), dict(_ALIASES)
    try:
        yield
    finally:
        _PRESETS.clear()
        _PRESETS.update(saved[0])
        _ALIASES.clear()
        _ALIASES.update(saved[1])


@contextlib.contextmanager
def config_overridden(name: str, **config_overrides):
    """Within the `with` block, preset `name` has its config changed by `config_overrides`.

    For retraining a preset at another size (`zoo train NAME --set key=value`): publishing
    checks the config against the registered one, so a smaller variant is published (to a
    separate folder and manifest) while the override is in force.

    Yields:
        The overridden `Preset`.
    """
    preset = get_preset(name)
    with temporary_presets():
        changed = dataclasses.replace(preset, config={**preset.config, **config_overrides})
        _PRESETS[preset.name] = changed
        yield changed


def _check_weights_record(name: str, record: dict):
    try:
        ok = (
            isinstance(record["version"], int)
            and all(
                len(f["sha256"]) == 64 and int(f["sha256"], 16) >= 0 and f["size"] >= 0
                for f in record["files"].values()
            )
            and set(record["files"]) == set(PRESET_FILES)
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        ok = False
    if not ok:
        raise ValueError(
            f"weights of {name!r} must be a record {{'version': int, 'files': {{filename: "
            f"{{'sha256': 64 hex digits, 'size': int}}}}}} for the files {list(PRESET_FILES)}; "
            f"got {record!r}."
        )


def _ensure_models_imported():
    import zoo.models  # noqa: F401  (model modules register their presets on import)

"""The preset registry: names -> architecture builder, config, published versions, model card.

Each model family declares its presets beside its models, in `zoo/models/<family>/presets.py`
(the timm way), by calling `register_model`. Those modules import no TensorFlow: a builder is
named by its import path (`"zoo.models.energy.rbm:BernoulliRBM"`) and imported only when a
model is built, so listing and describing presets (`zoo list`, `zoo info`) is instant.

The weights record of every published version of a preset (sha256 and size of each file,
plus the headline metrics of its model card) lives in the package data file
`zoo/published.json`, the lock file of `zoo_weights/`, so checksums are verified before
anything is used. Presets from elsewhere (tests, other packages) can pass their records to
`register_model(..., weights=...)`; `temporary_presets()` scopes registrations to a `with`
block.

This module depends on no other module of `zoo` (the hub depends on it, the top-level
facade on both).
"""

import contextlib
import dataclasses
import difflib
import fnmatch
import functools
import importlib
import json
import pathlib
from collections.abc import Callable
from typing import Any

PUBLISHED_MANIFEST = pathlib.Path(__file__).with_name("published.json")
PRESET_FILES = ("config.json", "model.weights.h5", "metadata.json")
#: The modules that declare the families' presets (imported on the first registry query).
PRESET_MODULES = tuple(
    f"zoo.models.{family}.presets"
    for family in (
        "adversarial",
        "autoencoders",
        "autoregressive",
        "classifier",
        "energy",
        "variational",
    )
)

_PRESETS: dict[str, "Preset"] = {}
_ALIASES: dict[str, str] = {}


class UnknownModelError(KeyError):
    """No preset has this name; the message lists the closest registered names."""

    def __str__(self):
        return str(self.args[0])  # KeyError would show the message in quotes


class UnknownVersionError(KeyError):
    """A preset has no published version with this number; the message lists them."""

    def __str__(self):
        return str(self.args[0])


@dataclasses.dataclass(frozen=True)
class Preset:
    """A named, reproducible model: how to build it and where its weights come from.

    Attributes:
        name: Canonical preset name, e.g. `"vae_fashion_mnist"`.
        builder: Callable returning a built `keras.Model` from `**config`, or its import
            path `"module:qualified.name"` (imported only when a model is built).
        config: Keyword arguments for `builder`, as published in `config.json`.
        family: Model family (`"energy"`, `"adversarial"`, `"variational"`,
            `"autoencoder"`, `"autoregressive"`, `"classifier"`).
        paper: Reference of the method (authors, year, title).
        dataset: Training data and split.
        description: One line for `zoo list`.
        aliases: Other names `zoo.load` accepts.
        unpublished_reason: Why `pretrained=True` cannot work yet (for example data that
            cannot be reached), with the command that trains the weights.
        builder_options: Keyword arguments always given to `builder` that are not part of
            the published `config.json` (an architecture choice pinned when the weights
            were published).
        records: The published weights records given to `register_model(weights=...)`;
            None to read them from `zoo/published.json`.
    """

    name: str
    builder: Callable[..., Any] | str
    config: dict
    family: str
    paper: str
    dataset: str
    description: str = ""
    aliases: tuple = ()
    unpublished_reason: str | None = None
    builder_options: dict = dataclasses.field(default_factory=dict)
    records: tuple | None = None

    def build(self, **config):
        """Build the architecture from `config` (default: the preset's own config)."""
        return resolve(self.builder)(**self.builder_options, **(config or self.config))

    @property
    def versions(self) -> list[dict]:
        """Every published weights record, oldest first: `version`, `files`, `metrics`."""
        if self.records is not None:
            return list(self.records)
        return published_records().get(self.name, [])

    def record(self, version: int | None = None) -> dict | None:
        """The published record of `version` (default: the newest), or None if unpublished.

        Raises:
            UnknownVersionError: (a `KeyError`) `version` was never published.
        """
        versions = self.versions
        if not versions:
            return None
        if version is None:
            return versions[-1]
        for record in versions:
            if record["version"] == int(version):
                return record
        raise UnknownVersionError(
            f"{self.name!r} has no published version {version}; published versions: "
            f"{[r['version'] for r in versions]}."
        )

    @property
    def weights(self) -> dict | None:
        """The newest published weights record (`version`, `files`), or None."""
        record = self.record()
        return None if record is None else {"version": record["version"], "files": record["files"]}

    @property
    def metrics(self) -> dict:
        """Measured metrics from the newest model card, each with its protocol."""
        return (self.record() or {}).get("metrics", {})


def resolve(builder: Callable[..., Any] | str) -> Callable[..., Any]:
    """The callable behind a builder or its import path `"package.module:Class.method"`.

    Raises:
        ValueError: the path is not of the form `module:name`.
    """
    if callable(builder):
        return builder
    module, separator, qualname = builder.partition(":")
    if not separator or not module or not qualname:
        raise ValueError(
            f"A builder path looks like 'package.module:Class.method'; got {builder!r}."
        )
    target = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def register_model(
    name: str,
    builder: Callable[..., Any] | str,
    config: dict,
    *,
    family: str,
    paper: str,
    dataset: str,
    description: str = "",
    aliases: tuple = (),
    unpublished_reason: str | None = None,
    builder_options: dict | None = None,
    weights: dict | list | None = None,
) -> Preset:
    """Register a preset so that `zoo.load(name)` can build it.

    Args:
        name: Canonical preset name (lower case, `<model>_<dataset>`).
        builder: Callable building the model from `**config` (a model class or one of
            its builder class methods), or its import path `"module:qualified.name"`,
            which keeps TensorFlow out of the registry until a model is built.
        config: JSON-serializable keyword arguments for `builder`.
        family: Model family, see `Preset`.
        paper: Reference (authors, year, title).
        dataset: Training data and split.
        description: One line shown by `zoo list`.
        aliases: Extra names resolving to this preset.
        unpublished_reason: Set when weights cannot be published yet; shown on
            `zoo.load(name, pretrained=True)`.
        builder_options: Keyword arguments always passed to `builder` but not published
            in `config.json`.
        weights: Published weights records, only for presets whose records are not in
            `zoo/published.json` (tests, presets of other packages): one record or a list,
            each `{"version": int, "files": {filename: {"sha256": str, "size": int}},
            "metrics": {...}}`, as returned by `zoo.hub.publish_preset`.

    Returns:
        The registered `Preset`.

    Raises:
        ValueError: if the name or an alias is already taken, `config` is not JSON, or
            `weights` is not a valid record.

    #### Examples

    ```python
    register_model(
        "vae_tiny", "zoo.models.variational.vae:VAE.mlp",
        {"input_shape": [4], "latent_dim": 2, "hidden_units": [8]},
        family="variational", paper="Kingma & Welling, 2014. Auto-Encoding Variational Bayes.",
        dataset="-", description="a tiny MLP VAE")
    ```
    """
    for key in (name, *aliases):
        if key in _PRESETS or key in _ALIASES:
            raise ValueError(f"Preset name {key!r} is already registered.")
    try:
        json.dumps(config)  # presets must round-trip through config.json
    except (TypeError, ValueError) as error:
        raise ValueError(f"config of {name!r} must be JSON-serializable: {error}") from None
    records = None
    if weights is not None:
        records = tuple(weights if isinstance(weights, list | tuple) else [weights])
        for record in records:
            check_weights_record(name, record)
        records = tuple(sorted(records, key=lambda r: r["version"]))
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
        builder_options=dict(builder_options or {}),
        records=records,
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
    _declare_presets()
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
    _declare_presets()
    names = [n for n in _PRESETS if fnmatch.fnmatch(n, pattern)]
    if pretrained:
        names = [n for n in names if _PRESETS[n].weights is not None]
    return sorted(names)


@functools.lru_cache(maxsize=1)
def _published() -> dict:
    if not PUBLISHED_MANIFEST.exists():
        return {}
    return json.loads(PUBLISHED_MANIFEST.read_text())


def published_records() -> dict[str, list[dict]]:
    """`{name: [record of each published version, oldest first]}` from `zoo/published.json`.

    Call `published_records.cache_clear()` after writing the manifest.
    """
    return {name: entry["versions"] for name, entry in _published().items()}


published_records.cache_clear = _published.cache_clear


@contextlib.contextmanager
def temporary_presets():
    """Undo, on exit, every registration made inside the `with` block.

    For tests and notebooks: register throwaway presets (possibly with a `weights`
    record) without leaking them into the rest of the process.

    #### Examples

    ```python
    with temporary_presets():
        register_model("tiny", build_tiny, {}, family="test", paper="-", dataset="-")
        model = zoo.load("tiny", pretrained=False)
    assert "tiny" not in list_models()
    ```
    """
    _declare_presets()  # the families' own presets must not be undone
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


def check_weights_record(name: str, record: dict):
    """Check one published weights record; raise a `ValueError` naming the expected form."""
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


def _declare_presets():
    for module in PRESET_MODULES:  # each calls register_model once per preset, on import
        importlib.import_module(module)

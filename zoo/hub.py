"""The weights hub: fetch, verify, cache and publish pretrained presets.

A published version of a preset is a folder `<name>/v<version>/` holding three files:
`config.json` (the builder's keyword arguments), `model.weights.h5` (Keras weights, no
pickle) and `metadata.json` (the model card). The package records the version, sha256 and
size of every file in `zoo/published.json`, so nothing is trusted before it is checked
against that record.
Published versions are immutable and all stay loadable: `zoo.load(name, version=N)`.

Where files come from, in order:

1. the cache, `<cache_dir()>/<name>/v<version>/` (each version has its own folder, so a
   retrained preset never overwrites or is mistaken for an older one);
2. the endpoint, `<endpoint()>/<name>/v<version>/<file>` (`file://`, `http://` or
   `https://`): `$ZOO_ENDPOINT`, else the installed weights distribution `zoo-weights`
   (built from the repository's `zoo_weights/` folder), else that folder in a checkout.

A download goes to a temporary `*.part` file in the cache folder, is hashed while it
streams, and is moved into place with `os.replace` only when size and sha256 match, all
under a file lock, so concurrent loaders neither race nor see half-written files. A cached
file is checked on every load by size (a truncated file is fetched again) and fully
hashed by `verify_preset` / `zoo verify`.

Environment:
    ZOO_HOME: cache root; default `$KERAS_HOME/zoo`, else `~/.keras/zoo`.
    ZOO_ENDPOINT: base URL of the published presets; default the installed `zoo-weights`
        distribution, else the checkout's `zoo_weights/` folder.
    ZOO_OFFLINE=1: never open a network connection; only the cache and `file://`
        endpoints are used.

#### References

The rules follow lessons from timm, keras `get_file`, torch.hub and TF Hub: verified
digests, atomic replace, per-file locks, immutable published versions.
"""

import dataclasses
import datetime
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import pathlib
import platform
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

import filelock

from zoo import registry
from zoo._version import __version__

CHECKOUT_WEIGHTS = pathlib.Path(__file__).resolve().parent.parent / "zoo_weights"
#: The import name of the weights distribution (`pip install ./zoo_weights`).
WEIGHTS_PACKAGE = "zoo_weights"
_PARTIAL_SUFFIX = ".part"
_CHUNK_BYTES = 1 << 20
_TIMEOUT_SECONDS = 60
_CARD_FIELDS_SET_BY_PUBLISH = ("name", "version", "published", "software", "sha256")


class HubError(RuntimeError):
    """Weights cannot be fetched or are not published; the message says what to do."""


class ChecksumError(HubError):
    """A file differs from its published record (size or sha256)."""


class OfflineError(HubError):
    """`ZOO_OFFLINE=1` and a preset needs files that are not cached."""


@dataclasses.dataclass(frozen=True)
class FileCheck:
    """The state of one cached preset file, as reported by `verify_preset`.

    Attributes:
        path: Where the file is (or would be) cached.
        status: `"ok"`, `"missing"` or `"corrupt"`.
        detail: Empty when ok; else what is wrong and how to fix it.
    """

    path: pathlib.Path
    status: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        """Whether the check passed (`status == "ok"`)."""
        return self.status == "ok"


def cache_dir() -> pathlib.Path:
    """The cache root: `$ZOO_HOME`, else `$KERAS_HOME/zoo`, else `~/.keras/zoo`.

    Unlike `keras.utils.get_file`, it never falls back to a temporary folder: cached
    weights must survive a reboot and must not be shared through a world-writable place.
    The folder is created on first download, not here.

    Returns:
        An absolute `pathlib.Path`.
    """
    if os.environ.get("ZOO_HOME"):
        return pathlib.Path(os.environ["ZOO_HOME"]).expanduser().resolve()
    if os.environ.get("KERAS_HOME"):
        return pathlib.Path(os.environ["KERAS_HOME"]).expanduser().resolve() / "zoo"
    return pathlib.Path.home() / ".keras" / "zoo"


def endpoint() -> str | None:
    """The base URL presets are downloaded from, without a trailing slash.

    Returns:
        `$ZOO_ENDPOINT`; else the `file://` URL of the installed weights distribution
        (`zoo_weights`, a package of its own); else of the checkout's `zoo_weights/`
        folder when it exists; else None (only cached presets can be loaded).

    Raises:
        ValueError: if `ZOO_ENDPOINT` is not a `file://`, `http://` or `https://` URL.
    """
    value = os.environ.get("ZOO_ENDPOINT", "").strip()
    if value:
        if urllib.parse.urlsplit(value).scheme not in ("file", "http", "https"):
            raise ValueError(
                f"ZOO_ENDPOINT must be a file://, http:// or https:// URL; got {value!r}. "
                f"For a local folder use {pathlib.Path(value).expanduser().resolve().as_uri()}"
            )
        return value.rstrip("/")
    installed = weights_distribution_dir()
    if installed is not None:
        return installed.as_uri()
    if CHECKOUT_WEIGHTS.is_dir():
        return CHECKOUT_WEIGHTS.as_uri()
    return None


def weights_distribution_dir() -> pathlib.Path | None:
    """The folder of the installed weights distribution (`zoo_weights`), or None."""
    try:
        spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return pathlib.Path(next(iter(spec.submodule_search_locations))).resolve()


def offline() -> bool:
    """Whether `ZOO_OFFLINE` forbids network access (`1`, `true`, `yes` or `on`)."""
    return os.environ.get("ZOO_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def preset_dir(name: str, version: int) -> pathlib.Path:
    """The cache folder of one version of a preset: `<cache_dir()>/<name>/v<version>`."""
    return cache_dir() / name / f"v{version}"


def file_url(name: str, version: int, filename: str) -> str | None:
    """The endpoint URL of one preset file, or None when no endpoint is configured."""
    base = endpoint()
    return None if base is None else _join_url(base, name, version, filename)


def is_cached(name: str, weights: dict) -> bool:
    """Whether every file of a weights record is cached with its published size."""
    folder = preset_dir(name, weights["version"])
    return not _stale_files(folder, weights["files"])


def sha256_file(path) -> str:
    """The hex sha256 digest of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_preset(name: str, weights: dict, force: bool = False) -> pathlib.Path:
    """Return the cache folder of a preset, downloading and verifying what is missing.

    Args:
        name: Canonical preset name.
        weights: Its published weights record: `{"version": int, "files": {filename:
            {"sha256": 64 hex digits, "size": bytes}}}` (see `Preset.weights`).
        force: Download every file again even when it is cached.

    Returns:
        The folder holding `config.json`, `model.weights.h5` and `metadata.json`.

    Raises:
        OfflineError: `ZOO_OFFLINE=1` and a file is not cached (with the fix).
        ChecksumError: a downloaded file does not match the record; nothing is cached.
        HubError: no endpoint is configured, or it cannot be reached.

    #### Examples

    ```python
    weights = zoo.registry.get_preset("vae_fashion_mnist").weights
    folder = fetch_preset("vae_fashion_mnist", weights)
    sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    # ==> ['config.json', 'metadata.json', 'model.weights.h5']
    ```
    """
    folder = preset_dir(name, weights["version"])
    files = weights["files"]
    todo = list(files) if force else _stale_files(folder, files)
    if not todo:
        return folder
    version = weights["version"]
    base = _reachable_endpoint(name, version, folder, todo)  # fails fast offline
    folder.mkdir(parents=True, exist_ok=True)
    with _DownloadLock(folder):
        for leftover in folder.glob(f".*{_PARTIAL_SUFFIX}"):
            leftover.unlink()  # a download killed midway; we hold the lock, nobody writes it
        if not force:
            todo = _stale_files(folder, files)  # another process may have fetched them
        for filename in todo:
            url = _join_url(base, name, version, filename)
            _download(url, folder / filename, files[filename], name)
    return folder


def download_preset(name: str, version: int | None = None, force: bool = False) -> pathlib.Path:
    """Fetch a registered preset's published files into the cache (`zoo download`).

    Args:
        name: Preset name or alias.
        version: Published version; default the newest.
        force: Download again even when cached (repairs a file `zoo verify` rejects).

    Returns:
        The preset's cache folder.

    Raises:
        KeyError: unknown name (with the closest names) or version.
        HubError: weights not published, offline, unreachable or failing verification.
    """
    preset = registry.get_preset(name)
    return fetch_preset(preset.name, _published_weights(preset, version), force=force)


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
    folder = download_preset(preset.name, version=version)
    config = json.loads((folder / "config.json").read_text())
    model = preset.build(**{**config, **config_overrides})
    model.load_weights(folder / "model.weights.h5")
    return model


def verify_preset(name: str, version: int | None = None, full: bool = True) -> list[FileCheck]:
    """Check a preset's cached files against its published record (`zoo verify`).

    Args:
        name: Preset name or alias.
        version: Published version; default the newest.
        full: Hash every file (sha256); with False, compare sizes only (what every load
            does).

    Returns:
        One `FileCheck` per published file, in record order.

    Raises:
        KeyError: unknown name.
        HubError: the preset has no published weights.
    """
    preset = registry.get_preset(name)
    weights = _published_weights(preset, version)
    folder = preset_dir(preset.name, weights["version"])
    return [
        _check_file(folder / filename, expected, preset.name, full)
        for filename, expected in weights["files"].items()
    ]


def publish_preset(
    model,
    name: str,
    config: dict,
    metadata: dict,
    out_dir=None,
    manifest=None,
    version: int | None = None,
) -> dict:
    """Write a trained preset's files and record their digests so `zoo.load` can use them.

    Writes `<out_dir>/<name>/v<version>/config.json` (`config`), `model.weights.h5` (the weights of
    `model`) and `metadata.json` (the model card: `metadata` plus the name, version, UTC
    date, the versions of zoo, Python, TensorFlow, Keras and TFP, and the sha256 of the two
    other files), then appends `version`, the sha256 and size of each file, the card's
    `metrics` and the date to the versions of `name` in the manifest (`zoo/published.json`). Commit
    both the folder and the manifest. Before writing, it checks that the weights load
    into the registered builder called with `config`, so a published preset always loads.

    Published weights are immutable: publishing a name again creates the next version in
    a folder of its own (every version stays loadable); an existing version is refused.

    Args:
        model: The trained `keras.Model`.
        name: Canonical name of a registered preset.
        config: The builder's keyword arguments; must equal the registered config (so
            `pretrained=False` builds the same architecture).
        metadata: The model card, a JSON-serializable dict. Recommended keys:
            `description`, `dataset` (data and split), `training` (command, epochs,
            batch size, optimizer, wall time, machine), `paper`, and `metrics`:
            `{metric_name: {"value": float, "protocol": "how it was measured"}}` (the
            protocol says split, estimator and sample counts, e.g. "test NLL in nats,
            IWAE k=5000"). The keys name, version, published, software and sha256 are
            filled in here.
        out_dir: Folder of published presets; default the checkout's `zoo_weights/`.
        manifest: The manifest to update; default the package's `zoo/published.json`.
        version: Version number to publish; default one more than the last published.

    Returns:
        The record written to the manifest: `{"version", "files", "metrics", "published"}`.

    Raises:
        KeyError: `name` is not registered.
        ValueError: `config` differs from the registered one, the weights do not load
            into the builder, the card is malformed, or `version` is already taken.

    #### Examples

    ```python
    vae = zoo.load("vae_fashion_mnist", pretrained=False)
    vae.compile(optimizer="adam")
    vae.fit(train, epochs=50)
    card = {"dataset": "fashion_mnist train", "training": {"epochs": 50},
            "metrics": {"test_nll": {"value": 235.1, "protocol": "IWAE k=1000"}}}
    publish_preset(vae, "vae_fashion_mnist", zoo.info("vae_fashion_mnist")["config"], card)
    ```
    """
    preset = registry.get_preset(name)
    if preset.name != name:
        raise ValueError(
            f"Publish under the canonical name {preset.name!r}, not the alias {name!r}."
        )
    config = _as_json(config, "config")
    if config != _as_json(preset.config, "registered config"):
        changed = sorted(
            k for k in {*config, *preset.config} if config.get(k) != preset.config.get(k)
        )
        raise ValueError(
            f"config differs from the registered config of {name!r} in {changed}. Update the "
            "register_model call first, so that pretrained=False builds the same architecture."
        )
    card = _as_json(metadata, "metadata")
    taken = [key for key in _CARD_FIELDS_SET_BY_PUBLISH if key in card]
    if taken:
        raise ValueError(f"metadata must not set {taken}: publish_preset fills them in.")
    _check_metrics(card.get("metrics", {}))
    out_dir = pathlib.Path(out_dir) if out_dir is not None else CHECKOUT_WEIGHTS
    manifest = pathlib.Path(manifest) if manifest is not None else registry.PUBLISHED_MANIFEST
    cache_dir().mkdir(parents=True, exist_ok=True)
    with filelock.FileLock(cache_dir() / ".publish.lock"):
        published = json.loads(manifest.read_text()) if manifest.exists() else {}
        versions = published.get(name, {}).get("versions", [])
        last = versions[-1]["version"] if versions else 0
        version = last + 1 if version is None else int(version)
        if version <= last:
            raise ValueError(
                f"Version {version} of {name!r} is taken (last published: {last}); published "
                f"weights are immutable, publish version {last + 1} instead."
            )
        now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        folder = out_dir / name / f"v{version}"
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder, prefix=".staging-") as staging:
            staging = pathlib.Path(staging)
            _without_training_state(preset, config, model).save_weights(
                staging / "model.weights.h5"
            )
            _check_weights_load(preset, config, staging / "model.weights.h5")
            _write_json(staging / "config.json", config)
            card.update(
                name=name,
                version=version,
                published=now,
                software=_software_versions(),
                sha256={f: sha256_file(staging / f) for f in ("config.json", "model.weights.h5")},
            )
            _write_json(staging / "metadata.json", card)
            for f in registry.PRESET_FILES:
                os.replace(staging / f, folder / f)
        record = version_record(folder)
        published[name] = {"versions": [*versions, record]}
        _write_json(manifest, dict(sorted(published.items())))
    registry.published_records.cache_clear()
    return record


def version_record(folder) -> dict:
    """The manifest record of one published version, derived from its folder's files.

    `zoo/published.json` is a lock generated from `zoo_weights/` by this function (see
    `lock_manifest`): nothing in it is written by hand.

    Args:
        folder: A published version folder `<name>/v<version>/` (config.json,
            model.weights.h5 and metadata.json, as `publish_preset` writes them).

    Returns:
        `{"version", "files": {file: {"sha256", "size"}}, "metrics", "published"}`, the
        version, metrics and date read from the folder's model card.
    """
    folder = pathlib.Path(folder)
    card = json.loads((folder / "metadata.json").read_text())
    return {
        "version": card["version"],
        "files": {
            f: {"sha256": sha256_file(folder / f), "size": (folder / f).stat().st_size}
            for f in registry.PRESET_FILES
        },
        "metrics": card.get("metrics", {}),
        "published": card["published"],
    }


def lock_manifest(weights_dir=None) -> dict:
    """The manifest of every published version under `weights_dir`, generated from its files.

    Args:
        weights_dir: A folder of published presets (`<name>/v<version>/`); default the
            checkout's `zoo_weights/`.

    Returns:
        `{name: {"versions": [version_record, ...]}}`, names sorted, versions ascending:
        what `zoo/published.json` holds (`zoo lock` writes it, `zoo lock --check` compares).
    """
    weights_dir = pathlib.Path(weights_dir) if weights_dir is not None else CHECKOUT_WEIGHTS
    manifest = {}
    for name_dir in sorted(path for path in weights_dir.iterdir() if path.is_dir()):
        folders = [path for path in name_dir.glob("v*") if (path / "metadata.json").is_file()]
        if folders:
            folders.sort(key=lambda path: int(path.name[1:]))
            manifest[name_dir.name] = {"versions": [version_record(f) for f in folders]}
    return manifest


def write_lock(weights_dir=None, manifest=None) -> dict:
    """Regenerate the manifest from the published files (`zoo lock`).

    Args:
        weights_dir: See `lock_manifest`.
        manifest: The manifest file; default the package's `zoo/published.json`.

    Returns:
        The manifest written.
    """
    generated = lock_manifest(weights_dir)
    _write_json(pathlib.Path(manifest or registry.PUBLISHED_MANIFEST), generated)
    registry.published_records.cache_clear()
    return generated


def _published_weights(preset, version: int | None = None) -> dict:
    record = preset.record(version)
    if record is None:
        raise HubError(
            preset.unpublished_reason
            or f"No weights are published for {preset.name!r} yet; "
            f"`zoo.load({preset.name!r}, pretrained=False)` builds it untrained."
        )
    return {"version": record["version"], "files": record["files"]}


def _stale_files(folder: pathlib.Path, files: dict) -> list[str]:
    """Files that are missing or whose size differs from the record (truncated, partial).

    The small JSON files are also hashed on every load (a few kB): the model card records
    the weights' digest, so a cached folder holding another upload under the same version
    (same sizes, other content) is caught and fetched again, not silently used.
    """
    stale = []
    for filename, expected in files.items():
        try:
            if (folder / filename).stat().st_size == expected["size"]:
                continue
        except FileNotFoundError:
            pass
        stale.append(filename)
    small = [f for f in files if f.endswith(".json") and f not in stale]
    if any(sha256_file(folder / f) != files[f]["sha256"] for f in small):
        return list(files)
    return stale


class _DownloadLock:
    """The per-folder download lock; says so when it waits for another process."""

    def __init__(self, folder: pathlib.Path):
        self._folder = folder
        self._lock = filelock.FileLock(folder / ".lock")

    def __enter__(self):
        try:
            self._lock.acquire(timeout=0)
        except filelock.Timeout:
            print(
                f"Waiting for another process downloading into {self._folder} ...", file=sys.stderr
            )
            self._lock.acquire()
        return self

    def __exit__(self, *exc_info):
        self._lock.release()


def _join_url(base: str, name: str, version: int, filename: str) -> str:
    return f"{base}/{urllib.parse.quote(name)}/v{int(version)}/{urllib.parse.quote(filename)}"


def _reachable_endpoint(name: str, version: int, folder: pathlib.Path, missing: list[str]) -> str:
    """The endpoint to download `missing` from, or an error saying how to get the files."""
    base = endpoint()
    what = f"preset {name!r} (version {version}) needs {', '.join(missing)} in {folder}"
    if base is None:
        raise HubError(
            f"No endpoint to download from: {what}. Install the published weights "
            "(`pip install ./zoo_weights` from a zoo checkout, or the zoo-weights wheel), or "
            "set ZOO_ENDPOINT to the URL of the published presets (file://, http:// or https://)."
        )
    if offline() and urllib.parse.urlsplit(base).scheme != "file":
        raise OfflineError(
            f"ZOO_OFFLINE=1 and {what}, which are not cached. Run `zoo download {name}` "
            f"where the network is allowed (it fetches from {base}/{name}/v{version}/), "
            f"or copy that folder's files into {folder}, "
            f"or point ZOO_ENDPOINT at a local file:// copy."
        )
    return base


def _download(url: str, destination: pathlib.Path, expected: dict, name: str):
    """Stream `url` into a temporary file beside `destination`; verify; move into place."""
    try:
        response = urllib.request.urlopen(url, timeout=_TIMEOUT_SECONDS)
    except urllib.error.HTTPError as error:
        raise HubError(
            f"Cannot download {url}: HTTP {error.code} {error.reason}. Is ZOO_ENDPOINT "
            f"({endpoint()}) the folder of published presets, holding {name}/v<version>/?"
        ) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise HubError(
            f"Cannot reach {url}: {reason}. Check ZOO_ENDPOINT and the network, or use a "
            "cached copy with ZOO_OFFLINE=1."
        ) from None
    print(f"Downloading {url} ({expected['size']:,} bytes)", file=sys.stderr)
    progbar = None
    if sys.stdout.isatty():  # a bar in a log file is noise
        import keras  # local: importing keras pulls in TensorFlow

        progbar = keras.utils.Progbar(expected["size"], unit_name="B")
    digest = hashlib.sha256()
    size = 0
    partial = _partial_path(destination)
    try:
        with response, open(partial, "xb") as f:
            while chunk := response.read(_CHUNK_BYTES):
                f.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                if progbar is not None:
                    progbar.update(min(size, expected["size"]))
        if size != expected["size"] or digest.hexdigest() != expected["sha256"]:
            raise ChecksumError(
                f"{url} does not match the published record of preset {name!r}: expected "
                f"sha256 {expected['sha256']} ({expected['size']} bytes), actual sha256 "
                f"{digest.hexdigest()} ({size} bytes). The download was discarded. The "
                "endpoint holds a damaged file or another version than this zoo release "
                "records: check ZOO_ENDPOINT, or upgrade zoo, then retry."
            )
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)


def _check_file(path: pathlib.Path, expected: dict, name: str, full: bool) -> FileCheck:
    fix = f"run `zoo download {name} --force` to fetch it again."
    if not path.exists():
        return FileCheck(path, "missing", f"not cached; run `zoo download {name}`.")
    size = path.stat().st_size
    if size != expected["size"]:
        return FileCheck(
            path, "corrupt", f"size {size} bytes, expected {expected['size']} bytes; {fix}"
        )
    if full:
        actual = sha256_file(path)
        if actual != expected["sha256"]:
            return FileCheck(
                path,
                "corrupt",
                f"expected sha256 {expected['sha256']}, actual sha256 {actual}; {fix}",
            )
    return FileCheck(path, "ok")


def _as_json(value: Any, what: str):
    """A deep copy of `value` through JSON, or a ValueError saying it is not JSON."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError) as error:
        raise ValueError(f"{what} must be JSON-serializable: {error}") from None


def _check_metrics(metrics: dict) -> dict:
    for key, metric in metrics.items():
        if not (isinstance(metric, dict) and {"value", "protocol"} <= metric.keys()):
            raise ValueError(
                f"metadata['metrics'][{key!r}] must be a dict with 'value' and 'protocol' "
                f"(how it was measured); got {metric!r}."
            )
    return metrics


def _without_training_state(preset, config: dict, model):
    """A fresh, uncompiled build of the preset holding `model`'s weights.

    Keras writes a compiled model's optimizer slots into `save_weights` (twice the weights
    for Adam); users of a preset need none of that, so only the model's variables ship.
    """
    fresh = preset.build(**config)
    try:
        fresh.set_weights(model.get_weights())
    except ValueError as error:
        raise ValueError(
            f"The trained model's variables do not match a fresh build of {preset.name!r} "
            f"from config: {error}"
        ) from error
    return fresh


def _check_weights_load(preset, config: dict, weights_path: pathlib.Path):
    try:
        preset.build(**config).load_weights(weights_path)
    except Exception as error:  # any failure means users could not load the preset
        raise ValueError(
            f"The weights do not load into the registered builder of {preset.name!r} "
            f"called with config: {error}"
        ) from error


def _software_versions() -> dict:
    versions = {"zoo": __version__, "python": platform.python_version()}
    for key, distributions in {
        "tensorflow": ("tensorflow", "tensorflow-cpu"),
        "keras": ("keras",),
        "tensorflow_probability": ("tensorflow-probability",),
    }.items():
        for distribution in distributions:
            try:
                versions[key] = importlib.metadata.version(distribution)
                break
            except importlib.metadata.PackageNotFoundError:
                continue
    return versions


def _write_json(path: pathlib.Path, value):
    """Write JSON atomically (temporary file in the same folder, then `os.replace`)."""
    partial = _partial_path(path)
    try:
        partial.write_text(json.dumps(value, indent=2) + "\n")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _partial_path(destination: pathlib.Path) -> pathlib.Path:
    """A unique hidden `*.part` name beside `destination` (same file system for os.replace)."""
    return destination.with_name(f".{destination.name}.{uuid.uuid4().hex[:12]}{_PARTIAL_SUFFIX}")

"""The weights hub: cache location, endpoints, verified downloads, locking, offline, publishing."""

import functools
import hashlib
import http.server
import json
import os
import pathlib
import subprocess
import sys
import threading
import time
from typing import ClassVar

import h5py
import numpy as np
import pytest
from support.tiny_preset import CARD, CONFIG, NAME, register_unpublished, tiny_mlp

import zoo
from zoo import hub

pytest_plugins = ("support.hub_fixtures",)

WEIGHTS = "model.weights.h5"


def assert_same_weights(model, expected):
    for actual, want in zip(model.get_weights(), expected, strict=True):
        np.testing.assert_array_equal(actual, want)


def cached_names(folder: pathlib.Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != ".lock")


def flip_last_byte(path: pathlib.Path):
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


# Cache location and endpoint.


def test_cache_dir_follows_zoo_home_then_keras_home_then_home(monkeypatch, tmp_path):
    assert hub.cache_dir() == pathlib.Path(os.environ["ZOO_HOME"])
    monkeypatch.delenv("ZOO_HOME")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    assert hub.cache_dir() == tmp_path / "keras" / "zoo"
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert hub.cache_dir() == tmp_path / "home" / ".keras" / "zoo"


def test_endpoint_defaults_to_the_weights_distribution_and_validates_scheme(monkeypatch):
    installed = hub.weights_distribution_dir()
    if installed is not None:
        assert hub.endpoint() == installed.as_uri()
    elif hub.CHECKOUT_WEIGHTS.is_dir():
        assert hub.endpoint() == hub.CHECKOUT_WEIGHTS.as_uri()
    monkeypatch.setattr(hub, "weights_distribution_dir", lambda: None)
    monkeypatch.setattr(hub, "CHECKOUT_WEIGHTS", hub.CHECKOUT_WEIGHTS / "no-such-folder")
    assert hub.endpoint() is None
    with pytest.raises(hub.HubError, match=r"pip install \./zoo_weights.*ZOO_ENDPOINT"):
        hub.download_preset("rbm_fashion_mnist")
    monkeypatch.setenv("ZOO_ENDPOINT", "https://example.org/zoo/")
    assert hub.endpoint() == "https://example.org/zoo"
    assert hub.file_url("a b", 3, "config.json") == "https://example.org/zoo/a%20b/v3/config.json"
    monkeypatch.setenv("ZOO_ENDPOINT", "/srv/zoo_weights")
    with pytest.raises(ValueError, match="file:///srv/zoo_weights"):
        hub.endpoint()


# Downloads over HTTP, cache, corruption, partial files.


def test_http_preset_is_downloaded_once_then_loaded_from_cache(http_tiny, published):
    model = zoo.load(NAME)
    assert_same_weights(model, published[2])
    assert sorted(http_tiny.get_requests()) == sorted(
        f"/{NAME}/v1/{f}" for f in published[1]["files"]
    )
    http_tiny.stop()  # no network from here on

    again = zoo.load(NAME)
    assert_same_weights(again, published[2])
    assert len(http_tiny.get_requests()) == 3
    assert zoo.info(NAME)["weights"]["cached"]


def test_corrupt_download_is_rejected_naming_both_digests(http_tiny, endpoint_dir, tiny):
    flip_last_byte(endpoint_dir / NAME / "v1" / WEIGHTS)
    actual = hashlib.sha256((endpoint_dir / NAME / "v1" / WEIGHTS).read_bytes()).hexdigest()
    expected = tiny["files"][WEIGHTS]["sha256"]
    with pytest.raises(hub.ChecksumError) as error:
        zoo.load(NAME)
    message = str(error.value)
    assert WEIGHTS in message and expected in message and actual in message
    folder = hub.preset_dir(NAME, tiny["version"])
    assert WEIGHTS not in cached_names(folder)
    assert not list(folder.glob("*.part"))


def test_partial_and_truncated_files_are_ignored_and_replaced(
    http_tiny, endpoint_dir, published, tiny
):
    folder = hub.preset_dir(NAME, tiny["version"])
    folder.mkdir(parents=True)
    good = (endpoint_dir / NAME / "v1" / WEIGHTS).read_bytes()
    (folder / f".{WEIGHTS}.deadbeef.part").write_bytes(good[:100])  # a killed download
    (folder / WEIGHTS).write_bytes(good[: len(good) // 2])  # a truncated copy

    assert_same_weights(zoo.load(NAME), published[2])
    assert cached_names(folder) == sorted(tiny["files"])
    assert all(check.ok for check in hub.verify_preset(NAME))


def test_endpoint_errors_say_what_failed(tiny, monkeypatch):
    monkeypatch.setenv("ZOO_ENDPOINT", "http://127.0.0.1:9")  # discard port: nothing listens
    with pytest.raises(hub.HubError, match=r"Cannot reach http://127.0.0.1:9/tiny_mlp/"):
        zoo.load(NAME)
    monkeypatch.setenv("ZOO_ENDPOINT", "file:///nonexistent/zoo_weights")
    with pytest.raises(hub.HubError, match="config.json"):
        zoo.load(NAME)


class _SlowHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files after a pause, so that concurrent loaders overlap."""

    requests: ClassVar[list[str]] = []

    def do_GET(self):
        type(self).requests.append(self.path)
        time.sleep(0.3)
        super().do_GET()

    def log_message(self, *args):
        pass


_FETCHER = """
import json, pathlib, sys, time
from zoo import hub
record = json.loads(pathlib.Path({record!r}).read_text())
pathlib.Path(sys.argv[1]).touch()
while not pathlib.Path({go!r}).exists():
    time.sleep(0.005)
folder = hub.fetch_preset("tiny_mlp", record)
print(hub.sha256_file(folder / "model.weights.h5"))
"""


def test_two_processes_loading_at_once_both_succeed_with_one_download(
    tiny, endpoint_dir, published, tmp_path
):
    handler = functools.partial(_SlowHandler, directory=str(endpoint_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _SlowHandler.requests = []
    record_file, go = tmp_path / "record.json", tmp_path / "go"
    record_file.write_text(json.dumps(tiny))
    script = _FETCHER.format(record=str(record_file), go=str(go))
    env = {**os.environ, "ZOO_ENDPOINT": f"http://127.0.0.1:{server.server_address[1]}"}
    ready = [tmp_path / f"ready{i}" for i in range(2)]
    fetchers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(r)],
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for r in ready
    ]
    try:
        deadline = time.monotonic() + 60
        while not all(r.exists() for r in ready) and time.monotonic() < deadline:
            time.sleep(0.01)
        go.touch()  # both processes start fetching within a few ms
        outputs = [fetcher.communicate(timeout=60) for fetcher in fetchers]
    finally:
        server.shutdown()
        for fetcher in fetchers:
            fetcher.kill()

    for fetcher, (stdout, stderr) in zip(fetchers, outputs, strict=True):
        assert fetcher.returncode == 0, stderr
        assert stdout.strip() == tiny["files"][WEIGHTS]["sha256"]
    assert sum("Waiting for another process" in stderr for _, stderr in outputs) == 1
    assert sorted(_SlowHandler.requests) == sorted(f"/{NAME}/v1/{f}" for f in tiny["files"])
    folder = hub.preset_dir(NAME, tiny["version"])
    assert cached_names(folder) == sorted(tiny["files"])
    assert all(check.ok for check in hub.verify_preset(NAME))
    assert_same_weights(zoo.load(NAME), published[2])


# Offline.


def test_offline_with_empty_cache_fails_fast_without_network(http_tiny, monkeypatch):
    monkeypatch.setenv("ZOO_OFFLINE", "1")
    start = time.monotonic()
    with pytest.raises(hub.OfflineError) as error:
        zoo.load(NAME)
    assert time.monotonic() - start < 2
    message = str(error.value)
    for needle in ("ZOO_OFFLINE=1", f"'{NAME}'", WEIGHTS, f"zoo download {NAME}"):
        assert needle in message
    assert http_tiny.get_requests() == []


def test_offline_loads_cached_and_file_endpoint_presets(tiny, published, monkeypatch):
    monkeypatch.setenv("ZOO_OFFLINE", "1")
    assert_same_weights(zoo.load(NAME), published[2])  # file:// is local, not network
    monkeypatch.setenv("ZOO_ENDPOINT", "http://127.0.0.1:9")
    assert_same_weights(zoo.load(NAME), published[2])  # now from the cache


# Verification of the cache.


def test_verify_finds_a_corrupt_cached_file_and_force_download_repairs_it(tiny):
    assert [c.status for c in hub.verify_preset(NAME)] == ["missing"] * 3
    folder = hub.download_preset(NAME)
    flip_last_byte(folder / WEIGHTS)
    actual = hashlib.sha256((folder / WEIGHTS).read_bytes()).hexdigest()

    assert all(c.ok for c in hub.verify_preset(NAME, full=False))  # same size
    bad = [c for c in hub.verify_preset(NAME) if not c.ok]
    assert [c.path.name for c in bad] == [WEIGHTS]
    assert tiny["files"][WEIGHTS]["sha256"] in bad[0].detail and actual in bad[0].detail
    assert f"zoo download {NAME} --force" in bad[0].detail

    hub.download_preset(NAME, force=True)
    assert all(c.ok for c in hub.verify_preset(NAME))


def test_load_refetches_a_cached_folder_holding_another_upload_of_the_same_version(tiny):
    folder = hub.download_preset(NAME)
    flip_last_byte(folder / WEIGHTS)  # same sizes, other content: another upload's files
    flip_last_byte(folder / "metadata.json")
    assert not all(c.ok for c in hub.verify_preset(NAME))

    zoo.load(NAME)

    assert all(c.ok for c in hub.verify_preset(NAME))


def test_unpublished_preset_cannot_be_downloaded(tiny):
    register_unpublished()
    with pytest.raises(hub.HubError, match="benchmarks/tiny.py"):
        hub.download_preset("tiny_unpublished")
    with pytest.raises(hub.HubError, match="benchmarks/tiny.py"):
        zoo.load("tiny_unpublished")


# Publishing.


def test_publish_writes_files_manifest_and_model_card(published):
    out_dir, record, _ = published
    folder = out_dir / NAME / "v1"
    for filename, entry in record["files"].items():
        assert hub.sha256_file(folder / filename) == entry["sha256"]
        assert (folder / filename).stat().st_size == entry["size"]
    assert json.loads((out_dir / "published.json").read_text()) == {NAME: {"versions": [record]}}
    assert json.loads((folder / "config.json").read_text()) == CONFIG
    card = json.loads((folder / "metadata.json").read_text())
    assert card["version"] == record["version"] == 1 and card["name"] == NAME
    assert card["metrics"] == record["metrics"] == CARD["metrics"]
    assert {"zoo", "python", "tensorflow", "keras", "tensorflow_probability"} <= card[
        "software"
    ].keys()
    assert card["sha256"] == {f: record["files"][f]["sha256"] for f in ("config.json", WEIGHTS)}
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_republishing_creates_a_new_version_cached_apart_from_the_old(
    tiny, endpoint_dir, published, monkeypatch
):
    v1_folder = hub.download_preset(NAME)
    retrained = tiny_mlp(**CONFIG)
    retrained.set_weights([w + 1.0 for w in published[2]])
    manifest = endpoint_dir / "published.json"
    with pytest.raises(ValueError, match="immutable, publish version 2"):
        hub.publish_preset(
            retrained, NAME, CONFIG, CARD, out_dir=endpoint_dir, manifest=manifest, version=1
        )
    v2 = hub.publish_preset(retrained, NAME, CONFIG, CARD, out_dir=endpoint_dir, manifest=manifest)
    assert v2["version"] == 2

    v2_folder = hub.fetch_preset(NAME, v2)
    assert v2_folder == hub.preset_dir(NAME, 2) != v1_folder
    loaded = tiny_mlp(**CONFIG)
    loaded.load_weights(v2_folder / WEIGHTS)
    assert_same_weights(loaded, retrained.get_weights())
    assert all(c.ok for c in hub.verify_preset(NAME))  # the registered version 1 is untouched
    assert (endpoint_dir / NAME / "v1" / WEIGHTS).is_file()  # both versions stay published
    assert [r["version"] for r in json.loads(manifest.read_text())[NAME]["versions"]] == [1, 2]


def test_published_weights_leave_out_the_optimizer_state(tiny, tmp_path):
    model = tiny_mlp(**CONFIG)
    model.compile(optimizer="adam", loss="mse")
    inputs = np.ones((4, *model.input_shape[1:]), "float32")
    model.fit(inputs, model.predict(inputs, verbose=0), epochs=1, verbose=0)
    hub.publish_preset(model, NAME, CONFIG, CARD, out_dir=tmp_path, manifest=tmp_path / "m.json")

    with h5py.File(tmp_path / NAME / "v1" / WEIGHTS) as weights:
        assert "optimizer" not in weights
    loaded = tiny_mlp(**CONFIG)
    loaded.load_weights(tmp_path / NAME / "v1" / WEIGHTS)
    assert_same_weights(loaded, model.get_weights())


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"config": {"units": 5}},
            r"differs from the registered config of 'tiny_mlp' in \['units'\]",
        ),
        ({"model": lambda: tiny_mlp(units=5)}, "do not match a fresh build of 'tiny_mlp'"),
        ({"metadata": {"metrics": {"nll": 1.0}}}, "'value' and 'protocol'"),
        ({"metadata": {"version": 7}}, "must not set"),
        ({"metadata": {"when": object()}}, "JSON-serializable"),
    ],
)
def test_publish_refuses_what_users_could_not_load(tiny, tmp_path, change, message):
    arguments = {"model": lambda: tiny_mlp(**CONFIG), "config": CONFIG, "metadata": CARD, **change}
    arguments["model"] = arguments["model"]()
    with pytest.raises(ValueError, match=message):
        hub.publish_preset(name=NAME, out_dir=tmp_path, manifest=tmp_path / "m.json", **arguments)
    assert not (tmp_path / "m.json").exists()

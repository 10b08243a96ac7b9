"""Fixtures publishing and serving the test preset `tiny_mlp` (hub, registry and CLI tests).

Load them with `pytest_plugins = ("support.hub_fixtures",)`. The preset (see `tiny_preset`) is
published once per test module into a temporary folder with `zoo.hub.publish_preset`;
each test then registers it with that weights record inside
`zoo.registry.temporary_presets()`, so nothing leaks between tests, and gets its own copy
of the endpoint folder to damage at will.
"""

import pathlib
import re
import shutil
import subprocess
import sys

import pytest

from support.tiny_preset import CARD, CONFIG, NAME, register_tiny, tiny_mlp
from zoo import hub, registry


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """(folder of published presets, weights record, published model's weights)."""
    out_dir = tmp_path_factory.mktemp("published")
    model = tiny_mlp(**CONFIG)
    with registry.temporary_presets():
        register_tiny()
        record = hub.publish_preset(
            model, NAME, CONFIG, CARD, out_dir=out_dir, manifest=out_dir / "published.json"
        )
    return out_dir, record, model.get_weights()


@pytest.fixture
def endpoint_dir(published, tmp_path):
    """A private copy of the published folder (tests may corrupt it)."""
    copy = tmp_path / "endpoint"
    shutil.copytree(published[0], copy)
    return copy


@pytest.fixture
def tiny(published, endpoint_dir, monkeypatch):
    """`tiny_mlp` registered with its weights record, served from a `file://` endpoint."""
    monkeypatch.setenv("ZOO_ENDPOINT", endpoint_dir.as_uri())
    with registry.temporary_presets():
        register_tiny(weights=published[1])
        yield published[1]


class HttpServer:
    """`python -m http.server` on 127.0.0.1 (a free port) serving one folder."""

    def __init__(self, directory: pathlib.Path, log: pathlib.Path):
        self.log = log
        with open(log, "w") as requests_log:  # the server keeps its own copy of the fd
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-u",
                    "-m",
                    "http.server",
                    "0",
                    "--bind",
                    "127.0.0.1",
                    "--directory",
                    str(directory),
                ],
                stdout=subprocess.PIPE,
                stderr=requests_log,
                text=True,
            )
        banner = self.process.stdout.readline()  # "Serving HTTP on 127.0.0.1 port 4567 ..."
        port = re.search(r"port (\d+)", banner).group(1)
        self.url = f"http://127.0.0.1:{port}"

    def get_requests(self) -> list[str]:
        """Paths of the GET requests served so far."""
        return re.findall(r'"GET (\S+) HTTP', self.log.read_text())

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process.stdout.close()


@pytest.fixture
def http_tiny(tiny, endpoint_dir, tmp_path, monkeypatch):
    """`tiny_mlp` registered and served over HTTP; yields the running `HttpServer`."""
    server = HttpServer(endpoint_dir, tmp_path / "http.log")
    monkeypatch.setenv("ZOO_ENDPOINT", server.url)
    yield server
    server.stop()

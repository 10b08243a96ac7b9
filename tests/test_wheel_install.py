"""`zoo` as users install it: a wheel plus the weights distribution, outside any checkout.

Builds both wheels from this checkout (offline, no build isolation), installs them into a
fresh virtual environment in a temporary folder (TensorFlow and the other dependencies come
from the running interpreter's site-packages, so nothing is downloaded), and loads and
samples a published preset there, from a working directory that holds no checkout.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from zoo import registry

ROOT = pathlib.Path(__file__).resolve().parents[1]
PRESET = "rbm_fashion_mnist"
# Both tests on one xdist worker (`-n 2 --dist loadgroup`), so the wheels are built once.
pytestmark = pytest.mark.xdist_group("wheel_install")


def _copy_tree(source: pathlib.Path, target: pathlib.Path):
    shutil.copytree(
        source, target, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info")
    )


def _wheel(source: pathlib.Path, out: pathlib.Path) -> pathlib.Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtual environment with the zoo and zoo-weights wheels installed."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "zoo-src"
    source.mkdir()
    _copy_tree(ROOT / "zoo", source / "zoo")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    _copy_tree(ROOT / "zoo_weights", tmp / "weights-src")
    wheels = [_wheel(source, tmp / "dist-zoo"), _wheel(tmp / "weights-src", tmp / "dist-weights")]
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            *map(str, wheels),
        ],
        check=True,
        capture_output=True,
    )
    return python, tmp


def test_wheels_hold_the_package_and_every_published_version(installed):
    python, tmp = installed
    wheels = [p.name for p in tmp.glob("dist-*/*.whl")]
    assert any(w.startswith("zoo-") for w in wheels), wheels
    assert any(w.startswith("zoo_weights-") for w in wheels), wheels
    published = json.loads((ROOT / "zoo" / "published.json").read_text())
    site = subprocess.run(
        [str(python), "-c", "import zoo_weights; print(zoo_weights.ROOT)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp,
    ).stdout.strip()
    for name, entry in published.items():
        for record in entry["versions"]:
            folder = pathlib.Path(site) / name / f"v{record['version']}"
            for filename, file in record["files"].items():
                assert (folder / filename).stat().st_size == file["size"], folder / filename


def test_installed_wheel_loads_and_samples_a_preset_outside_the_checkout(installed):
    python, tmp = installed
    script = f"""
import json, pathlib, sys
import zoo
from zoo import hub
assert pathlib.Path(zoo.__file__).is_relative_to({str(tmp / "venv")!r}), zoo.__file__
assert hub.endpoint() == hub.weights_distribution_dir().as_uri(), hub.endpoint()
model = zoo.load({PRESET!r})
images = model.sample(4, seed=0).numpy()
cached = zoo.info({PRESET!r})["weights"]["cached"]
print(json.dumps({{"shape": list(images.shape), "min": float(images.min()),
                   "max": float(images.max()), "cached": cached}}))
"""
    home = tmp / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOO_")}
    env.update(ZOO_HOME=str(home), ZOO_OFFLINE="1", TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run(
        [str(python), "-c", script],
        check=False,
        capture_output=True,
        text=True,
        cwd=tmp,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["shape"] == [4, 784] and 0.0 <= out["min"] <= out["max"] <= 1.0
    assert out["cached"] is True
    newest = registry.get_preset(PRESET).versions[-1]["version"]
    assert (home / PRESET / f"v{newest}" / "model.weights.h5").is_file()

"""Every script in `examples/` runs end to end with `--quick` and writes its PNG files.

Run in-process (`runpy`), which spares each script the TensorFlow import.
"""

import pathlib
import runpy
import sys

import pytest
from PIL import Image

import zoo.data

EXAMPLES = sorted((pathlib.Path(__file__).parents[1] / "examples").glob("*.py"))
PNG_FILES = {
    "dcgan_fashion_mnist": ["dcgan_samples.png", "dcgan_walks.png"],
    "denoising_autoencoder_fashion_mnist": ["dae_denoising.png"],
    "pixelcnn_fashion_mnist": ["pixelcnn_samples.png"],
    "rbm_fashion_mnist": ["rbm_samples.png", "rbm_filters.png"],
    "vae_fashion_mnist": ["vae_samples.png", "vae_reconstructions.png", "vae_traversals.png"],
}


def test_every_example_is_listed():
    assert sorted(path.stem for path in EXAMPLES) == sorted(PNG_FILES)


@pytest.fixture(scope="module")
def fashion_mnist_on_disk():
    """The examples train on real Fashion-MNIST; `.ci/run` installs Debian's copy."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ZOO_OFFLINE", "1")  # a local copy or nothing: no download attempts
        try:
            zoo.data.load_arrays("fashion_mnist", "test")
        except zoo.data.DatasetNotFoundError as error:
            pytest.skip(f"Fashion-MNIST is not on this machine: {error}")


@pytest.mark.parametrize("script", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_runs_quick(script, tmp_path, monkeypatch, fashion_mnist_on_disk):
    monkeypatch.setattr(sys, "argv", [str(script), "--quick", "--out", str(tmp_path)])
    runpy.run_path(str(script), run_name="__main__")
    for name in PNG_FILES[script.stem]:
        image = Image.open(tmp_path / name)
        assert image.size[0] > 28 and image.size[1] > 28

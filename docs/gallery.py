"""Regenerate the pictures of `docs/gallery/` from the newest published presets.

    python docs/gallery.py [NAME ...]

For every preset that samples: `NAME.png`, 64 draws exactly as
`zoo sample NAME -n 64 --seed 0 -o docs/gallery/NAME.png` writes them, and, for the
models with a per-pixel conditional (VAE, RBM, DBN), `NAME_mean.png`, the probabilities
of the same chains (`zoo sample ... --mean`). Beside them, from the first 16 test images:
the VAE's reconstructions and latent traversals, the denoising autoencoder's clean /
corrupted / reconstructed rows and a traversal of its code, and the DCGAN's latent
interpolations. For the class-conditional presets (the labelled DBNs `dbn_mnist` and
`dbn_fashion_mnist`, the conditional DCGAN `cdcgan_fashion_mnist`), `NAME_classes.png`:
one row per class, drawn with `sample(n, condition=k)`. Needs the Fashion-MNIST test
images (`zoo.data`).
"""

import inspect
import pathlib
import sys

import numpy as np

import zoo
from zoo import cli, plotting, recipes

GALLERY = pathlib.Path(__file__).resolve().parent / "gallery"
NUM_IMAGES = 16
SCALE = 2


def main(names):
    GALLERY.mkdir(exist_ok=True)
    for name in names or recipes.list_recipes():
        recipe = recipes.get_recipe(name)
        if recipe.to_images is None:
            continue
        path = GALLERY / f"{name}.png"
        assert cli.main(["sample", name, "-n", "64", "--seed", "0", "-o", str(path)]) == 0
        model = zoo.load(name)
        if "mean" in inspect.signature(model.sample).parameters:
            mean = GALLERY / f"{name}_mean.png"
            args = ["sample", name, "-n", "64", "--seed", "0", "--mean", "-o", str(mean)]
            assert cli.main(args) == 0
    for name, pictures in PICTURES.items():
        if not names or name in names:
            pictures(zoo.load(name), _test_inputs(name))
    for name in CONDITIONAL:
        if not names or name in names:
            class_pictures(name)


def _test_inputs(name):
    recipe = recipes.get_recipe(name)
    images, _ = zoo.data.load_arrays(recipe.dataset, recipe.eval_split)
    return recipe.preprocessing.transform(images[:NUM_IMAGES], 0)


def _traversal_origin_and_dims(codes, num_dims=8):
    """The first test image's code, and the `num_dims` coordinates that vary most over
    the test images (the active units of Burda et al. 2015)."""
    return codes[0], np.argsort(-codes.var(axis=0))[:num_dims]


def vae_pictures(vae, x):
    name = "vae_fashion_mnist"
    plotting.reconstruction_grid(
        x, vae.reconstruct(x), path=GALLERY / f"{name}_reconstructions.png", scale=SCALE
    )
    origin, dims = _traversal_origin_and_dims(np.asarray(vae.encode(x).mean()))
    plotting.latent_traversal_grid(
        vae, origin, dims=dims, path=GALLERY / f"{name}_traversal.png", scale=SCALE
    )


def dae_pictures(dae, x):
    name = "dae_fashion_mnist"
    corrupted = np.asarray(dae.corrupt(x, seed=0))
    rows = np.concatenate([x, corrupted, np.asarray(dae.reconstruct(corrupted))])
    plotting.save_image_grid(rows, GALLERY / f"{name}_denoising.png", rows=3, scale=SCALE)
    codes = np.asarray(dae.encode(x))
    origin, dims = _traversal_origin_and_dims(codes)
    values = np.linspace(0.0, np.quantile(codes[:, dims], 0.95), 9)  # ReLU codes: >= 0
    plotting.latent_traversal_grid(
        dae, origin, dims=dims, values=values, path=GALLERY / f"{name}_traversal.png", scale=SCALE
    )


def dcgan_pictures(gan, x):
    del x  # the walks start and end at prior draws
    z = np.asarray(gan.sample_latents(16, seed=0))
    plotting.interpolation_grid(
        gan,
        z[:8],
        z[8:],
        num_steps=10,
        path=GALLERY / "dcgan_fashion_mnist_interpolation.png",
        scale=SCALE,
    )


def class_pictures(name, per_class=10, seed=0):
    """`NAME_classes.png`: one row per class, `sample(n, seed, condition=labels)`."""
    model = zoo.load(name)
    num_classes = getattr(model, "num_labels", None) or model.num_classes
    labels = np.repeat(np.arange(num_classes), per_class)
    samples = np.asarray(model.sample(len(labels), seed=seed, condition=labels))
    to_images = recipes.get_recipe(name).to_images
    plotting.save_image_grid(
        np.asarray(to_images(samples)).reshape(-1, 28, 28, 1),
        GALLERY / f"{name}_classes.png",
        rows=num_classes,
        scale=SCALE,
    )


PICTURES = {
    "vae_fashion_mnist": vae_pictures,
    "dae_fashion_mnist": dae_pictures,
    "dcgan_fashion_mnist": dcgan_pictures,
}
#: The class-conditional presets, pictured one row per class.
CONDITIONAL = ("dbn_mnist", "dbn_fashion_mnist", "cdcgan_fashion_mnist")

if __name__ == "__main__":
    main(sys.argv[1:])

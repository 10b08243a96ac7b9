"""DCGAN with batch norm vs virtual batch norm in the generator: FD-FMNIST after equal steps.

    nice python benchmarks/dcgan_vbn.py --steps 300 --seeds 0 1 2

Both variants are `zoo.models.DCGAN((28, 28, 1), ...)` with the same seed, filters, latent
size, optimizers (Adam(2e-4, beta_1=0.5) for both players), batch size and Fashion-MNIST
batches (train split scaled to [-1, 1]); they differ only in the generator's normalization:
`normalization="batch"` (Radford et al.) or `"virtual"` (Salimans et al.; reference batch of
`--reference-size` latents fixed at build time). After `--steps` generator updates each,
`--fd-samples` samples are scored against as many Fashion-MNIST test images with
`zoo.evaluation.sample_quality` on the `classifier_fashion_mnist` features (FD-FMNIST).

`run(smoke=True)` is a seconds-long check of the whole pipeline on tiny settings (random
feature extractor, synthetic images): its numbers mean nothing.
"""

import argparse
import statistics
import time

import keras
import numpy as np
import tensorflow as tf

import zoo.data
from zoo.evaluation.sample_quality import fashion_mnist_features, sample_quality
from zoo.models import DCGAN

NORMALIZATIONS = ("batch", "virtual")


def fashion_mnist(split, with_labels=False):
    """Fashion-MNIST `split` as float32 images in [-1, 1] (and int32 labels)."""
    images, labels = zoo.data.load_arrays("fashion_mnist", split)
    images = zoo.data.to_unit_interval(images) * 2.0 - 1.0
    return (images, labels.astype("int32")) if with_labels else images


def training_batches(data, batch_size, seed):
    """An endless shuffled stream of batches of `data` (an array or a tuple of arrays)."""
    dataset = tf.data.Dataset.from_tensor_slices(data)
    return (
        dataset.shuffle(10_000, seed=seed, reshuffle_each_iteration=True)
        .repeat()
        .batch(batch_size, drop_remainder=True)
        .prefetch(2)
    )


def train(model, data, steps, batch_size, seed):
    """`steps` generator updates of `model` on shuffled batches; returns seconds taken."""
    start = time.perf_counter()
    model.fit(
        training_batches(data, batch_size, seed),
        epochs=1,
        steps_per_epoch=steps,
        shuffle=False,
        verbose=0,
    )
    return time.perf_counter() - start


def run(
    smoke: bool = False,
    steps=300,
    seeds=(0, 1, 2),
    batch_size=64,
    filters=32,
    latent_dim=100,
    reference_size=64,
    fd_samples=2000,
) -> dict:
    """Train both variants for `steps` steps per seed and score FD-FMNIST.

    Returns:
        `{"rows": {normalization: {"fd": [per seed], "seconds": [per seed]}},
        "settings": {...}, "protocol": ...}`.
    """
    if smoke:
        steps, seeds, batch_size, filters, latent_dim = 2, (0,), 8, 4, 8
        reference_size, fd_samples = 4, 64
        rng = np.random.default_rng(0)
        train_images = rng.uniform(-1, 1, (64, 28, 28, 1)).astype("float32")
        test_images = rng.uniform(0, 1, (fd_samples, 28, 28, 1)).astype("float32")
        features, feature_name = fashion_mnist_features(pretrained=False), "random (smoke)"
    else:
        train_images = fashion_mnist("train")
        test_images = (fashion_mnist("test")[:fd_samples] + 1.0) / 2.0
        features, feature_name = fashion_mnist_features(), "classifier_fashion_mnist"
    rows = {name: {"fd": [], "kid": [], "seconds": []} for name in NORMALIZATIONS}
    protocol = None
    for seed in seeds:
        for normalization in NORMALIZATIONS:
            keras.utils.set_random_seed(seed)
            gan = DCGAN(
                (28, 28, 1),
                latent_dim=latent_dim,
                filters=filters,
                normalization=normalization,
                reference_size=reference_size,
                seed=seed,
            )
            gan.compile()
            seconds = train(gan, train_images, steps, batch_size, seed)
            samples = np.concatenate(
                [
                    (gan.sample(min(500, fd_samples - i), seed=1000 + i).numpy() + 1.0) / 2.0
                    for i in range(0, fd_samples, 500)
                ]
            )
            quality = sample_quality(
                test_images,
                samples,
                features,
                feature_name,
                seed=seed,
                kid_subset_size=min(1000, fd_samples),
            )
            protocol = quality["protocol"]
            rows[normalization]["fd"].append(quality["fd"])
            rows[normalization]["kid"].append(quality["kid"])
            rows[normalization]["seconds"].append(seconds)
            print(
                f"seed {seed} {normalization}: FD {quality['fd']:.2f}, "
                f"KID {quality['kid']:.4f}, {seconds:.0f} s for {steps} steps",
                flush=True,
            )
    settings = {
        "steps": steps,
        "seeds": list(seeds),
        "batch_size": batch_size,
        "filters": filters,
        "latent_dim": latent_dim,
        "reference_size": reference_size,
        "fd_samples": fd_samples,
    }
    return {"rows": rows, "settings": settings, "protocol": protocol}


def table(result):
    """Markdown table: mean ± sd over seeds of FD, KID and training seconds."""

    def cell(values, digits):
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        return f"{statistics.mean(values):.{digits}f} ± {sd:.{digits}f}"

    lines = [
        "| generator normalization | FD-FMNIST | KID-FMNIST | training s |",
        "| --- | --- | --- | --- |",
    ]
    for name, row in result["rows"].items():
        lines.append(
            f"| {name} | {cell(row['fd'], 2)} | {cell(row['kid'], 4)} | {cell(row['seconds'], 0)} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--filters", type=int, default=32)
    parser.add_argument("--reference-size", type=int, default=64)
    parser.add_argument("--fd-samples", type=int, default=2000)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    result = run(
        smoke=args.smoke,
        steps=args.steps,
        seeds=tuple(args.seeds),
        batch_size=args.batch_size,
        filters=args.filters,
        reference_size=args.reference_size,
        fd_samples=args.fd_samples,
    )
    print(f"\nsettings: {result['settings']}\nprotocol: {result['protocol']}\n")
    print(table(result))


if __name__ == "__main__":
    main()

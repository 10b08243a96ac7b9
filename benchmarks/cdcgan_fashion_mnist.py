"""Training recipe for a class-conditional DCGAN on Fashion-MNIST, scored by the classifier.

    nice python benchmarks/cdcgan_fashion_mnist.py --train-seconds 600

`train_cdcgan` is the `cdcgan_fashion_mnist` preset's architecture and optimizer, trained for
a time budget (the preset's own recipe: `zoo train cdcgan_fashion_mnist`):
`DCGAN((28, 28, 1), num_classes=10)`, the one-hot label concatenated with `z` in the
generator and a projection discriminator (Miyato & Koyama 2018), Adam(2e-4, beta_1=0.5) for
both players, batch 64, the Fashion-MNIST train split in [-1, 1] with its labels.

`label_accuracy` draws `per_class` samples of every class and reports the fraction the
published `classifier_fashion_mnist` assigns to the class they were drawn for (overall and
per class), the usual check that a conditional generator respects its labels.

The script trains in blocks of `--block-steps` until `--train-seconds` of training (or
`--max-steps`), scoring label accuracy (100 samples per class) after each block, then
1,000 per class at the end. `run(smoke=True)` checks the pipeline in seconds on synthetic
data and a random-weight classifier: its numbers mean nothing.
"""

import argparse
import time

import keras
import numpy as np
from dcgan_vbn import fashion_mnist, training_batches

import zoo
from zoo.evaluation.sample_quality import conditional_accuracy
from zoo.models import DCGAN

CLASSES = zoo.data.FASHION_MNIST_CLASSES


def build_cdcgan(filters=64, latent_dim=100, seed=0, normalization="batch"):
    """The class-conditional DCGAN of the recipe, compiled with Adam(2e-4, beta_1=0.5)."""
    gan = DCGAN(
        (28, 28, 1),
        latent_dim=latent_dim,
        filters=filters,
        num_classes=10,
        normalization=normalization,
        seed=seed,
    )
    gan.compile()
    return gan


def train_cdcgan(gan, images, labels, steps, batch_size=64, seed=0):
    """`steps` training steps of `gan` on `(images, labels)` batches (one `fit` call).

    Returns:
        Seconds taken.
    """
    stream = training_batches((images, labels), batch_size, seed)
    start = time.perf_counter()
    gan.fit(stream, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0)
    return time.perf_counter() - start


def label_accuracy(gan, classifier, per_class=100, seed=0):
    """Fraction of samples the classifier assigns to the class they were drawn for.

    `zoo.evaluation.sample_quality.conditional_accuracy`, as the preset's card measures it.

    Returns:
        `(overall accuracy, per-class accuracies [10])`.
    """
    return conditional_accuracy(
        gan, classifier, 10, per_class=per_class, seed=seed, to_images=lambda s: (s + 1.0) / 2.0
    )


def run(
    smoke: bool = False,
    train_seconds=600.0,
    max_steps=100_000,
    block_steps=200,
    batch_size=64,
    filters=64,
    seed=0,
    final_per_class=1000,
) -> dict:
    """Train the recipe for a time budget, tracking label accuracy; see the module doc.

    Returns:
        `{"steps", "seconds", "curve": [(steps, seconds, accuracy)], "accuracy",
        "per_class", "settings"}`.
    """
    if smoke:
        train_seconds, max_steps, block_steps, batch_size, filters = 1e9, 2, 1, 8, 4
        final_per_class = 8
        rng = np.random.default_rng(0)
        images = rng.uniform(-1, 1, (32, 28, 28, 1)).astype("float32")
        labels = rng.integers(0, 10, 32).astype("int32")
        classifier = zoo.load("classifier_fashion_mnist", pretrained=False)
    else:
        images, labels = fashion_mnist("train", with_labels=True)
        classifier = zoo.load("classifier_fashion_mnist")
    keras.utils.set_random_seed(seed)
    gan = build_cdcgan(filters=filters, seed=seed)
    steps, seconds, curve = 0, 0.0, []
    while seconds < train_seconds and steps < max_steps:
        block = min(block_steps, max_steps - steps)
        seconds += train_cdcgan(gan, images, labels, block, batch_size, seed + steps)
        steps += block
        accuracy, _ = label_accuracy(gan, classifier, per_class=min(100, final_per_class))
        curve.append((steps, seconds, accuracy))
        print(f"{steps} steps, {seconds:.0f} s: label accuracy {accuracy:.3f}", flush=True)
    accuracy, per_class = label_accuracy(gan, classifier, final_per_class, seed=10_000)
    return {
        "steps": steps,
        "seconds": seconds,
        "curve": curve,
        "accuracy": accuracy,
        "per_class": per_class.tolist(),
        "settings": {"batch_size": batch_size, "filters": filters, "seed": seed},
        "model": gan,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train-seconds", type=float, default=600.0)
    parser.add_argument("--max-steps", type=int, default=100_000)
    parser.add_argument("--block-steps", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--filters", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", help="save the trained model to this .keras path")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    result = run(
        smoke=args.smoke,
        train_seconds=args.train_seconds,
        max_steps=args.max_steps,
        block_steps=args.block_steps,
        batch_size=args.batch_size,
        filters=args.filters,
        seed=args.seed,
    )
    if args.save:
        result["model"].save(args.save)
    print(f"\nsettings: {result['settings']}; {result['steps']} steps in {result['seconds']:.0f} s")
    print(f"label accuracy (classifier_fashion_mnist): {result['accuracy']:.3f}\n")
    print("| class | " + " | ".join(CLASSES) + " |")
    print("| --- " * 11 + "|")
    print("| accuracy | " + " | ".join(f"{a:.2f}" for a in result["per_class"]) + " |")


if __name__ == "__main__":
    main()

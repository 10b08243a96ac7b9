"""FD-FMNIST of the published RBMs' samples against the length of their Gibbs chains.

The cards measure FD-FMNIST on 2,000 samples drawn by block Gibbs sampling with
`burn_in=1000` from random starts (`zoo.recipes` protocol). This benchmark draws the same
2,000 chains (seed 0) for longer and measures, for each version and chain length, the FD
against the binarized test images (the fair reference of a binary model) and the mean
pixel of the samples beside the test images' mean pixel. If FD kept falling with the
chain length, the cards would understate the models and a longer burn-in would be the
fix; if it rises again, the 1,000-step samples are a transient on the way to the model's
own distribution, and only a better model lowers it.

    python benchmarks/rbm_chain_length.py                      # v1 and v3, 1,000 to 20,000 steps
    python benchmarks/rbm_chain_length.py --versions 3 --steps 1000 5000
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

import zoo
from zoo.evaluation.sample_quality import draw_images, sample_quality
from zoo.recipes.recipe import STATIC_BINARY, cpu_model

NUM_SAMPLES = 2000


def binarized_test_images():
    """The test images as the recipes binarize them (`STATIC_BINARY`), `[n, 28, 28, 1]`."""
    images, _ = zoo.data.load_arrays("fashion_mnist", "test")
    return np.asarray(STATIC_BINARY.transform(images, 0), np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--versions", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--steps", type=int, nargs="+", default=[1000, 5000, 20000])
    args = parser.parse_args()

    real = binarized_test_images()
    print(f"CPU: {cpu_model()}, load {os.getloadavg()[0]:.1f}")
    print(f"Test images binarized at 0.5: mean pixel {real.mean():.3f}\n")
    print("| version | Gibbs steps | FD-FMNIST vs binarized test | mean pixel | seconds |")
    print("| --- | --- | --- | --- | --- |")
    for version in args.versions:
        rbm = zoo.load("rbm_fashion_mnist", version=version)
        for steps in args.steps:
            start = time.perf_counter()
            samples = draw_images(rbm, NUM_SAMPLES, 0, burn_in=steps).reshape(-1, 28, 28, 1)
            fd = sample_quality(real, samples.astype(np.float32))["fd"]
            seconds = time.perf_counter() - start
            print(
                f"| v{version} | {steps:,} | {fd:.2f} | {samples.mean():.3f} | {seconds:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()

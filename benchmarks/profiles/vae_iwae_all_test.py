"""The VAE preset's importance-weighted NLL bound on all 10,000 test images (K = 200).

The card's bound (K = 5,000) covers only the first 100 test images (355 s per 100
images); K = 200 takes about 2.4 s per 100 on 2 cores. Prints the running mean and its
standard error over images every 1,000 images.

Usage: python benchmarks/profiles/vae_iwae_all_test.py VERSION
"""

import sys
import time

import numpy as np

import zoo
from zoo import recipes


def main(version, num_samples=200):
    recipe = recipes.get_recipe("vae_fashion_mnist")
    images, _ = zoo.data.load_arrays("fashion_mnist", "test")
    x = recipe.preprocessing.transform(images, 0)  # the card's inputs (static binarization)
    vae = zoo.load("vae_fashion_mnist", version=version)
    start, values = time.perf_counter(), []
    for i in range(0, len(x), 100):
        values.append(np.asarray(vae.log_prob(x[i : i + 100], num_samples=num_samples, seed=0)))
        if (i // 100) % 10 == 9:
            done = np.concatenate(values).astype(np.float64)
            error = done.std() / np.sqrt(len(done))
            seconds = time.perf_counter() - start
            print(len(done), f"NLL {-done.mean():.2f} +- {error:.2f}", f"{seconds:.0f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]))

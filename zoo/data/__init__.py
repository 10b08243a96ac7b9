"""Datasets for the zoo: MNIST-like images, MovieLens ratings, text, toy data, preprocessing.

    import zoo.data
    images, labels = zoo.data.load_arrays("fashion_mnist", "train")   # uint8 [N, 28, 28, 1]
    ds = zoo.data.load("mnist", binarize="dynamic", shuffle=True, batch_size=128, seed=0)
    x = zoo.data.toy.ring_of_gaussians(2500, seed=0)

Where the files come from (a local folder, `ZOO_DATA_DIR`, the Debian dataset folder, then
tensorflow-datasets) is described in `zoo.data.loading`.
"""

from zoo.data import idx, movielens, rdata, text, toy
from zoo.data.loading import (
    DATASETS,
    DatasetNotFoundError,
    load,
    load_arrays,
    load_ratings_matrix,
)
from zoo.data.preprocessing import (
    binarize_dynamic,
    binarize_static,
    bits_per_dim,
    dequantize,
    to_unit_interval,
)

__all__ = [
    "DATASETS",
    "DatasetNotFoundError",
    "binarize_dynamic",
    "binarize_static",
    "bits_per_dim",
    "dequantize",
    "idx",
    "load",
    "load_arrays",
    "load_ratings_matrix",
    "movielens",
    "rdata",
    "text",
    "to_unit_interval",
    "toy",
]

"""Datasets for the zoo: MNIST-like images, MovieLens ratings, toy data, preprocessing.

    import zoo.data
    images, labels = zoo.data.load_arrays("fashion_mnist", "train")   # uint8 [N, 28, 28, 1]
    ds = zoo.data.load("mnist", binarize="dynamic", shuffle=True, batch_size=128, seed=0)
    x = zoo.data.toy.ring_of_gaussians(2500, seed=0)

Where the files come from (a local folder, `ZOO_DATA_DIR`, the Debian dataset folder, then
tensorflow-datasets) is described in `zoo.data.loading`.
"""

from zoo._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "idx": [],
        "movielens": [],
        "rdata": [],
        "text": [],
        "toy": [],
        "loading": [
            "DATASETS",
            "DatasetNotFoundError",
            "FASHION_MNIST_CLASSES",
            "from_arrays",
            "load",
            "load_arrays",
            "load_ratings_matrix",
        ],
        "preprocessing": [
            "binarize_dynamic",
            "binarize_static",
            "bits_per_dim",
            "dequantize",
            "to_unit_interval",
        ],
    },
)

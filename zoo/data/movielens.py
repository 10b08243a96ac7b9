"""MovieLens-100k ratings: GroupLens `u.data`, a fixed 90/10 split, a user x item matrix.

GroupLens' `u.data` has one rating per line: user id, item id, rating (1..5) and a Unix
timestamp, tab separated, ids starting at 1. Here ids start at 0 and ratings stay 1..5.
The ratings' licence forbids redistribution: the project never ships or commits them;
`zoo.data.load_arrays("movielens_100k")` reads a local copy (see its docstring).

#### References
Harper and Konstan (2015). The MovieLens datasets: history and context.
Salakhutdinov, Mnih and Hinton (2007). Restricted Boltzmann machines for collaborative
filtering (the softmax-visible RBM these helpers serve).
"""

import pathlib
from typing import NamedTuple

import numpy as np

NUM_RATINGS = 5  # ratings are 1..5 stars
TEST_FRACTION = 0.1
SPLIT_SEED = 0


class Ratings(NamedTuple):
    """Parallel int64 arrays, one entry per rating: 0-based ids, ratings 1..5."""

    user_id: np.ndarray
    item_id: np.ndarray
    rating: np.ndarray


def read_u_data(path) -> Ratings:
    """Read a GroupLens `u.data` file (user, item, rating, timestamp; tab separated).

    The same rows with a header line, as in RecBole's `ml-100k.inter` (inside the PyPI wheel
    `recbole`), are read too.

    Args:
        path: Path of `u.data` (or `ml-100k.inter`).

    Returns:
        `Ratings` sorted by (user, item), ids shifted to start at 0; the timestamps are
        dropped.

    Raises:
        ValueError: if a line does not have 4 integer fields, an id is below 1, a rating
            lies outside 1..5, or a (user, item) pair appears twice.

    #### Examples

    ```python
    ratings = read_u_data("/work/data/ml-100k/u.data")
    len(ratings.rating), ratings.user_id.max() + 1, ratings.item_id.max() + 1
    # ==> (100000, 943, 1682)
    ```
    """
    path = pathlib.Path(path)
    with path.open() as file:
        has_header = not file.readline()[:1].isdigit()  # "user_id:token\t..." in RecBole's
    try:
        table = np.loadtxt(path, dtype=np.int64, delimiter="\t", ndmin=2, skiprows=int(has_header))
    except ValueError as error:
        raise ValueError(
            f"{path} is not a GroupLens u.data file (user, item, rating, timestamp as tab "
            f"separated integers): {error}"
        ) from error
    if table.shape[1] != 4:
        raise ValueError(
            f"{path} must have 4 tab-separated columns (user, item, rating, timestamp); "
            f"got {table.shape[1]}."
        )
    users, items, ratings = table[:, 0], table[:, 1], table[:, 2]
    if table.size and (users.min() < 1 or items.min() < 1):
        raise ValueError(f"{path}: user and item ids must start at 1 (GroupLens convention).")
    if table.size and (ratings.min() < 1 or ratings.max() > NUM_RATINGS):
        raise ValueError(
            f"{path}: ratings must lie in 1..{NUM_RATINGS}; got {ratings.min()}..{ratings.max()}."
        )
    return sort_ratings(Ratings(users - 1, items - 1, ratings))


def sort_ratings(ratings: Ratings) -> Ratings:
    """Sort ratings by (user, item), so a split does not depend on the source's row order.

    Raises:
        ValueError: if a (user, item) pair is rated twice.
    """
    order = np.lexsort((ratings.item_id, ratings.user_id))
    ratings = Ratings(*(np.asarray(column, np.int64)[order] for column in ratings))
    repeated = (np.diff(ratings.user_id) == 0) & (np.diff(ratings.item_id) == 0)
    if repeated.any():
        i = int(np.argmax(repeated))
        raise ValueError(
            f"user {ratings.user_id[i]} rated item {ratings.item_id[i]} twice (0-based ids); "
            "each (user, item) pair must appear once."
        )
    return ratings


def split_ratings(
    ratings: Ratings, test_fraction: float = TEST_FRACTION, seed: int = SPLIT_SEED
) -> tuple[Ratings, Ratings]:
    """Split ratings at random into train and test parts, reproducibly.

    The ratings are sorted by (user, item) first, then `round(test_fraction * n)` of them,
    chosen by a permutation from `numpy.random.default_rng(seed)`, form the test part. Both
    parts keep the (user, item) order. The default is the project's fixed 90/10 split.

    Args:
        ratings: `Ratings`.
        test_fraction: Fraction of ratings held out, in (0, 1).
        seed: Seed of the permutation.

    Returns:
        `(train, test)`, two `Ratings`.

    Raises:
        ValueError: if `test_fraction` is outside (0, 1).

    #### Examples

    ```python
    train, test = split_ratings(read_u_data("u.data"))
    len(test.rating) / (len(train.rating) + len(test.rating))
    # ==> 0.1
    ```
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie in (0, 1); got {test_fraction}.")
    ratings = sort_ratings(ratings)
    n = len(ratings.rating)
    is_test = np.zeros(n, dtype=bool)
    is_test[np.random.default_rng(seed).permutation(n)[: round(test_fraction * n)]] = True
    train = Ratings(*(column[~is_test] for column in ratings))
    test = Ratings(*(column[is_test] for column in ratings))
    return train, test


def ratings_matrix(ratings: Ratings, num_users: int, num_items: int):
    """Arrange ratings as a dense user x item matrix with a mask of the observed entries.

    Args:
        ratings: `Ratings` with 0-based ids.
        num_users: Rows of the matrix (use the full data's count, so that train and test
            matrices line up: `zoo.data.load_ratings_matrix` does this).
        num_items: Columns of the matrix.

    Returns:
        `(matrix, mask)`: int64 `[num_users, num_items]` holding ratings 1..5 where
        observed and 0 elsewhere, and the bool mask of observed entries.

    Raises:
        ValueError: if an id does not fit the shape or a (user, item) pair repeats.

    #### Examples

    ```python
    >>> matrix, mask = ratings_matrix(Ratings(np.array([0]), np.array([2]), np.array([4])), 1, 3)
    >>> matrix, mask
    (array([[0, 0, 4]]), array([[False, False,  True]]))

    ```
    """
    ratings = sort_ratings(ratings)
    if len(ratings.rating) and (
        ratings.user_id.max() >= num_users or ratings.item_id.max() >= num_items
    ):
        raise ValueError(
            f"ratings hold user ids up to {ratings.user_id.max()} and item ids up to "
            f"{ratings.item_id.max()} (0-based), which do not fit a {num_users} x {num_items} "
            "matrix."
        )
    matrix = np.zeros([num_users, num_items], dtype=np.int64)
    matrix[ratings.user_id, ratings.item_id] = ratings.rating
    return matrix, matrix > 0

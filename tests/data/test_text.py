"""zoo.data.rdata (R lazy-load databases) and zoo.data.text (character vocabulary, splits)."""

import pathlib

import numpy as np
import pytest

from zoo.data import DatasetNotFoundError
from zoo.data.rdata import read_lazyload_database, unserialize
from zoo.data.text import CharacterVocabulary, austen_text, sequence_windows, split_by_position

# Written by R 4.2.2 (Debian r-base-core):
#   e <- new.env(); assign("lines", c("It is a truth", "", NA, "caf\u00e9 \u2014 done"), envir=e)
#   assign("numbers", c(1.5, 2), envir=e); assign("named", c(a="x", b="y"), envir=e)
#   tools:::makeLazyLoadDB(e, "tiny", compress=TRUE)
#   tools:::makeLazyLoadDB(e, "tinyxz", compress=3L)
FIXTURES = pathlib.Path(__file__).parent / "rdata_fixture"


@pytest.mark.parametrize("name", ["tiny", "tinyxz"])  # zlib, and R's xz (raw LZMA2) chunks
def test_reads_what_r_wrote(name):
    objects = read_lazyload_database(FIXTURES / f"{name}.rdb")
    assert objects["lines"] == ["It is a truth", "", None, "caf\u00e9 \u2014 done"]
    np.testing.assert_array_equal(objects["numbers"], [1.5, 2.0])
    assert objects["named"] == {"a": "x", "b": "y"}


def test_unserialize_rejects_other_formats():
    with pytest.raises(ValueError, match="not an XDR R serialization"):
        unserialize(b"A\n\x00\x00")


def test_vocabulary_round_trip_and_errors():
    vocabulary = CharacterVocabulary.from_text("banana band")
    assert vocabulary.symbols == " abdn" and vocabulary.size == 5
    ids = vocabulary.encode("band")
    assert ids.dtype == np.int32 and ids.tolist() == [2, 1, 4, 3]
    assert vocabulary.decode(ids) == "band"
    with pytest.raises(ValueError, match=r"not in the vocabulary: \['x'\]"):
        vocabulary.encode("bax")
    with pytest.raises(ValueError, match="distinct single characters"):
        CharacterVocabulary("aa")


def test_splits_are_consecutive_and_windows_cover_them():
    parts = split_by_position(np.arange(100), (0.8, 0.1, 0.1))
    assert [len(p) for p in parts.values()] == [80, 10, 10]
    np.testing.assert_array_equal(np.concatenate(list(parts.values())), np.arange(100))
    windows = sequence_windows(parts["train"], 7)
    assert windows.shape == (11, 7) and windows[1, 0] == 7 and windows[-1, -1] == 76
    assert sequence_windows(np.arange(10), 4, stride=2).shape == (4, 4)
    assert sequence_windows(np.arange(3), 4).shape == (0, 4)
    with pytest.raises(ValueError, match="summing to 1"):
        split_by_position(np.arange(10), (0.5, 0.2, 0.2))


def test_missing_austen_says_what_to_install(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="r-cran-janeaustenr"):
        austen_text(tmp_path / "Rdata.rdb")


def test_austen_windows_split_by_position_in_the_fixed_vocabulary(monkeypatch):
    from zoo.data import text

    fake = ("It is a truth universally acknowledged.\n" * 1000)[:40_000]
    monkeypatch.setattr(text, "austen_text", lambda path=None: fake)
    train, validation, test = (text.austen_windows(s, 100) for s in ("train", "validation", "test"))
    assert train.shape == (360, 100) and validation.shape == test.shape == (20, 100)
    assert train.dtype == np.int32
    both = text.austen_windows("train+validation", 100)
    np.testing.assert_array_equal(both, np.concatenate([train, validation]))
    vocabulary = CharacterVocabulary(text.AUSTEN_SYMBOLS)
    assert vocabulary.size == 81 and vocabulary.decode(test[-1]) == fake[-100:]
    with pytest.raises(ValueError, match="split must be"):
        text.austen_windows("dev")

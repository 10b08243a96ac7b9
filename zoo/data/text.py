r"""Character-level text data: Jane Austen's six novels, a character vocabulary, splits, windows.

The text: Jane Austen's six completed novels, "Sense and Sensibility" (1811), "Pride and
Prejudice" (1813), "Mansfield Park" (1814), "Emma" (1815), "Northanger Abbey" (1817) and
"Persuasion" (1817), about 3.95 million characters. The novels were published over two
hundred years ago and are in the public domain; the transcriptions are Project Gutenberg's
as packaged by Julia Silge's R package `janeaustenr` (MIT licence), which Debian ships as
`r-cran-janeaustenr`:

    apt-get install --no-install-recommends r-cran-janeaustenr

installs `/usr/lib/R/site-library/janeaustenr/data/Rdata.rdb` (an R lazy-load database,
read here by `zoo.data.rdata` without R; the package pulls in `r-base-core`). Nothing is
downloaded at run time.

`austen_text()` joins the novels in publication order: the lines of a novel with `"\n"`,
the novels with `"\n\n\n"` between them. `split_by_position` cuts an encoded text into
consecutive train / validation / test parts (by default the first 90%, the next 5%, the
last 5%, so the test text is the end of "Persuasion"); `sequence_windows` cuts a part into
fixed-length training examples for `zoo.models.RecurrentLanguageModel`.

#### Examples

```python
text = zoo.data.text.austen_text()
vocabulary = zoo.data.text.CharacterVocabulary.from_text(text)
parts = zoo.data.text.split_by_position(vocabulary.encode(text))
x = zoo.data.text.sequence_windows(parts["train"], 100)   # int32 [N, 100]
```

#### References
- Austen, J. (1811-1817). Six novels; Project Gutenberg e-texts 161, 1342, 141, 158, 121, 105.
- Silge, J. (2022). janeaustenr: Jane Austen's Complete Novels. R package version 1.0.0.
"""

import os
import pathlib

import numpy as np

from zoo.data.loading import DatasetNotFoundError
from zoo.data.rdata import read_lazyload_database

#: Where Debian's `r-cran-janeaustenr` installs the novels.
AUSTEN_DATABASE = pathlib.Path("/usr/lib/R/site-library/janeaustenr/data/Rdata.rdb")
#: The novels' object names in `janeaustenr`, in publication order.
AUSTEN_NOVELS = (
    "sensesensibility",
    "prideprejudice",
    "mansfieldpark",
    "emma",
    "northangerabbey",
    "persuasion",
)

#: The 81 distinct characters of `austen_text()`, in code-point order: the vocabulary of
#: the `lstm_austen` preset (`CharacterVocabulary(AUSTEN_SYMBOLS)`).
AUSTEN_SYMBOLS = (
    "\n !\"&'()*,-.0123456789:;?ABCDEFGHIJKLMNOPQRSTUVWXYZ[]_abcdefghijklmnopqrstuvwxyz\u00a3"
)
#: Shares of the Austen text, by position, of the training, validation and test parts.
AUSTEN_FRACTIONS = (0.9, 0.05, 0.05)


def austen_text(path=None) -> str:
    """Jane Austen's six novels as one string (publication order).

    Args:
        path: The `janeaustenr` database `Rdata.rdb`; default `$ZOO_AUSTEN_RDATA` if set,
            else Debian's install location `AUSTEN_DATABASE`.

    Returns:
        The text: lines joined with newlines, novels separated by two blank lines.

    Raises:
        DatasetNotFoundError: if the database is missing (says what to install).
    """
    path = pathlib.Path(path or os.environ.get("ZOO_AUSTEN_RDATA") or AUSTEN_DATABASE)
    if not path.exists():
        raise DatasetNotFoundError(
            f"Jane Austen's novels not found at {path}. Install Debian's package: "
            "apt-get install --no-install-recommends r-cran-janeaustenr "
            "(or point ZOO_AUSTEN_RDATA at janeaustenr's data/Rdata.rdb)."
        )
    novels = read_lazyload_database(path)
    return "\n\n\n".join("\n".join(line or "" for line in novels[name]) for name in AUSTEN_NOVELS)


class CharacterVocabulary:
    """A bijection between the characters of a text and the ids `0 .. size - 1`.

    Args:
        symbols: The characters, one per id (a string or a sequence of 1-character strings).

    Raises:
        ValueError: for repeated or multi-character symbols.
    """

    def __init__(self, symbols):
        self.symbols = "".join(symbols)
        if len(set(self.symbols)) != len(self.symbols) or len(self.symbols) != len(symbols):
            raise ValueError("symbols must be distinct single characters.")
        self._ids = {c: i for i, c in enumerate(self.symbols)}

    @classmethod
    def from_text(cls, text):
        """The vocabulary of every character in `text`, in code-point order."""
        return cls(sorted(set(text)))

    @property
    def size(self):
        """The number of symbols."""
        return len(self.symbols)

    def encode(self, text) -> np.ndarray:
        """Ids of the characters of `text`, int32 `[len(text)]`.

        Raises:
            ValueError: naming characters not in the vocabulary.
        """
        unknown = set(text) - self._ids.keys()
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {sorted(unknown)!r}.")
        return np.fromiter((self._ids[c] for c in text), np.int32, len(text))

    def decode(self, ids) -> str:
        """The text of a sequence of ids (any integer array)."""
        return "".join(self.symbols[int(i)] for i in np.ravel(ids))

    def get_config(self):
        return {"symbols": self.symbols}


def split_by_position(ids, fractions=(0.9, 0.05, 0.05)) -> dict:
    """Consecutive train / validation / test parts of a sequence (no shuffling).

    Args:
        ids: 1-D array (an encoded text).
        fractions: Shares of the three parts, in that order; they must sum to 1.

    Returns:
        `{"train": ..., "validation": ..., "test": ...}`, views of `ids`.

    Raises:
        ValueError: for fractions that are negative or do not sum to 1.
    """
    fractions = np.asarray(fractions, np.float64)
    if fractions.shape != (3,) or np.any(fractions < 0) or abs(fractions.sum() - 1) > 1e-9:
        raise ValueError(f"fractions must be 3 non-negative shares summing to 1; got {fractions}.")
    ids = np.asarray(ids)
    first, second = (np.cumsum(fractions[:2]) * len(ids)).astype(int)
    return {"train": ids[:first], "validation": ids[first:second], "test": ids[second:]}


def sequence_windows(ids, length, stride=None) -> np.ndarray:
    """Windows of `length` consecutive ids, `[N, length]` (a trailing remainder is dropped).

    Args:
        ids: 1-D array.
        length: Symbols per window.
        stride: Distance between window starts (default `length`: non-overlapping).

    Returns:
        Array `[N, length]` with `N = (len(ids) - length) // stride + 1` (0 if too short).
    """
    ids = np.asarray(ids)
    stride = stride or length
    count = max(0, (len(ids) - length) // stride + 1)
    starts = np.arange(count) * stride
    return ids[starts[:, None] + np.arange(length)[None, :]]


def austen_windows(split, length=256, path=None) -> np.ndarray:
    """Jane Austen's novels as character ids, cut into non-overlapping windows.

    The text (`austen_text`, encoded with `AUSTEN_SYMBOLS`) is split by position
    (`AUSTEN_FRACTIONS`: the first 90% train, the next 5% validation, the last 5% test, the
    end of "Persuasion"); each part is cut into windows of `length` characters.

    Args:
        split: `"train"`, `"validation"`, `"test"`, or `"train+validation"` (the first 95%,
            the validation windows last).
        length: Characters per window.
        path: The `janeaustenr` database (see `austen_text`).

    Returns:
        int32 array `[N, length]`.

    Raises:
        ValueError: for an unknown split.
        DatasetNotFoundError: if the novels are not installed.
    """
    if split not in ("train", "validation", "test", "train+validation"):
        raise ValueError(
            f"split must be 'train', 'validation', 'test' or 'train+validation'; got {split!r}."
        )
    parts = split_by_position(
        CharacterVocabulary(AUSTEN_SYMBOLS).encode(austen_text(path)), AUSTEN_FRACTIONS
    )
    return np.concatenate(
        [sequence_windows(parts[name], length) for name in split.split("+")]
    ).astype(np.int32)

r"""R's lazy-load databases (`data/Rdata.rdb` + `.rdx` of an installed R package), read in Python.

An installed R package keeps its data sets in a lazy-load database: the index `Rdata.rdx`
(a gzip-compressed serialized R list whose `variables` element maps each object's name to
its `(offset, length)` in the `.rdb` file) and `Rdata.rdb`, the objects one after another,
each a 4-byte big-endian uncompressed length, then (for R's compression types 2 and 3) a
type byte (`Z` raw LZMA2 as R's xz setting writes it, `2` bzip2, `1` zlib, `0` none) and
the compressed serialization (compression type 1: zlib, no type byte).

The serialization is R's XDR format (`X\n`, versions 2 and 3). This reader decodes the
types that data sets of character, numeric, integer and logical vectors and lists of them
use (with their attributes, such as `names`); anything else (functions, environments)
raises `ValueError`. Reading needs no R installation, only the files.

#### References
R Core Team. R Internals, section 1.8 "Serialization Formats" and the lazy-load database
(`tools:::makeLazyLoadDB`, `lazyLoadDBfetch`).
"""

import bz2
import gzip
import lzma
import pathlib
import struct
import zlib

import numpy as np

_NIL, _SYMBOL, _PAIRLIST, _CHAR = 254, 1, 2, 9
_LOGICAL, _INTEGER, _REAL, _STRING, _LIST = 10, 13, 14, 16, 19
_REFERENCE = 255
_NA_INTEGER = -(2**31)
_LZMA2_FILTERS = [{"id": lzma.FILTER_LZMA2, "preset": 9 | lzma.PRESET_EXTREME}]
_DECOMPRESS = {
    b"Z": lambda data: lzma.decompress(data, lzma.FORMAT_RAW, filters=_LZMA2_FILTERS),
    b"2": bz2.decompress,
    b"1": zlib.decompress,
}


class _Unserializer:
    """Decode one XDR-serialized R object."""

    def __init__(self, raw):
        if raw[:2] != b"X\n":
            raise ValueError(f"not an XDR R serialization (starts with {raw[:2]!r}).")
        self.raw, self.pos = raw, 2
        version = self.int()
        self.pos += 8  # writer's R version, minimal reader version
        if version == 3:
            encoding_length = self.int()
            self.pos += encoding_length  # the native encoding's name
        elif version != 2:
            raise ValueError(f"unsupported R serialization version {version}.")
        self.symbols = []

    def int(self):
        (value,) = struct.unpack_from(">i", self.raw, self.pos)
        self.pos += 4
        return value

    def array(self, dtype, length):
        size = np.dtype(dtype).itemsize * length
        values = np.frombuffer(self.raw, dtype, length, self.pos)
        self.pos += size
        return values

    def item(self):
        flags = self.int()
        kind, has_attributes, has_tag = flags & 0xFF, flags & (1 << 9), flags & (1 << 10)
        if kind == _NIL:
            return None
        if kind == _REFERENCE:
            return self.symbols[(flags >> 8) - 1]
        if kind == _SYMBOL:
            self.symbols.append(self.item())
            return self.symbols[-1]
        if kind == _PAIRLIST:
            return self.pairlist(has_attributes, has_tag)
        if kind == _CHAR:
            length = self.int()
            if length == -1:
                return None  # NA_character_
            text = self.raw[self.pos : self.pos + length].decode("utf-8", errors="replace")
            self.pos += length
            return text
        value = self.vector(kind)
        if has_attributes:
            attributes = self.item()
            names = attributes.get("names") if isinstance(attributes, dict) else None
            if names is not None and len(names) == len(value):
                return dict(zip(names, value, strict=True))
        return value

    def vector(self, kind):
        length = self.int()
        if kind == _STRING:
            return [self.item() for _ in range(length)]
        if kind == _LIST:
            return [self.item() for _ in range(length)]
        if kind == _REAL:
            return self.array(">f8", length).astype(np.float64)
        if kind in (_INTEGER, _LOGICAL):
            values = self.array(">i4", length).astype(np.int64)
            return np.where(values == _NA_INTEGER, -1, values) if kind == _LOGICAL else values
        raise ValueError(f"R object of SEXP type {kind} is not supported by this reader.")

    def pairlist(self, has_attributes, has_tag):
        """A pairlist (attributes, tagged lists) as a dict `tag -> value`."""
        result = {}
        while True:
            if has_attributes:
                self.item()
            tag = self.item() if has_tag else str(len(result))
            result[tag] = self.item()
            flags = self.int()
            if flags & 0xFF == _NIL:
                return result
            if flags & 0xFF != _PAIRLIST:
                raise ValueError("malformed pairlist in R serialization.")
            has_attributes, has_tag = flags & (1 << 9), flags & (1 << 10)


def unserialize(raw: bytes):
    """Decode an XDR-serialized R object into Python values.

    Args:
        raw: The uncompressed serialization (`serialize(x, NULL)` in R).

    Returns:
        Character vectors as lists of `str` (NA as None), numeric / integer / logical
        vectors as numpy arrays, lists as Python lists, named vectors and lists as dicts.

    Raises:
        ValueError: for another format or an unsupported object type.
    """
    return _Unserializer(raw).item()


def read_lazyload_database(path) -> dict:
    """Every object of an R lazy-load database, by name.

    Args:
        path: The `.rdb` file (its `.rdx` index must sit beside it), e.g.
            `/usr/lib/R/site-library/janeaustenr/data/Rdata.rdb`.

    Returns:
        `{name: value}` decoded as by `unserialize`.

    Raises:
        FileNotFoundError: if either file is missing.
        ValueError: for a malformed or unsupported database.

    #### Examples

    ```python
    books = read_lazyload_database("/usr/lib/R/site-library/janeaustenr/data/Rdata.rdb")
    books["emma"][:2]
    # ==> ['EMMA', '']
    ```
    """
    path = pathlib.Path(path)
    index = unserialize(gzip.decompress(path.with_suffix(".rdx").read_bytes()))
    compression = int(np.ravel(index.get("compressed", [1]))[0])
    database = path.read_bytes()
    objects = {}
    for name, (offset, length) in index["variables"].items():
        chunk = database[int(offset) : int(offset) + int(length)]
        (size,) = struct.unpack(">I", chunk[:4])
        if compression <= 1:
            raw = zlib.decompress(chunk[4:])
        elif chunk[4:5] == b"0":
            raw = chunk[5:]
        elif chunk[4:5] in _DECOMPRESS:
            raw = _DECOMPRESS[chunk[4:5]](chunk[5:])
        else:
            raise ValueError(f"{path}: unknown compression type {chunk[4:5]!r} for {name!r}.")
        if len(raw) != size:
            raise ValueError(f"{path}: {name!r} decompressed to {len(raw)} bytes, not {size}.")
        objects[name] = unserialize(raw)
    return objects

"""The IDX file format of MNIST and Fashion-MNIST: read and write numpy arrays.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of
dimensions), one big-endian int32 per dimension, then the values in big-endian C order.
Files whose name ends in `.gz` are gzip-compressed; `read_idx` recognizes gzip by its
magic bytes, whatever the name.

#### References
LeCun, Cortes and Burges (1998). The MNIST database of handwritten digits (file format).
"""

import gzip
import pathlib

import numpy as np

_GZIP_MAGIC = b"\x1f\x8b"
_TYPE_CODES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODE_OF_KIND = {(dtype.kind, dtype.itemsize): code for code, dtype in _TYPE_CODES.items()}


def read_idx(path) -> np.ndarray:
    """Read an IDX file (gzipped or not) into a writable numpy array.

    Args:
        path: Path of the file.

    Returns:
        The array, with the file's shape and its dtype in native byte order (`uint8` for
        MNIST images and labels).

    Raises:
        ValueError: if the file is not IDX (bad magic number, unknown type code) or its
            size does not match the shape in its header (a truncated download).

    #### Examples

    ```python
    images = read_idx("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
    images.shape, images.dtype
    # ==> ((60000, 28, 28), dtype('uint8'))
    ```
    """
    path = pathlib.Path(path)
    raw = path.read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _TYPE_CODES:
        raise ValueError(
            f"{path} is not an IDX file: its magic number is {raw[:4].hex()!r}, expected "
            "0000 followed by a type code in "
            f"{sorted(hex(code) for code in _TYPE_CODES)} and the number of dimensions."
        )
    dtype, ndim = _TYPE_CODES[raw[2]], raw[3]
    header_size = 4 + 4 * ndim
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">i4", count=ndim, offset=4))
    expected = header_size + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(
            f"{path} holds {len(raw)} bytes but its IDX header (shape {shape}, "
            f"{dtype.name}) needs {expected}: the file is truncated or corrupt; "
            "download it again."
        )
    values = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    return values.astype(dtype.newbyteorder("="))


def write_idx(path, array) -> pathlib.Path:
    """Write a numpy array as an IDX file, gzip-compressed when `path` ends in `.gz`.

    Args:
        path: Path of the file to write (its folder must exist).
        array: Array of dtype uint8, int8, int16, int32, float32 or float64 with at most 255
            dimensions.

    Returns:
        The path written, as a `pathlib.Path`.

    Raises:
        ValueError: for a dtype IDX cannot hold (for example int64: cast it first).

    #### Examples

    ```python
    write_idx("labels-idx1-ubyte.gz", np.array([3, 1, 4], np.uint8))
    # ==> PosixPath('labels-idx1-ubyte.gz')
    ```
    """
    path = pathlib.Path(path)
    array = np.asarray(array)
    code = _CODE_OF_KIND.get((array.dtype.kind, array.dtype.itemsize))
    if code is None or array.ndim > 255:
        raise ValueError(
            f"IDX holds arrays of dtype uint8, int8, int16, int32, float32 or float64 with "
            f"at most 255 dimensions; got {array.dtype} with {array.ndim} dimensions."
        )
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">i4").tobytes()
    payload = header + np.ascontiguousarray(array, dtype=_TYPE_CODES[code]).tobytes()
    if path.name.endswith(".gz"):
        payload = gzip.compress(payload, compresslevel=6)
    path.write_bytes(payload)
    return path

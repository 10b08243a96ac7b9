"""IDX reader and writer: round trips on files the test writes, header layout, bad files."""

import gzip

import numpy as np
import pytest

from zoo.data.idx import read_idx, write_idx


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "float32", "float64"])
@pytest.mark.parametrize("name", ["array-idx", "array-idx.gz"])
def test_round_trip(tmp_path, dtype, name):
    rng = np.random.default_rng(0)
    array = (rng.normal(size=(3, 5, 4)) * 50).astype(dtype)
    back = read_idx(write_idx(tmp_path / name, array))
    assert back.dtype == np.dtype(dtype)  # native byte order, same kind
    np.testing.assert_array_equal(back, array)
    back[0, 0, 0] = 1  # writable, not a view of a bytes buffer


def test_round_trip_of_vectors_and_scalars_shapes(tmp_path):
    for array in (np.arange(7, dtype=np.uint8), np.zeros((2, 0, 3), np.int32)):
        np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "a", array)), array)
        assert read_idx(tmp_path / "a").shape == array.shape


def test_header_is_the_mnist_layout(tmp_path):
    images = np.zeros((5, 28, 28), np.uint8)
    raw = write_idx(tmp_path / "images-idx3-ubyte", images).read_bytes()
    # magic 0x00000803 (unsigned byte, 3 dims), then the dims as big-endian int32.
    assert raw[:4] == bytes([0, 0, 0x08, 3])
    assert np.frombuffer(raw[4:16], ">i4").tolist() == [5, 28, 28]
    assert len(raw) == 16 + images.size


def test_gzip_is_recognized_by_content_and_written_by_suffix(tmp_path):
    array = np.arange(12, dtype=np.int16).reshape(3, 4)
    written = write_idx(tmp_path / "a-idx2.gz", array)
    assert written.read_bytes()[:2] == b"\x1f\x8b"
    renamed = tmp_path / "no-suffix"
    renamed.write_bytes(written.read_bytes())
    np.testing.assert_array_equal(read_idx(renamed), array)
    big_endian = gzip.decompress(written.read_bytes())[12:]  # 4 + 4 * ndim bytes
    assert np.frombuffer(big_endian, ">i2").tolist() == list(range(12))


def test_truncated_file_is_rejected(tmp_path):
    path = write_idx(tmp_path / "a", np.zeros((4, 4), np.uint8))
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(ValueError, match="truncated"):
        read_idx(path)


def test_non_idx_file_is_rejected(tmp_path):
    path = tmp_path / "a"
    path.write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(path)


def test_unsupported_dtype_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="int64"):
        write_idx(tmp_path / "a", np.zeros(3, np.int64))

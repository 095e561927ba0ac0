"""The numpy safetensors reader: F32, F16 and BF16 as float32, integer buffers skipped, and
every malformed file refused with a message saying what is wrong."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from orban_platform.embedding.safetensors_np import SafetensorsError, load_safetensors
from tests.unit.orban_platform.embedding_helpers import write_safetensors

VALUES = np.array([[0.0, -1.5, 2.25], [1e-3, 65504.0, -0.1]], dtype=np.float32)


@pytest.mark.parametrize(("dtype", "tolerance"), [("F32", 0.0), ("F16", 1e-3), ("BF16", 1e-2)])
def test_float_tensors_come_back_as_float32(tmp_path: Path, dtype: str, tolerance: float) -> None:
    write_safetensors(tmp_path / "w.safetensors", {"a.weight": VALUES, "b": VALUES[0]}, dtype)
    tensors = load_safetensors(tmp_path / "w.safetensors")
    assert set(tensors) == {"a.weight", "b"}
    assert tensors["a.weight"].dtype == np.float32 and tensors["a.weight"].shape == (2, 3)
    assert np.allclose(tensors["a.weight"], VALUES, rtol=tolerance, atol=1e-6)
    assert tensors["b"].flags.writeable  # a copy, not a view of the mapped file


def raw_file(path: Path, header: object, data: bytes = b"", length: int | None = None) -> Path:
    encoded = json.dumps(header).encode()
    size = len(encoded) if length is None else length
    path.write_bytes(struct.pack("<Q", size) + encoded + data)
    return path


def test_integer_buffers_are_skipped(tmp_path: Path) -> None:
    header = {"position_ids": {"dtype": "I64", "shape": [1, 2], "data_offsets": [0, 16]}}
    assert load_safetensors(raw_file(tmp_path / "w", header, bytes(16))) == {}


@pytest.mark.parametrize(
    ("header", "data", "length", "message"),
    [
        ({}, b"", 10**9, "declares a header of"),
        ([1, 2], b"", None, "not a JSON object"),
        (
            {"t": {"dtype": "F64X", "shape": [1], "data_offsets": [0, 8]}},
            bytes(8),
            None,
            "dtype F64X",
        ),
        ({"t": {"dtype": "F32", "shape": [4], "data_offsets": [0, 8]}}, bytes(8), None, "outside"),
        ({"t": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, bytes(8), None, "outside"),
        ({"t": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, bytes(4), None, "shape"),
        (
            {"t": {"dtype": "F32", "shape": [1], "data_offsets": [0]}},
            bytes(4),
            None,
            "data_offsets",
        ),
        ({"t": "F32"}, b"", None, "no dtype/shape"),
    ],
)
def test_malformed_files_are_refused(
    tmp_path: Path, header: object, data: bytes, length: int | None, message: str
) -> None:
    with pytest.raises(SafetensorsError, match=message):
        load_safetensors(raw_file(tmp_path / "w", header, data, length))


def test_a_file_too_short_or_not_json_is_refused(tmp_path: Path) -> None:
    (tmp_path / "short").write_bytes(b"abc")
    with pytest.raises(SafetensorsError, match="too short"):
        load_safetensors(tmp_path / "short")
    (tmp_path / "text").write_bytes(struct.pack("<Q", 4) + b"\xff{x}")
    with pytest.raises(SafetensorsError, match="not JSON"):
        load_safetensors(tmp_path / "text")

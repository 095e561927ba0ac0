"""The runner manifest's .npy string, read without numpy: what numpy writes, and what is refused."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from orban_desktop.compute.npy_text import read_npy_text


def npy(array: np.ndarray, version: tuple[int, int] | None = None) -> io.BytesIO:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, version=version, allow_pickle=True)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize("version", [None, (1, 0), (2, 0), (3, 0)])
@pytest.mark.parametrize(
    "text", ["", '{"rows": 3}', json.dumps({"device_name": "Ryzen™ 9 — 中文"})]
)
def test_what_numpy_writes_reads_back_as_the_same_string(
    text: str, version: tuple[int, int] | None
) -> None:
    assert read_npy_text(npy(np.array(text), version), 1 << 20) == str(np.array(text))


def test_a_big_endian_string_reads_too() -> None:
    assert read_npy_text(npy(np.array("abc").astype(">U3")), 1 << 20) == "abc"


@pytest.mark.parametrize(
    ("array", "fragment"),
    [
        (np.zeros((3, 4), np.float32), "not a 0-d unicode array"),
        (np.array(["a", "b"]), "not a 0-d unicode array"),
        (np.array(b"bytes"), "not a 0-d unicode array"),
        (np.array({"a": 1}, dtype=object), "not a 0-d unicode array"),
    ],
)
def test_other_arrays_are_refused(array: np.ndarray, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        read_npy_text(npy(array), 1 << 20)


def test_hostile_or_broken_files_are_refused() -> None:
    whole = npy(np.array("x" * 100)).getvalue()
    with pytest.raises(ValueError, match=r"not a \.npy"):
        read_npy_text(io.BytesIO(b"PK\x03\x04 a zip"), 1 << 20)
    with pytest.raises(ValueError, match="cut short"):
        read_npy_text(io.BytesIO(whole[:-10]), 1 << 20)
    with pytest.raises(ValueError, match="too large"):
        read_npy_text(io.BytesIO(whole), 100)  # 400 bytes of UTF-32
    code = b"__import__('os').system('touch /tmp/owned')\n"
    evil = b"\x93NUMPY\x01\x00" + len(code).to_bytes(2, "little") + code
    with pytest.raises(ValueError, match="header is unreadable"):
        read_npy_text(io.BytesIO(evil), 1 << 20)
    with pytest.raises(ValueError, match="version"):
        read_npy_text(io.BytesIO(b"\x93NUMPY\x09\x00" + whole[8:]), 1 << 20)

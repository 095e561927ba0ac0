"""Reading a runner's ``.npz`` result that may be hostile: bounded, with no pickles.

:func:`read_runner_npz` opens the upload as a zip, checks it holds exactly ``embeddings.npy``,
``ids.npy`` and ``manifest.npy``, stored or deflated and not encrypted, and reads each
member's ``.npy`` header before any data: no Python objects, and declared sizes within what
the job's row count allows (a float64 matrix of the right shape still fits, so the check can
say what is wrong with it). Only then are the arrays read, with ``numpy.load(...,
allow_pickle=False)``. A zip member never yields more than the size it declares, so a zip bomb
stops there. Every problem becomes a :class:`ResultFileError` whose message says what is
wrong. Imports numpy only; blocking file reading.
"""

from __future__ import annotations

import math
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
from numpy.lib import format as npy_format

MEMBERS = ("embeddings.npy", "ids.npy", "manifest.npy")
MAX_ID_CHARS = 200
MAX_MANIFEST_CHARS = 64 * 1024
_SLACK_BYTES = 64 * 1024
_HEADER_READERS = {
    (1, 0): npy_format.read_array_header_1_0,
    (2, 0): npy_format.read_array_header_2_0,
}
#: What opening a hostile zip or .npy can raise (beside ResultFileError).
_READ_ERRORS = (
    OSError,
    ValueError,
    EOFError,
    KeyError,
    RuntimeError,  # encrypted members, RecursionError
    NotImplementedError,  # compression methods
    OverflowError,
    MemoryError,
    TypeError,
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
)


class ResultFileError(ValueError):
    """The upload is not a readable runner result (the message says why)."""


@dataclass(frozen=True)
class RunnerArrays:
    """The three arrays of a runner result, read but not yet judged."""

    embeddings: npt.NDArray[Any]
    ids: npt.NDArray[Any]
    manifest: npt.NDArray[Any]


def member_limits(rows: int, dim: int) -> dict[str, int]:
    """The most data bytes each member may declare for a job of ``rows`` × ``dim``."""
    return {
        "embeddings.npy": rows * dim * 8,
        "ids.npy": rows * 4 * MAX_ID_CHARS,
        "manifest.npy": 4 * MAX_MANIFEST_CHARS,
    }


def _check_header(name: str, member: IO[bytes], limit: int) -> None:
    version = npy_format.read_magic(member)
    reader = _HEADER_READERS.get(version)
    if reader is None:
        raise ResultFileError(f"{name} is .npy version {version}, not one numpy.savez writes")
    shape, _fortran, dtype = reader(member)
    if dtype.hasobject:
        raise ResultFileError(f"{name} holds Python objects, which are refused")
    if math.prod(shape) * dtype.itemsize > limit:
        raise ResultFileError(f"{name} declares {dtype.str} {shape}, larger than the job allows")


def _check_archive(path: Path, limits: dict[str, int]) -> None:
    size = path.stat().st_size
    if size > sum(limits.values()) + _SLACK_BYTES:
        raise ResultFileError(f"the file is {size} bytes, more than the job's rows can take")
    with open(path, "rb") as handle:
        if handle.read(4) != b"PK\x03\x04":
            raise ResultFileError("the file is not a zip archive (numpy.savez writes one)")
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        if sorted(info.filename for info in infos) != sorted(MEMBERS):
            found = sorted(info.filename for info in infos)[:5]
            raise ResultFileError(f"it holds {found}, not embeddings, ids and manifest")
        for info in infos:
            if info.flag_bits & 0x1:
                raise ResultFileError(f"{info.filename} is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ResultFileError(f"{info.filename} uses an unsupported compression")
            if info.file_size > limits[info.filename] + _SLACK_BYTES:
                raise ResultFileError(f"{info.filename} is larger than the job allows")
            with archive.open(info) as member:
                _check_header(info.filename, member, limits[info.filename])


def read_runner_npz(path: Path, *, rows: int, dim: int) -> RunnerArrays:
    """The arrays of ``path`` once its structure and sizes are safe to read.

    Raises:
        ResultFileError: Not a zip, other members, objects, sizes beyond the job, bad data.
    """
    limits = member_limits(rows, dim)
    try:
        _check_archive(path, limits)
        with np.load(path, allow_pickle=False) as npz:
            return RunnerArrays(
                embeddings=npz["embeddings"], ids=npz["ids"], manifest=npz["manifest"]
            )
    except ResultFileError:
        raise
    except _READ_ERRORS as exc:
        raise ResultFileError(str(exc) or type(exc).__name__) from exc

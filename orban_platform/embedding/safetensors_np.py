"""A small reader of the safetensors format with numpy: a model's weights, by name, as float32.

The format: an unsigned 64-bit little-endian header length, a JSON header ``{name: {"dtype",
"shape", "data_offsets": [begin, end]}}`` (plus an optional ``__metadata__`` of strings), then
the raw little-endian tensor bytes, offsets counted from the end of the header. F32, F16 and
BF16 tensors are read and converted to float32 (integer buffers such as BERT's
``position_ids`` are skipped: a forward pass needs none); anything malformed is refused with
:class:`SafetensorsError` naming the problem. The file is memory-mapped and each tensor copied
out, so nothing stays tied to the file. Imports numpy only; blocking file reading.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

MAX_HEADER_BYTES = 100 * 1024 * 1024
_FLOAT_DTYPES: dict[str, np.dtype[Any]] = {
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "BF16": np.dtype("<u2"),  # the upper 16 bits of a float32
}
#: Non-float dtypes a checkpoint may carry (``position_ids``): skipped, the model needs none.
_SKIPPED_DTYPES = frozenset({"F64", "I64", "I32", "I16", "I8", "U64", "U32", "U16", "U8", "BOOL"})


class SafetensorsError(ValueError):
    """The file is not a safetensors file this reader can use."""


def _as_float32(raw: npt.NDArray[Any], dtype: str) -> npt.NDArray[np.float32]:
    if dtype == "BF16":
        return (raw.astype(np.uint32) << 16).view(np.float32)
    return raw.astype(np.float32)  # a copy, also for F32: nothing stays mapped


def _entry(name: str, entry: object) -> tuple[str, list[int], int, int]:
    """The dtype, shape and offsets of one header entry, checked."""
    if not isinstance(entry, dict):
        raise SafetensorsError(f"tensor {name!r} has no dtype/shape/data_offsets object")
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if not isinstance(dtype, str):
        raise SafetensorsError(f"tensor {name!r} has no dtype")
    if not isinstance(shape, list) or not all(
        isinstance(size, int) and not isinstance(size, bool) and size >= 0 for size in shape
    ):
        raise SafetensorsError(f"tensor {name!r} has a shape that is not a list of sizes")
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(isinstance(value, int) and not isinstance(value, bool) for value in offsets)
    ):
        raise SafetensorsError(f"tensor {name!r} has data_offsets that are not [begin, end]")
    return dtype, shape, offsets[0], offsets[1]


def load_safetensors(path: Path) -> dict[str, npt.NDArray[np.float32]]:
    """Every floating-point tensor of ``path``, as float32 arrays of their declared shapes.

    Raises:
        SafetensorsError: A bad header, an unknown dtype, or offsets outside the data.
        OSError: The file cannot be read.
    """
    size = path.stat().st_size
    if size < 8:
        raise SafetensorsError(f"{path.name} is too short to be a safetensors file")
    data = np.memmap(path, dtype=np.uint8, mode="r")
    (length,) = struct.unpack("<Q", bytes(data[:8]))
    if not 2 <= length <= min(MAX_HEADER_BYTES, size - 8):
        raise SafetensorsError(f"{path.name} declares a header of {length} bytes")
    try:
        header = json.loads(bytes(data[8 : 8 + length]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SafetensorsError(f"{path.name} has a header that is not JSON: {exc}") from exc
    if not isinstance(header, dict):
        raise SafetensorsError(f"{path.name} has a header that is not a JSON object")
    body = data[8 + length :]
    tensors: dict[str, npt.NDArray[np.float32]] = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype, shape, begin, end = _entry(name, entry)
        if dtype in _SKIPPED_DTYPES:
            continue
        item = _FLOAT_DTYPES.get(dtype)
        if item is None:
            raise SafetensorsError(
                f"tensor {name!r} has dtype {dtype}; this reader takes F32/F16/BF16"
            )
        if not 0 <= begin <= end <= body.size or end - begin != math.prod(shape) * item.itemsize:
            raise SafetensorsError(f"tensor {name!r} lies outside the file's data")
        raw = np.frombuffer(body[begin:end], dtype=item).reshape(shape)
        tensors[name] = _as_float32(raw, dtype)
    del data, body
    return tensors

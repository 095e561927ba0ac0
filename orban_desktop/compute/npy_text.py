"""Reading the one string a runner stores as a 0-d unicode ``.npy`` (its manifest), without numpy.

The runner writes its manifest into the result ``.npz`` as ``np.array(json.dumps(...))``: a
0-d array of dtype ``<U<n>``. The agent needs only that string, and importing numpy for it cost
the desktop app ~10 MB for good, so :func:`read_npy_text` reads the format itself: the magic,
the version (1, 2 or 3), the header (a Python literal, read with :func:`ast.literal_eval`, which
evaluates no code) and then ``n`` UTF-32 code units, trailing NULs dropped as numpy does. Any
other array (another dtype, a shape, pickled objects) is refused. Standard library only.
"""

from __future__ import annotations

import ast
import re
import struct
from typing import IO

MAGIC = b"\x93NUMPY"
_UNICODE = re.compile(r"([<>])U(\d+)")


def read_npy_text(stream: IO[bytes], max_bytes: int) -> str:
    """The string stored in the 0-d unicode ``.npy`` read from ``stream``.

    Raises:
        ValueError: Not a ``.npy``, not a 0-d unicode array, larger than ``max_bytes``, or cut
            short.
    """
    prefix = stream.read(len(MAGIC) + 2)
    if len(prefix) < len(MAGIC) + 2 or not prefix.startswith(MAGIC):
        raise ValueError("not a .npy array")
    major = prefix[len(MAGIC)]
    if major not in (1, 2, 3):
        raise ValueError(f"unknown .npy version {major}")
    size_format = "<H" if major == 1 else "<I"
    header_size = struct.unpack(size_format, _exactly(stream, struct.calcsize(size_format)))[0]
    if header_size > max_bytes:
        raise ValueError("the .npy header is too large")
    header_text = _exactly(stream, header_size).decode("utf-8" if major == 3 else "latin-1")
    try:
        header = ast.literal_eval(header_text.strip())
    except (ValueError, SyntaxError) as exc:
        raise ValueError("the .npy header is unreadable") from exc
    if not isinstance(header, dict) or set(header) != {"descr", "fortran_order", "shape"}:
        raise ValueError("the .npy header is not an array header")
    match = _UNICODE.fullmatch(str(header["descr"]))
    if match is None or header["shape"] != ():
        raise ValueError(f"not a 0-d unicode array (dtype {header['descr']!r})")
    data_size = 4 * int(match.group(2))
    if data_size > max_bytes:
        raise ValueError("the .npy string is too large")
    encoding = "utf-32-le" if match.group(1) == "<" else "utf-32-be"
    try:
        text = _exactly(stream, data_size).decode(encoding)
    except UnicodeDecodeError as exc:
        raise ValueError("the .npy string is not valid text") from exc
    return text.rstrip("\x00")


def _exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise ValueError("the .npy array is cut short")
    return data

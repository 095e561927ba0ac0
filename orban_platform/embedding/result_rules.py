"""The pieces of an embedding result's check that need no file: cosines, copies, manifest fields.

:func:`copied_rows` hashes every row (rounded to 1e-4) to find one vector given for two
different inputs; :func:`near_copies` compares each sampled row with every row (cosine above
0.99999). Rows count as different only when their token ids differ: two texts that differ in
case, or long texts cut to the same first tokens, rightly get the same vector. The manifest
readers take only well-formed values. Imports numpy and the reference's type only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from orban_platform.embedding.reference import ReferenceEncoder

NEAR_COPY_COSINE = 0.99999
_MAX_DEVICE_CHARS = 100


def cosines(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """Row by row cosine of two (N, D) arrays, in float64 (0 where a row is all zeros)."""
    left, right = a.astype(np.float64), b.astype(np.float64)
    norms = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1)
    dots = np.einsum("ij,ij->i", left, right)
    result: npt.NDArray[np.float64] = np.divide(
        dots, norms, out=np.zeros_like(dots), where=norms > 0
    )
    return result


def _first_different(
    rows: Sequence[int], texts: Sequence[str], encoder: ReferenceEncoder, max_length: int
) -> tuple[int, int] | None:
    """Two of ``rows`` whose texts the model sees differently, if any."""
    distinct = {texts[row]: row for row in reversed(rows)}
    if len(distinct) < 2:
        return None
    tokens = dict(
        zip(distinct, map(tuple, encoder.token_ids(list(distinct), max_length)), strict=True)
    )
    first = rows[0]
    for row in rows[1:]:
        if tokens[texts[row]] != tokens[texts[first]]:
            return first, row
    return None


def copied_rows(
    vectors: npt.NDArray[np.float32],
    texts: Sequence[str],
    encoder: ReferenceEncoder,
    max_length: int,
) -> tuple[int, int] | None:
    """Two rows holding the same (rounded) vector for inputs the model sees differently."""
    rounded = np.round(vectors, 4) + np.float32(0.0)  # -0.0 becomes 0.0
    groups: dict[bytes, list[int]] = {}
    for row in range(len(rounded)):
        groups.setdefault(rounded[row].tobytes(), []).append(row)
    for members in groups.values():
        if len(members) > 1:
            pair = _first_different(members, texts, encoder, max_length)
            if pair is not None:
                return pair
    return None


def near_copies(
    vectors: npt.NDArray[np.float32],
    sampled: Sequence[int],
    texts: Sequence[str],
    encoder: ReferenceEncoder,
    max_length: int,
) -> tuple[int, int] | None:
    """A sampled row and another row at cosine above 0.99999 for different inputs."""
    norms = np.linalg.norm(vectors, axis=1)
    norms[norms == 0] = 1.0
    similar = (vectors[list(sampled)] @ vectors.T) / norms[list(sampled), None] / norms[None, :]
    similar[np.arange(len(sampled)), list(sampled)] = 0.0
    for index, other in np.argwhere(similar > NEAR_COPY_COSINE).tolist():
        pair = _first_different([sampled[index], other], texts, encoder, max_length)
        if pair is not None:
            return min(pair), max(pair)
    return None


def manifest_device(manifest: Mapping[str, object]) -> str | None:
    """The manifest's ``device`` when it is a short non-empty string."""
    device = manifest.get("device")
    return device if isinstance(device, str) and 0 < len(device) <= _MAX_DEVICE_CHARS else None


def manifest_seconds(manifest: Mapping[str, object]) -> float | None:
    """The manifest's ``infer_s`` when it is a finite number ≥ 0."""
    value = manifest.get("infer_s")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    seconds = float(value)
    return seconds if math.isfinite(seconds) and seconds >= 0 else None

"""Checking an embedding result the platform did not compute: shape, ids, sampled rows, canaries.

Floating-point work is not bit-identical across GPUs, so a result is checked, not compared: it
must be a ``.npz`` (read with ``allow_pickle=False``, its member headers checked before any
array is read) holding float32 ``embeddings`` of N rows × the model's dimension, ``ids`` equal
to the input's, a JSON ``manifest``; every value finite; every row of unit length when the model
normalises; no two rows of different texts the same vector; every planted canary row within
tolerance of the vector the platform knows; and a random sample of ``max(min_sample,
ceil(fraction × N))`` other rows, recomputed with the platform's own reference, within tolerance
(cosine ≥ 0.999 for fp32, ≥ 0.99 for fp16/bf16). Blocking numpy work: run it in a thread.
"""

from __future__ import annotations

import json
import math
import random
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib import format as npy_format

from orban_desktop.local_platform.embedding.reference import ReferenceEncoder

TOLERANCE = {"fp32": 0.999, "fp16": 0.99, "bf16": 0.99}
_MEMBERS = {"embeddings.npy", "ids.npy", "manifest.npy"}
_MANIFEST_MAX = 1 << 20


@dataclass(frozen=True)
class EmbeddingVerdict:
    """What the check found; ``ok`` with ``reason`` ``None``, or the one reason it failed."""

    ok: bool
    reason: str | None
    rows: int = 0
    sampled_rows: tuple[int, ...] = ()
    min_cosine: float | None = None
    manifest: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def device(self) -> str | None:
        return None if self.manifest is None else str(self.manifest.get("device", "")) or None

    @property
    def infer_s(self) -> float | None:
        value = None if self.manifest is None else self.manifest.get("infer_s")
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value) if math.isfinite(value) and value >= 0 else None


def detection_probability(n_rows: int, k_wrong: int, sample: int) -> float:
    """The chance a uniform sample of ``sample`` of ``n_rows`` rows hits one of ``k_wrong``."""
    sample = min(sample, n_rows)
    if k_wrong <= 0:
        return 0.0
    if n_rows - k_wrong < sample:
        return 1.0
    return 1.0 - math.comb(n_rows - k_wrong, sample) / math.comb(n_rows, sample)


def sample_size(n_rows: int, fraction: float, minimum: int) -> int:
    return min(n_rows, max(minimum, math.ceil(fraction * n_rows)))


def _read_arrays(path: Path, rows: int, dim: int) -> dict[str, Any]:
    """The three arrays, after checking each member's header (no pickles, bounded sizes)."""
    limits = {
        "embeddings.npy": rows * dim * 4,
        "ids.npy": rows * 4 * 256,
        "manifest.npy": _MANIFEST_MAX,
    }
    arrays: dict[str, Any] = {}
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if names != _MEMBERS:
            raise ValueError(f"it holds {sorted(names)}, not embeddings, ids and manifest")
        for name in sorted(_MEMBERS):
            if archive.getinfo(name).file_size > limits[name] + 4096:
                raise ValueError(f"{name} is larger than {rows} rows can be")
            with archive.open(name) as member:
                version = npy_format.read_magic(member)
                read_header = (
                    npy_format.read_array_header_1_0
                    if version == (1, 0)
                    else npy_format.read_array_header_2_0
                )
                shape, _order, dtype = read_header(member)
                if dtype.hasobject:
                    raise ValueError(f"{name} holds Python objects")
                if math.prod(shape) * dtype.itemsize > limits[name]:
                    raise ValueError(f"{name} declares {shape}, more than {rows} rows")
            with archive.open(name) as member:
                arrays[name.removesuffix(".npy")] = np.load(member, allow_pickle=False)
    return arrays


def check_embedding_result(
    path: Path,
    *,
    ids: Sequence[str],
    texts: Sequence[str],
    encoder: ReferenceEncoder,
    precision: str,
    max_length: int,
    canaries: Mapping[int, Any],
    rng: random.Random,
    sample_fraction: float = 0.02,
    min_sample: int = 4,
) -> EmbeddingVerdict:
    """Check one uploaded result against the job it answers (see the module docstring)."""
    rows, dim = len(ids), encoder.dim
    try:
        arrays = _read_arrays(path, rows, dim)
        manifest = json.loads(str(arrays["manifest"]))
        if not isinstance(manifest, dict):
            raise ValueError("the manifest is not a JSON object")
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        return EmbeddingVerdict(False, f"not a valid .npz result: {exc}")
    vectors, got_ids = arrays["embeddings"], arrays["ids"]

    def fail(reason: str, **extra: Any) -> EmbeddingVerdict:
        return EmbeddingVerdict(False, reason, rows, manifest=manifest, **extra)

    if vectors.dtype != np.float32 or vectors.ndim != 2:
        return fail(f"embeddings must be a float32 matrix, not {vectors.dtype} {vectors.shape}")
    if vectors.shape[0] != rows:
        return fail(f"row count {vectors.shape[0]}, expected {rows}")
    if vectors.shape[1] != dim:
        return fail(f"dimension {vectors.shape[1]}, expected {dim}")
    if got_ids.shape != (rows,) or got_ids.dtype.kind != "U" or list(got_ids) != list(ids):
        return fail("ids do not match the input's ids, in order")
    if not np.isfinite(vectors).all():
        return fail("embeddings contain NaN or infinite values")
    if encoder.normalize:
        norms = np.linalg.norm(vectors, axis=1)
        worst = int(np.argmax(np.abs(norms - 1.0)))
        if abs(float(norms[worst]) - 1.0) > 1e-3:
            return fail(f"row {worst} has length {float(norms[worst]):.4f}; this model gives 1")
    copies = _copied_rows(vectors, texts)
    if copies is not None:
        return fail(f"rows {copies[0]} and {copies[1]} are the same vector for different texts")
    threshold = TOLERANCE.get(precision, TOLERANCE["fp16"])
    worst_cosine = 1.0
    for row, known in sorted(canaries.items()):
        cosine = _cosine(vectors[row], np.asarray(known))
        worst_cosine = min(worst_cosine, cosine)
        if cosine < threshold:
            return fail(f"row {row} has cosine {cosine:.4f} to the known answer (< {threshold})")
    others = [row for row in range(rows) if row not in canaries]
    chosen = sorted(rng.sample(others, sample_size(len(others), sample_fraction, min_sample)))
    reference = encoder.encode([texts[row] for row in chosen], max_length=max_length)
    for row, expected in zip(chosen, reference, strict=True):
        cosine = _cosine(vectors[row], expected)
        worst_cosine = min(worst_cosine, cosine)
        if cosine < threshold:
            return fail(
                f"row {row} has cosine {cosine:.4f} to the platform's own result (< {threshold})",
                sampled_rows=tuple(chosen),
                min_cosine=cosine,
            )
    return EmbeddingVerdict(True, None, rows, tuple(chosen), worst_cosine, manifest)


def _cosine(a: Any, b: Any) -> float:
    denominator = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b)) / denominator if denominator > 0 else 0.0


def _copied_rows(vectors: Any, texts: Sequence[str]) -> tuple[int, int] | None:
    """Two rows of different texts with the same vector (rounded), if any."""
    first: dict[bytes, int] = {}
    for row, key in enumerate(np.round(vectors, 5).tobytes() for vectors in vectors):
        if key in first and texts[first[key]] != texts[row]:
            return first[key], row
        first.setdefault(key, row)
    return None

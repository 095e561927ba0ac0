"""Checking an embedding result the platform did not compute: form, ids, canaries, copies, a sample.

Floating-point work is not bit-identical across GPUs, so a result is checked, not compared. It
must be a runner ``.npz`` (read by :mod:`.npz_result`: bounded, no pickles) holding float32
``embeddings`` of N rows × the model's dimension, ``ids`` equal to the input's in order, and a
JSON ``manifest``; every value finite; every row of unit length when the model normalises; each
planted canary row within tolerance of the vector the platform knows; no two rows of different
token sequences the same vector (a hash of every rounded row, plus each sampled row against all
rows at cosine 0.99999); and a random sample of ``max(min_sample, ceil(fraction × N))`` other
rows, recomputed by the platform's own :class:`~.reference.ReferenceEncoder`, within tolerance
(cosine ≥ 0.999 for fp32, ≥ 0.99 for fp16/bf16). :func:`detection_probability` says how likely
the sample is to catch k wrong rows. Imports numpy and the reference; blocking: run it in a
worker thread.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from orban_platform.embedding.npz_result import ResultFileError, read_runner_npz
from orban_platform.embedding.reference import ReferenceEncoder
from orban_platform.embedding.result_rules import (
    copied_rows,
    cosines,
    manifest_device,
    manifest_seconds,
    near_copies,
)

TOLERANCE = {"fp32": 0.999, "fp16": 0.99, "bf16": 0.99}
NORM_TOLERANCE = 1e-3


@dataclass(frozen=True)
class EmbeddingVerdict:
    """What the check found: ``ok`` with ``reason`` ``None``, or the one reason it failed.

    Attributes:
        sampled_rows: The rows recomputed (empty when the check stopped before the sample).
        min_cosine: The lowest cosine of a canary or sampled row; ``None`` before any.
        manifest: The runner's manifest object; ``None`` when the file could not be read.
        device: The manifest's ``device`` (``"cpu"``, ``"cuda:0"``...), ``None`` if absent.
        infer_s: The manifest's compute seconds when a finite number ≥ 0, else ``None``.
        rows: The rows the result holds (0 when unreadable).
    """

    ok: bool
    reason: str | None
    sampled_rows: tuple[int, ...] = ()
    min_cosine: float | None = None
    manifest: dict[str, object] | None = None
    device: str | None = None
    infer_s: float | None = None
    rows: int = 0


def detection_probability(n_rows: int, k_wrong: int, sample: int) -> float:
    """The chance a uniform sample of ``sample`` of ``n_rows`` rows holds one of ``k_wrong``.

    Hypergeometric: 1 - C(n - k, s) / C(n, s).
    """
    if n_rows < 0 or k_wrong < 0 or sample < 0:
        raise ValueError("row counts cannot be negative")
    k_wrong, sample = min(k_wrong, n_rows), min(sample, n_rows)
    if k_wrong == 0 or sample == 0:
        return 0.0
    return 1.0 - math.comb(n_rows - k_wrong, sample) / math.comb(n_rows, sample)


def sample_size(n_rows: int, fraction: float, minimum: int) -> int:
    """How many of ``n_rows`` rows are recomputed: max(minimum, ceil(fraction × n)), at most n."""
    return min(n_rows, max(minimum, math.ceil(fraction * n_rows)))


def check_embedding_result(
    path: Path,
    *,
    ids: Sequence[str],
    texts: Sequence[str],
    encoder: ReferenceEncoder,
    precision: str,
    max_length: int,
    canaries: Mapping[int, npt.NDArray[Any]],
    rng: random.Random,
    sample_fraction: float = 0.02,
    min_sample: int = 4,
) -> EmbeddingVerdict:
    """Check one uploaded result against the job it answers (see the module docstring).

    Args:
        canaries: Row index -> the vector the platform knows for that row's text.
        rng: Draws the sampled rows (seed it per attempt so a cheat cannot predict them).

    Raises:
        ValueError: The job itself is inconsistent (ids and texts, a canary row, a precision).
    """
    rows, dim = len(ids), encoder.dim
    if len(texts) != rows or any(not 0 <= row < rows for row in canaries):
        raise ValueError("ids, texts and canary rows must describe the same rows")
    threshold = TOLERANCE[precision]
    try:
        arrays = read_runner_npz(path, rows=rows, dim=dim)
        manifest = json.loads(str(arrays.manifest[()])) if arrays.manifest.shape == () else None
    except (ResultFileError, ValueError, RecursionError) as exc:
        return EmbeddingVerdict(False, f"not a valid .npz result: {exc}")
    if not isinstance(manifest, dict) or arrays.manifest.dtype.kind != "U":
        return EmbeddingVerdict(False, "not a valid .npz result: the manifest is not a JSON object")
    vectors, got_ids = arrays.embeddings, arrays.ids
    found = int(vectors.shape[0]) if vectors.ndim == 2 else 0
    base = EmbeddingVerdict(
        ok=False,
        reason=None,
        manifest=manifest,
        device=manifest_device(manifest),
        infer_s=manifest_seconds(manifest),
        rows=found,
    )

    def verdict(reason: str | None, **changes: Any) -> EmbeddingVerdict:
        return replace(base, ok=reason is None, reason=reason, **changes)

    if vectors.dtype != np.float32 or vectors.ndim != 2:
        return verdict(
            f"embeddings are {vectors.dtype} of shape {vectors.shape}; "
            "a float32 (N, D) matrix is expected"
        )
    if found != rows:
        return verdict(f"row count {found}, expected {rows}")
    if vectors.shape[1] != dim:
        return verdict(f"dimension {vectors.shape[1]}, expected {dim}")
    if got_ids.shape != (rows,) or got_ids.dtype.kind != "U" or got_ids.tolist() != list(ids):
        return verdict("ids do not match the input's ids, in order")
    if not np.isfinite(vectors).all():
        return verdict("embeddings contain NaN or infinite values")
    if encoder.normalize and rows:
        norms = np.linalg.norm(vectors.astype(np.float64), axis=1)
        bad = np.flatnonzero(np.abs(norms - 1.0) >= NORM_TOLERANCE)
        if bad.size:
            row = int(bad[0])
            return verdict(f"row {row} has length {norms[row]:.4f}, but this model gives 1")
    worst_cosine: float | None = None
    for row, known in sorted(canaries.items()):
        cosine = float(cosines(vectors[row : row + 1], np.asarray(known, np.float32)[None])[0])
        worst_cosine = cosine if worst_cosine is None else min(worst_cosine, cosine)
        if cosine < threshold:
            return verdict(
                f"canary row {row} has cosine {cosine:.4f} to its known vector (needs {threshold})",
                min_cosine=worst_cosine,
            )
    copy = copied_rows(vectors, texts, encoder, max_length)
    if copy is not None:
        return verdict(f"rows {copy[0]} and {copy[1]} hold the same vector for different texts")
    others = [row for row in range(rows) if row not in canaries]
    chosen = sorted(rng.sample(others, sample_size(len(others), sample_fraction, min_sample)))
    if not chosen:
        return verdict(None, min_cosine=worst_cosine)
    copy = near_copies(vectors, chosen, texts, encoder, max_length)
    if copy is not None:
        return verdict(
            f"rows {copy[0]} and {copy[1]} are copies (cosine above 0.99999) for different texts",
            sampled_rows=tuple(chosen),
        )
    found_cosines = cosines(vectors[chosen], encoder.encode([texts[r] for r in chosen], max_length))
    lowest = float(found_cosines.min())
    worst_cosine = lowest if worst_cosine is None else min(worst_cosine, lowest)
    wrong = int((found_cosines < threshold).sum())
    if wrong:
        row = chosen[int(found_cosines.argmin())]
        return verdict(
            f"{wrong} of {len(chosen)} sampled rows differ from the platform's own vectors: "
            f"row {row} has cosine {lowest:.4f} ({threshold} needed)",
            sampled_rows=tuple(chosen),
            min_cosine=worst_cosine,
        )
    return verdict(None, sampled_rows=tuple(chosen), min_cosine=worst_cosine)

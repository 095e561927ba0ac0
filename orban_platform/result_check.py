"""The check of an uploaded embedding result, run when the upload arrives (off the loop).

:meth:`~.results.ResultDesk.check_for` gathers, on the loop, what the check of one attempt
needs (:class:`EmbeddingCheck`); :func:`run_check` then reads the job's input, finds its canary
rows' known vectors and runs :func:`~.embedding.verify.check_embedding_result` in a worker
thread. The verdict is a plain dict stored with the attempt (it survives a restart), so the
TASK_COMPLETE that follows is answered without waiting. Imports nothing from Qt.
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmbeddingCheck:
    """One attempt's check: the job's input, canaries, precision, and the reference."""

    task_id: str
    input_path: Path
    canary_rows: tuple[int, ...]
    precision: str
    max_length: int
    encoder: Any
    known: dict[str, Any]
    seed: int


def _rows(path: Path) -> tuple[list[str], list[str]]:
    ids, texts = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            ids.append(str(record["id"]))
            texts.append(str(record["text"]))
    return ids, texts


def run_check(check: EmbeddingCheck, result: Path) -> dict[str, Any]:
    """The verdict on ``result`` (blocking: numpy work)."""
    from orban_platform.embedding.verify import check_embedding_result

    started = time.perf_counter()
    ids, texts = _rows(check.input_path)
    canaries = {
        row: check.known[texts[row]]
        for row in check.canary_rows
        if row < len(texts) and texts[row] in check.known
    }
    verdict = check_embedding_result(
        result,
        ids=ids,
        texts=texts,
        encoder=check.encoder,
        precision=check.precision,
        max_length=check.max_length,
        canaries=canaries,
        rng=random.Random(check.seed),
    )
    seconds = time.perf_counter() - started
    logger.info(
        "checked task %s: %s (%d sampled rows, %d canaries, %.2f s)",
        check.task_id,
        "verified" if verdict.ok else f"refused, {verdict.reason}",
        len(verdict.sampled_rows),
        len(canaries),
        seconds,
    )
    manifest = verdict.manifest or {}
    return {
        "ok": verdict.ok,
        "reason": verdict.reason,
        "rows": verdict.rows,
        "device": verdict.device,
        "device_name": str(manifest.get("device_name", ""))[:200],
        "infer_s": verdict.infer_s,
        "sampled_rows": len(verdict.sampled_rows),
        "canaries": len(canaries),
        "min_cosine": verdict.min_cosine,
        "check_s": round(seconds, 3),
    }

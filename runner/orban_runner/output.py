"""The result file: one ``.npz`` (embeddings, ids, manifest), written whole or not at all."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np


def write_result(
    path: Path, embeddings: np.ndarray[Any, Any], ids: list[str], manifest: dict[str, Any]
) -> None:
    """Write ``path`` atomically: ``path.partial`` first, then renamed; nothing left on failure."""
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, "wb") as handle:
            np.savez(
                handle,
                embeddings=np.ascontiguousarray(embeddings, dtype=np.float32),
                ids=np.array(ids, dtype=str),
                manifest=np.array(json.dumps(manifest, sort_keys=True)),
            )
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()


def remove_partial(path: Path) -> None:
    """Remove a partial result (after a failure) so it is never taken for a result."""
    for leftover in (path, path.with_name(path.name + ".partial")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()

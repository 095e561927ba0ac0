"""The result file: one ``.npz`` (embeddings, ids, manifest), written whole or not at all.

``embeddings`` is float32 (rows, dim), ``ids`` a numpy unicode array in input order, and
``manifest`` a 0-d unicode array holding the manifest's JSON; all load with
``np.load(..., allow_pickle=False)``. The file is written as ``<name>.partial``, synced, then
renamed, so a reader never sees half a result; on any failure neither name is left behind.
Imports numpy and the error tree.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from orban_runner.errors import BadInput, RunnerError


def partial_path(path: Path) -> Path:
    """Where the result is written before it is complete."""
    return path.with_name(path.name + ".partial")


def check_writable(path: Path) -> None:
    """Fail early (before the model loads) when ``path`` cannot be a result file.

    Raises:
        BadInput: Its folder does not exist, or ``path`` is a folder.
    """
    if path.is_dir():
        raise BadInput(f"the output {path} is a folder; give a file name ending in .npz")
    if not path.parent.is_dir():
        raise BadInput(f"the output's folder {path.parent} does not exist")


def write_result(
    path: Path, embeddings: np.ndarray[Any, Any], ids: list[str], manifest: dict[str, Any]
) -> None:
    """Write ``path`` atomically: ``path.partial`` first, then renamed; nothing left on failure.

    Raises:
        RunnerError: The file cannot be written (no space, a file size limit, permissions).
    """
    partial = partial_path(path)
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
    except OSError as exc:
        raise RunnerError(f"cannot write the result {path}: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()


def remove_result(path: Path) -> None:
    """Remove a result and its partial file (after a failure): neither is taken for a result."""
    for leftover in (path, partial_path(path)):
        with contextlib.suppress(OSError):
            leftover.unlink()

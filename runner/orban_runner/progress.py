"""Progress lines: one JSON object per batch, appended and flushed, for the agent to relay."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import IO, Any


class Progress:
    """Writes ``{"rows_done", "rows", "batch", "batches", "elapsed_s"}`` lines to ``path``."""

    def __init__(self, path: Path | None, rows: int, batches: int) -> None:
        # Kept open across batches; closed by close().
        self._handle: IO[str] | None = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115
        self._rows, self._batches = rows, batches
        self._started = time.perf_counter()

    def start(self, load_s: float) -> None:
        """The model is on the device; computing starts now."""
        self._started = time.perf_counter()
        self._write({"rows_done": 0, "batch": 0, "elapsed_s": round(load_s, 4), "stage": "loaded"})

    def batch(self, number: int, rows_done: int) -> None:
        elapsed = time.perf_counter() - self._started
        self._write({"rows_done": rows_done, "batch": number, "elapsed_s": round(elapsed, 4)})

    def _write(self, fields: dict[str, Any]) -> None:
        if self._handle is None:
            return
        record = {"rows": self._rows, "batches": self._batches, **fields}
        self._handle.write(json.dumps(record) + "\n")
        self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

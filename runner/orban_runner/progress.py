"""Progress lines: one JSON object per batch, appended and flushed, for the agent to relay.

With ``--progress FILE`` the runner appends, once the model is loaded,
``{"rows_done": 0, "rows": N, "batch": 0, "batches": n, "elapsed_s": load_s, "stage": "loaded"}``
and then after each batch ``{"rows_done": k, "rows": N, "batch": i, "batches": n,
"elapsed_s": x}`` (``x``: seconds since the model was loaded). Each line is flushed at once, so
the agent can follow the file while the runner works. Imports only the error tree.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import IO, Any

from orban_runner.errors import BadInput


class Progress:
    """Writes progress lines to ``path`` (nothing when ``path`` is ``None``)."""

    def __init__(self, path: Path | None, rows: int, batches: int) -> None:
        """Open ``path`` for appending.

        Raises:
            BadInput: ``path`` cannot be opened for writing.
        """
        self._handle: IO[str] | None = None
        if path is not None:
            try:
                self._handle = open(path, "a", encoding="utf-8")  # noqa: SIM115  # see close()
            except OSError as exc:
                raise BadInput(f"cannot write the progress file {path}: {exc.strerror}") from exc
        self._rows, self._batches = rows, batches
        self._started = time.perf_counter()

    def loaded(self, load_s: float) -> None:
        """The model is on the device; embedding starts now."""
        self._started = time.perf_counter()
        self._write({"rows_done": 0, "batch": 0, "elapsed_s": round(load_s, 4), "stage": "loaded"})

    def batch(self, number: int, rows_done: int) -> None:
        """Batch ``number`` (from 1) is done; ``rows_done`` rows in all."""
        elapsed = time.perf_counter() - self._started
        self._write({"rows_done": rows_done, "batch": number, "elapsed_s": round(elapsed, 4)})

    def _write(self, fields: dict[str, Any]) -> None:
        if self._handle is None:
            return
        record = {"rows_done": fields.pop("rows_done"), "rows": self._rows}
        record.update(batch=fields.pop("batch"), batches=self._batches, **fields)
        self._handle.write(json.dumps(record) + "\n")
        self._handle.flush()

    def close(self) -> None:
        """Close the file (safe to call twice)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

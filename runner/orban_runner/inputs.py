"""The task's input: JSON Lines of ``{"id": str, "text": str}``, read and checked line by line.

Each non-blank line is one row: ``id`` a string of 1 to 200 characters, unique in the file;
``text`` a non-empty string of at most ``max_text_chars`` characters. Other keys are ignored.
An empty file, a malformed line, a repeated id or more than ``max_rows`` rows stop the run with
:class:`~orban_runner.errors.BadInput` (exit 2) naming the line. Imports only the error tree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orban_runner.errors import BadInput

MAX_ID_CHARS = 200


@dataclass(frozen=True)
class InputLimits:
    """How much input one run takes: rows per file and characters per text."""

    max_rows: int = 100_000
    max_text_chars: int = 20_000


@dataclass(frozen=True)
class Rows:
    """The input rows, in input order."""

    ids: list[str]
    texts: list[str]

    def __len__(self) -> int:
        return len(self.ids)


def _decode(raw: bytes, number: int) -> str:
    try:
        return raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"input line {number} is not UTF-8 text ({exc.reason})") from exc


def _row(line: str, number: int, limits: InputLimits) -> tuple[str, str]:
    """The ``(id, text)`` of one line, checked."""
    try:
        record: Any = json.loads(line)
    except ValueError as exc:
        raise BadInput(f"input line {number} is not valid JSON ({exc})") from exc
    if not isinstance(record, dict):
        raise BadInput(f'input line {number} is not an object {{"id": ..., "text": ...}}')
    row_id, text = record.get("id"), record.get("text")
    if not isinstance(row_id, str) or not 1 <= len(row_id) <= MAX_ID_CHARS:
        raise BadInput(
            f"input line {number}: the id must be a string of 1 to {MAX_ID_CHARS} characters"
        )
    if not isinstance(text, str) or not text.strip():
        raise BadInput(f"input line {number} ({row_id}): the text must be a non-empty string")
    if len(text) > limits.max_text_chars:
        raise BadInput(
            f"input line {number} ({row_id}): the text has {len(text)} characters, more than "
            f"the limit of {limits.max_text_chars} (--max-text-chars)"
        )
    return row_id, text


def read_rows(path: Path, limits: InputLimits) -> Rows:
    """Read and check the input file.

    Raises:
        BadInput: The file is missing, unreadable or empty, a line is not
            ``{"id": str, "text": str}``, an id repeats, a text is empty or too long, or there
            are more than ``limits.max_rows`` rows.
    """
    ids: list[str] = []
    texts: list[str] = []
    seen: set[str] = set()
    try:
        handle = open(path, "rb")  # noqa: SIM115  # closed by the with below
    except OSError as exc:
        raise BadInput(f"cannot read the input {path}: {exc.strerror or exc}") from exc
    with handle:
        for number, raw in enumerate(handle, start=1):
            line = _decode(raw, number)
            if not line.strip():
                continue
            if len(ids) >= limits.max_rows:
                raise BadInput(f"the input has more than {limits.max_rows} rows (--max-rows)")
            row_id, text = _row(line, number, limits)
            if row_id in seen:
                raise BadInput(f"input line {number}: the id {row_id!r} appears twice")
            seen.add(row_id)
            ids.append(row_id)
            texts.append(text)
    if not ids:
        raise BadInput(f"the input {path.name} holds no rows")
    return Rows(ids, texts)

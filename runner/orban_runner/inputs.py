"""The task's input: JSON Lines of ``{"id": str, "text": str}``, checked line by line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from orban_runner.errors import BadInput

MAX_ID_CHARS = 200


@dataclass(frozen=True)
class Rows:
    """The input rows, in input order."""

    ids: list[str]
    texts: list[str]

    def __len__(self) -> int:
        return len(self.ids)


def read_rows(path: Path, *, max_rows: int, max_text_chars: int) -> Rows:
    """Read and check the input.

    Raises:
        BadInput: The file is missing or empty, a line is not ``{"id": str, "text": str}``,
            an id repeats, a text is empty or longer than ``max_text_chars``, or there are
            more than ``max_rows`` rows.
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
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise BadInput(f"input line {number} is not UTF-8 text ({exc.reason})") from exc
            if not line.strip():
                continue
            if len(ids) >= max_rows:
                raise BadInput(f"the input has more than {max_rows} rows (--max-rows)")
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise BadInput(f"input line {number} is not valid JSON ({exc})") from exc
            if not isinstance(record, dict):
                raise BadInput(f'input line {number} is not an object {{"id": ..., "text": ...}}')
            row_id, text = record.get("id"), record.get("text")
            if not isinstance(row_id, str) or not 1 <= len(row_id) <= MAX_ID_CHARS:
                raise BadInput(f"input line {number}: id must be a string of 1 to 200 characters")
            if not isinstance(text, str) or not text.strip():
                raise BadInput(f"input line {number} ({row_id}): text must be a non-empty string")
            if len(text) > max_text_chars:
                raise BadInput(
                    f"input line {number} ({row_id}): the text has {len(text)} characters, "
                    f"more than the limit of {max_text_chars}"
                )
            if row_id in seen:
                raise BadInput(f"input line {number}: the id {row_id!r} appears twice")
            seen.add(row_id)
            ids.append(row_id)
            texts.append(text)
    if not ids:
        raise BadInput(f"the input {path.name} holds no rows")
    return Rows(ids, texts)

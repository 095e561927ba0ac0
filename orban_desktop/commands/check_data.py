"""``orban-agent check-data``: the full integrity check of the earnings ledger and the outbox.

Opening a store runs only SQLite's quick check (``PRAGMA quick_check``: every page and row), so
that a ledger of a million records is ready in well under a second. This verb runs what the
quick check leaves out, ``PRAGMA integrity_check``: every index compared with its table, the
``UNIQUE`` and ``CHECK`` constraints, as well as everything the quick check does. It opens each
file read-only (safe beside a running agent, in WAL mode), changes nothing, and for a damaged
file says how to save what can be read and start again. Exit status: 0 when every file present
is sound, 1 when one is damaged or cannot be read. Nothing here imports Qt.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from orban_desktop.commands.base import Command, CommandContext
from orban_desktop.storage.database import CheckDepth, integrity_problems


@dataclass(frozen=True)
class CheckedFile:
    """One store's file after the full check.

    Attributes:
        label: The store in the output, e.g. ``"Earnings database"``.
        path: The file.
        problems: None when sound (or absent), else what SQLite found or why it could not read.
        seconds: How long the check took (0 for a file that is not there).
        present: Whether the file exists.
    """

    label: str
    path: Path
    problems: str | None
    seconds: float
    present: bool


#: For each store, what to do when its file is damaged (``{path}`` is the file).
_ADVICE = {
    "Earnings database": (
        "Save what can still be read with `orban-agent export-earnings earnings.json`, stop "
        "the agent, move {path} aside, then bring the history back into a new ledger with "
        "`orban-agent import earnings.json` (or restore the file from a backup of your own)."
    ),
    "Result outbox": (
        "Stop the agent and move {path} aside; the agent starts a new, empty outbox. Results "
        "not yet delivered in the old file are not re-sent: the platform re-queues tasks it "
        "never heard back from."
    ),
}


def check_file(label: str, path: Path) -> CheckedFile:
    """Run ``PRAGMA integrity_check`` on ``path``, opened read-only; never raises for SQLite."""
    if not path.exists():
        return CheckedFile(label, path, None, 0.0, present=False)
    started = time.perf_counter()
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return CheckedFile(label, path, f"cannot be opened: {exc}", 0.0, present=True)
    try:
        problems = integrity_problems(connection, CheckDepth.FULL)
    except sqlite3.Error as exc:
        problems = str(exc)
    finally:
        connection.close()
    return CheckedFile(label, path, problems, time.perf_counter() - started, present=True)


def report_lines(checked: CheckedFile) -> list[str]:
    """What the command prints for one file."""
    if not checked.present:
        return [f"{checked.label} {checked.path}: not there yet (nothing to check)."]
    if checked.problems is None:
        return [f"{checked.label} {checked.path}: ok (full check, {checked.seconds:.1f} s)."]
    return [
        f"{checked.label} {checked.path}: DAMAGED: {checked.problems}",
        "  " + _ADVICE[checked.label].format(path=checked.path),
    ]


def run_check_data(args: argparse.Namespace, context: CommandContext) -> int:
    files = context.files
    results = [
        check_file("Earnings database", files.ledger_db),
        check_file("Result outbox", files.outbox_db),
    ]
    for checked in results:
        for line in report_lines(checked):
            context.out(line)
    return 1 if any(checked.problems is not None for checked in results) else 0


CHECK_DATA = Command(
    name="check-data",
    help="run the full integrity check of the earnings database and the result outbox "
    "(opening them runs only the quick one)",
    run=run_check_data,
)

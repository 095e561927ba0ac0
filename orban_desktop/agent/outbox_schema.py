"""The result outbox's SQLite file: its schema, the error for a damaged file, and opening it.

:func:`open_outbox_connection` opens the outbox with
:func:`orban_desktop.storage.database.open_database`: ``PRAGMA quick_check`` before anything
writes to it (every page and row; not each index against its table, nor ``UNIQUE`` or ``CHECK``,
which the full ``integrity_check`` of ``orban-agent check-data`` verifies), WAL mode with
``synchronous=FULL`` (a committed result survives a crash or a power cut), then the schema
brought up to date, one migration per transaction, so a crash in the middle
of a migration leaves the previous version intact. A damaged file is copied beside itself and
reported as :class:`CorruptOutboxError`; :func:`orban_desktop.storage.database.move_aside` is the
explicit recovery. Times are float Unix seconds (the caller's clock). Imports only the standard
library, ``orban_desktop.errors`` and ``orban_desktop.storage``; nothing from Qt.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from orban_desktop.errors import StorageError
from orban_desktop.storage.database import Migrations, StoreSpec, open_database

_V1: tuple[str, ...] = (
    # One row per task: the first result stored for a task is the one that is ever sent.
    """CREATE TABLE results (
        task_id TEXT PRIMARY KEY,
        message_id TEXT NOT NULL UNIQUE,
        message_type TEXT NOT NULL CHECK (message_type IN ('TASK_COMPLETE', 'TASK_FAILED')),
        frame_json TEXT NOT NULL,
        created_at REAL NOT NULL,
        sent_connection TEXT,
        sent_at REAL,
        send_count INTEGER NOT NULL DEFAULT 0,
        delivered_at REAL,
        delivered_by TEXT CHECK (delivered_by IN ('ack', 'settled', 'marked'))
    )""",
    "CREATE INDEX results_by_state ON results (delivered_at, created_at)",
    # What was running, so a restart after a crash can report or resume it.
    """CREATE TABLE running_tasks (
        task_id TEXT PRIMARY KEY,
        assign_json TEXT NOT NULL,
        gpu_index INTEGER NOT NULL,
        workspace TEXT,
        started_at REAL NOT NULL
    )""",
)

_V2: tuple[str, ...] = (
    # Every task this agent took, so an EARNINGS_RECORD can be checked against its own work
    # after a restart: when it started and the most its pricing could pay (NULL: unknown).
    """CREATE TABLE tasks_run (
        task_id TEXT PRIMARY KEY,
        started_at REAL NOT NULL,
        priced_ceiling_micros INTEGER
    )""",
    "CREATE INDEX tasks_run_by_age ON tasks_run (started_at)",
    "INSERT OR IGNORE INTO tasks_run (task_id, started_at) SELECT task_id, created_at FROM results",
    "INSERT OR IGNORE INTO tasks_run (task_id, started_at)"
    " SELECT task_id, started_at FROM running_tasks",
)

#: Ordered migrations: ``MIGRATIONS[i]`` takes the schema from version ``i`` to ``i + 1``.
MIGRATIONS: Migrations = (_V1, _V2)
SCHEMA_VERSION = len(MIGRATIONS)


class CorruptOutboxError(StorageError):
    """The outbox file failed its integrity check; ``backup`` is where a copy was saved."""

    title = "Result outbox damaged"

    def __init__(self, path: Path, backup: Path, detail: str) -> None:
        super().__init__(
            f"The result outbox {path} is damaged ({detail}). A copy was saved as {backup}. "
            "Start a new, empty outbox with ResultOutbox.recover (results not yet delivered "
            "in the old file are not re-sent; the platform re-queues tasks it never heard of).",
            context={"path": str(path), "backup": str(backup), "detail": detail},
        )
        self.path = path
        self.backup = backup


_CANNOT_USE = (
    "Cannot use the result outbox {path}: {exc}. Check free disk space and permissions, "
    "and that no other Orban Agent is running with the same data folder."
)

#: The outbox's file: its schema, its damaged-file error and its messages.
OUTBOX_FILE = StoreSpec(
    name="result outbox",
    migrations=MIGRATIONS,
    corrupt_error=CorruptOutboxError,
    open_failure=_CANNOT_USE,
    use_failure=_CANNOT_USE,
    cache_kib=256,
)


def open_outbox_connection(path: Path) -> sqlite3.Connection:
    """Open (creating if needed), check, configure and migrate the outbox database.

    The connection is in autocommit mode (callers issue ``BEGIN IMMEDIATE`` / ``COMMIT``) and
    belongs to the thread that opened it; open it off the event loop (``AsyncResultOutbox.open``
    does, on the outbox's worker thread).

    Raises:
        CorruptOutboxError: The quick check found the file damaged, or it is not a database (a
            copy was saved).
        StorageError: The file cannot be opened, written, or is from a newer agent.
    """
    return open_database(OUTBOX_FILE, path)

"""The result outbox's SQLite file: schema, ordered migrations, and opening it safely.

:func:`open_outbox_connection` checks the file with ``PRAGMA integrity_check`` before anything
writes to it, sets WAL mode with ``synchronous=FULL`` (a committed result survives a crash or a
power cut) and brings the schema up to date, one migration per transaction, so a crash in the
middle of a migration leaves the previous version intact. A damaged file is copied beside itself
and reported as :class:`CorruptOutboxError`; :func:`move_aside` is the explicit recovery. Times
are float Unix seconds (the caller's clock). Imports only the standard library and
``orban_desktop.errors``; nothing from Qt.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from orban_desktop.errors import StorageError

_log = logging.getLogger(__name__)

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

#: Ordered migrations: ``MIGRATIONS[i]`` takes the schema from version ``i`` to ``i + 1``.
MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1,)
SCHEMA_VERSION = len(MIGRATIONS)

_CORRUPTION_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


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


def schema_version(connection: sqlite3.Connection) -> int:
    """The version recorded in the database; 0 for a new, empty file."""
    connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def migrate(
    connection: sqlite3.Connection, migrations: tuple[tuple[str, ...], ...] = MIGRATIONS
) -> int:
    """Bring the schema up to date; returns the version it is at afterwards.

    Raises:
        StorageError: The file was written by a newer agent.
    """
    current = schema_version(connection)
    if current > len(migrations):
        raise StorageError(
            f"The result outbox is at schema version {current}, newer than this agent "
            f"understands ({len(migrations)}). Update Orban Agent to open it.",
            context={"schema_version": current, "supported": len(migrations)},
        )
    for version in range(current, len(migrations)):
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in migrations[version]:
                connection.execute(statement)
            connection.execute("INSERT INTO schema_version (version) VALUES (?)", (version + 1,))
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    return len(migrations)


def integrity_problems(connection: sqlite3.Connection) -> str | None:
    """Run ``PRAGMA integrity_check``; None when it says ``ok``, else its first findings."""
    rows = [str(row[0]) for row in connection.execute("PRAGMA integrity_check(20)")]
    return None if rows == ["ok"] else "; ".join(rows[:5])


def _aside_name(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    candidate = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        counter += 1
    return candidate


def _backup_copy(path: Path) -> Path:
    target = _aside_name(path)
    shutil.copy2(path, target)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        shutil.copy2(wal, target.with_name(target.name + "-wal"))
    return target


def move_aside(path: Path) -> Path | None:
    """Rename the file (and its WAL) to ``<name>.corrupt-<UTC time>``; None if there was none."""
    if not path.exists():
        return None
    target = _aside_name(path)
    os.replace(path, target)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        os.replace(wal, target.with_name(target.name + "-wal"))
    path.with_name(path.name + "-shm").unlink(missing_ok=True)
    return target


def _corrupt(connection: sqlite3.Connection, path: Path, detail: str) -> CorruptOutboxError:
    connection.close()
    backup = _backup_copy(path)
    _log.error("result outbox %s failed its integrity check (%s); copy at %s", path, detail, backup)
    return CorruptOutboxError(path, backup, detail)


def _cannot_use(path: Path, exc: BaseException) -> StorageError:
    return StorageError(
        f"Cannot use the result outbox {path}: {exc}. Check free disk space and permissions, "
        "and that no other Orban Agent is running with the same data folder.",
        context={"path": str(path)},
    )


def open_outbox_connection(path: Path) -> sqlite3.Connection:
    """Open (creating if needed), check, configure and migrate the outbox database.

    The connection is in autocommit mode (callers issue ``BEGIN IMMEDIATE`` / ``COMMIT``) and
    belongs to the thread that opened it.

    Raises:
        CorruptOutboxError: The file is damaged or not a database (a copy was saved).
        StorageError: The file cannot be opened, written, or is from a newer agent.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise _cannot_use(path, exc) from exc
    try:
        problems = integrity_problems(connection)
        if problems is not None:
            raise _corrupt(connection, path, problems)
        mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StorageError(f"SQLite refused WAL mode for {path} (got {mode}).")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA busy_timeout=5000")
        migrate(connection)
    except sqlite3.DatabaseError as exc:
        code = getattr(exc, "sqlite_errorcode", None)
        if isinstance(code, int) and (code & 0xFF) in _CORRUPTION_CODES:
            raise _corrupt(connection, path, str(exc)) from exc
        connection.close()
        raise _cannot_use(path, exc) from exc
    except BaseException:
        connection.close()
        raise
    return connection

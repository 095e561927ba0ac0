"""Opening the ledger's SQLite file safely: integrity check, durable pragmas, corrupt-file handling.

:func:`open_connection` checks the file with ``PRAGMA integrity_check`` before anything writes to
it, then sets WAL mode with ``synchronous=FULL`` (a committed earning survives a crash or power
loss) and runs the migrations. A damaged file is copied to ``<name>.corrupt-<UTC timestamp>``
beside it and reported as :class:`~orban_desktop.errors.StorageError`; :func:`move_aside` is the
explicit recovery that sets it aside so a new, empty ledger can start. Imports only the standard
library, ``orban_desktop.errors`` and the schema; nothing from Qt.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from orban_desktop.earnings.schema import migrate
from orban_desktop.errors import StorageError

_log = logging.getLogger(__name__)

#: SQLite primary result codes that mean "this file is damaged or not a database".
_CORRUPTION_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
#: Files SQLite keeps beside the database in WAL mode.
_SIDE_SUFFIXES = ("-wal", "-shm")


class CorruptLedgerError(StorageError):
    """The ledger file failed its integrity check; ``backup`` is where a copy of it was saved."""

    title = "Earnings database damaged"

    def __init__(self, path: Path, backup: Path, detail: str) -> None:
        super().__init__(
            f"The earnings database {path} is damaged ({detail}). A copy was saved as {backup}. "
            "Start a new, empty ledger with the agent's ledger recovery "
            "(EarningsLedger.recover), then bring your history back with "
            "`orban-agent import <your last earnings export or earnings.json>`, or restore "
            f"{path.name} from a backup of your own.",
            context={"path": str(path), "backup": str(backup), "detail": detail},
        )
        self.path = path
        self.backup = backup


def _aside_name(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    candidate = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        counter += 1
    return candidate


def backup_copy(path: Path) -> Path:
    """Copy the database (and its WAL, if any) beside it; return the copy's path."""
    target = _aside_name(path)
    shutil.copy2(path, target)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        shutil.copy2(wal, target.with_name(target.name + "-wal"))
    return target


def move_aside(path: Path) -> Path | None:
    """Rename the database (and its WAL) to a ``.corrupt-<timestamp>`` name; drop its ``-shm``.

    Returns:
        The new path of the moved file, or None when there was no file to move.
    """
    if not path.exists():
        return None
    target = _aside_name(path)
    os.replace(path, target)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        os.replace(wal, target.with_name(target.name + "-wal"))
    path.with_name(path.name + "-shm").unlink(missing_ok=True)
    return target


def integrity_problems(connection: sqlite3.Connection) -> str | None:
    """Run ``PRAGMA integrity_check``; None when it says ``ok``, else its first findings."""
    rows = [str(row[0]) for row in connection.execute("PRAGMA integrity_check(20)")]
    return None if rows == ["ok"] else "; ".join(rows[:5])


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and (code & 0xFF) in _CORRUPTION_CODES


def _corrupt(connection: sqlite3.Connection, path: Path, detail: str) -> CorruptLedgerError:
    connection.close()
    backup = backup_copy(path)
    _log.error(
        "earnings database %s failed its integrity check (%s); copy at %s", path, detail, backup
    )
    return CorruptLedgerError(path, backup, detail)


def open_connection(path: Path) -> sqlite3.Connection:
    """Open (creating if needed), check, configure and migrate the ledger database.

    The connection is in autocommit mode (``isolation_level=None``): callers issue their own
    ``BEGIN IMMEDIATE`` / ``COMMIT``. It belongs to the thread that opened it.

    Raises:
        CorruptLedgerError: The file is damaged or not a database (a copy was saved).
        StorageError: The file cannot be opened or written (permissions, disk full, ...).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(
            f"Cannot open the earnings database {path}: {exc}. Check that the folder exists "
            "and that you may write to it.",
            context={"path": str(path)},
        ) from exc
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
        if _is_corruption(exc):
            raise _corrupt(connection, path, str(exc)) from exc
        connection.close()
        raise StorageError(
            f"Cannot use the earnings database {path}: {exc}. Check free disk space and "
            "permissions, and that no other program holds the file.",
            context={"path": str(path)},
        ) from exc
    except BaseException:
        connection.close()
        raise
    return connection

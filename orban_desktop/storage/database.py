"""Opening a store's SQLite file safely: a quick check, durable pragmas, schema migrations.

:func:`open_database` checks the file with ``PRAGMA quick_check`` before anything writes to it,
sets WAL mode with ``synchronous=FULL`` (a committed change survives a crash or a power cut) and
brings the schema up to date with :func:`apply_migrations`, one migration per transaction, so a
crash in the middle of one leaves the previous version intact. The check at open
(:attr:`CheckDepth.QUICK`) reads every page and every row: it finds damaged or missing pages,
malformed records, out-of-order b-tree cells and NULLs in ``NOT NULL`` columns. It does not
compare each index with its table, does not verify ``UNIQUE`` constraints and skips ``CHECK``
constraints (SQLite enforces them on every write this agent makes; checking them row by row
took two thirds of the quick check's time). Those are the full ``PRAGMA integrity_check``
(:attr:`CheckDepth.FULL`) of ``orban-agent check-data`` and of the stores' ``integrity_check``,
many times slower on a large file (``bench/bench_ledger.py`` prints both). A damaged
file is copied to ``<name>.corrupt-<UTC timestamp>`` beside it and reported with the store's
own :class:`~orban_desktop.errors.StorageError` subclass; :func:`move_aside` is the explicit
recovery that sets it aside so a new, empty store can start. What differs between stores comes
in a :class:`StoreSpec`. Imports only the standard library and ``orban_desktop.errors``; nothing
from Qt.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

from orban_desktop.errors import StorageError

_log = logging.getLogger(__name__)

#: SQLite primary result codes that mean "this file is damaged or not a database".
_CORRUPTION_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})

#: Ordered migrations: ``migrations[i]`` takes the schema from version ``i`` to ``i + 1``.
Migrations = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class StoreSpec:
    """One store's file: what messages call it, its schema, and what it says when it fails.

    Attributes:
        name: The store in messages and logs, e.g. ``"earnings database"``.
        migrations: The store's ordered migrations.
        corrupt_error: Makes the store's error for a damaged file from ``(path, backup, detail)``.
        open_failure: The message when the file cannot be opened, a ``str.format`` template with
            the fields ``path`` and ``exc``.
        use_failure: The message (same fields) when the opened file cannot be checked, set up or
            migrated.
        cache_kib: The most memory SQLite's page cache may hold for the connection, in KiB
            (``PRAGMA cache_size``; SQLite's own default is 2,000 KiB). The cache fills as the file
            grows, so in a process that runs for weeks this is the store's memory bound; the
            operating system's file cache still keeps the rest of a hot file.
    """

    name: str
    migrations: Migrations
    corrupt_error: Callable[[Path, Path, str], StorageError]
    open_failure: str
    use_failure: str
    cache_kib: int = 2000


def schema_version(connection: sqlite3.Connection) -> int:
    """The version recorded in the database; 0 for a new, empty file."""
    connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def apply_migrations(
    connection: sqlite3.Connection, migrations: Migrations, store_name: str
) -> int:
    """Bring the schema up to date, one migration per transaction.

    Args:
        connection: An autocommit-mode connection (``isolation_level=None``).
        migrations: The ordered list to apply.
        store_name: The store in the message for a file from a newer agent.

    Returns:
        The version the database is at afterwards.

    Raises:
        StorageError: The database was written by a newer version of the agent.
    """
    current = schema_version(connection)
    if current > len(migrations):
        raise StorageError(
            f"The {store_name} is at schema version {current}, newer than this agent "
            f"understands ({len(migrations)}). Update Orban Agent to open it.",
            reason="store_too_new",
            context={"store": store_name, "schema_version": current, "supported": len(migrations)},
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


class CheckDepth(Enum):
    """How thoroughly :func:`integrity_problems` checks a file (see the module docstring)."""

    #: ``PRAGMA quick_check`` without the ``CHECK`` constraints: pages, records, ``NOT NULL``.
    QUICK = "quick_check"
    #: ``PRAGMA integrity_check``: also every index against its table, ``UNIQUE`` and ``CHECK``.
    FULL = "integrity_check"


def integrity_problems(
    connection: sqlite3.Connection, depth: CheckDepth = CheckDepth.FULL
) -> str | None:
    """Check the file; None when SQLite says ``ok``, else its first findings.

    Args:
        connection: An open connection, outside a write transaction.
        depth: The full check (the default), or the quick one that :func:`open_database` runs.

    Raises:
        sqlite3.DatabaseError: The file is not a database, or too damaged to be checked.
    """
    if depth is CheckDepth.FULL:
        return _findings(connection, "PRAGMA integrity_check(20)")
    # This connection's own writes must still honour CHECK: the pragma is switched back after.
    connection.execute("PRAGMA ignore_check_constraints=ON")
    try:
        return _findings(connection, "PRAGMA quick_check(20)")
    finally:
        connection.execute("PRAGMA ignore_check_constraints=OFF")


def _findings(connection: sqlite3.Connection, pragma: str) -> str | None:
    rows = [str(row[0]) for row in connection.execute(pragma)]
    return None if rows == ["ok"] else "; ".join(rows[:5])


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


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and (code & 0xFF) in _CORRUPTION_CODES


def _corrupt(
    spec: StoreSpec, connection: sqlite3.Connection, path: Path, detail: str
) -> StorageError:
    connection.close()
    backup = backup_copy(path)
    _log.error("%s %s failed its integrity check (%s); copy at %s", spec.name, path, detail, backup)
    return spec.corrupt_error(path, backup, detail)


def _failure(template: str, path: Path, exc: BaseException) -> StorageError:
    return StorageError(
        template.format(path=path, exc=exc),
        reason="store_unusable",
        context={"path": str(path), "detail": str(exc)},
    )


def open_database(
    spec: StoreSpec, path: Path, depth: CheckDepth = CheckDepth.QUICK
) -> sqlite3.Connection:
    """Open (creating if needed), check, configure and migrate a store's database.

    The connection is in autocommit mode (``isolation_level=None``): callers issue their own
    ``BEGIN IMMEDIATE`` / ``COMMIT``. It belongs to the thread that opened it. Call it off the
    event loop (the stores' worker threads do): the check reads the whole file.

    Args:
        spec: The store's schema and messages.
        path: The database file.
        depth: The check run before anything writes: the quick one unless told otherwise.

    Raises:
        StorageError: ``spec.corrupt_error``'s class when the file is damaged or not a database
            (a copy was saved); a plain one when it cannot be opened, written (permissions,
            disk full, ...) or is from a newer agent.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise _failure(spec.open_failure, path, exc) from exc
    try:
        problems = integrity_problems(connection, depth)
        if problems is not None:
            raise _corrupt(spec, connection, path, problems)
        mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StorageError(f"SQLite refused WAL mode for {path} (got {mode}).")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA busy_timeout=5000")
        connection.execute(f"PRAGMA cache_size=-{int(spec.cache_kib)}")
        apply_migrations(connection, spec.migrations, spec.name)
    except sqlite3.DatabaseError as exc:
        if _is_corruption(exc):
            raise _corrupt(spec, connection, path, str(exc)) from exc
        connection.close()
        raise _failure(spec.use_failure, path, exc) from exc
    except BaseException:
        connection.close()
        raise
    return connection

"""The synchronous base of a SQLite store: one connection, write transactions, and its lifetime.

:class:`SqliteStore` holds a connection opened by :func:`~.database.open_database` (autocommit
mode, WAL, ``synchronous=FULL``). Every write is one ``BEGIN IMMEDIATE`` ... ``COMMIT``
(:meth:`SqliteStore._transaction`): when it returns, the change is on disk; on any failure it is
rolled back and a SQLite error becomes the store's own
:class:`~orban_desktop.errors.StorageError` (:meth:`SqliteStore._write_failure`), with the
SQLite error as its cause. The connection belongs to the thread that made the store. Imports
only the standard library and ``orban_desktop.errors``; nothing from Qt.
"""

from __future__ import annotations

import contextlib
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Self

from orban_desktop.errors import StorageError


class SqliteStore(ABC):
    """A store over one SQLite connection; use it from one thread, close it when done.

    Args:
        path: The database file.
        connection: Its open connection, in autocommit mode (``isolation_level=None``).
    """

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._conn = connection

    @abstractmethod
    def _write_failure(self, exc: sqlite3.Error) -> StorageError:
        """The error to raise, from ``exc``, for a write transaction that failed."""

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            yield self._conn
            self._conn.execute("COMMIT")
        except BaseException as exc:
            self._end_transaction("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self._write_failure(exc) from exc
            raise

    def _end_transaction(self, statement: str) -> None:
        """Run ``statement`` (COMMIT or ROLLBACK) in an open transaction; roll back if it fails."""
        try:
            if self._conn.in_transaction:  # raises too when the connection is closed
                self._conn.execute(statement)
        except sqlite3.Error:  # the original failure is the one worth reporting
            with contextlib.suppress(sqlite3.Error):
                self._conn.rollback()

    def close(self) -> None:
        """Close the connection (a WAL checkpoint runs when it is the last one)."""
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

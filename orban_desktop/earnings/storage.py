"""Opening the ledger's SQLite file safely, and the error for a damaged one.

:func:`open_connection` opens the ledger with :func:`orban_desktop.storage.database.open_database`:
the quick check (``PRAGMA quick_check``: every page and row, not each index against its table,
nor ``UNIQUE`` or ``CHECK``; ``orban-agent check-data`` runs the full ``integrity_check``) before
anything writes to it, WAL mode with ``synchronous=FULL`` (a committed earning survives a crash or
power loss), then the migrations of :mod:`.schema`. A damaged file is copied to
``<name>.corrupt-<UTC timestamp>`` beside it and reported as
:class:`CorruptLedgerError`; :func:`orban_desktop.storage.database.move_aside` is the explicit
recovery that sets it aside so a new, empty ledger can start. This module holds what is the
ledger's own: the error class and the messages. Imports only the standard library,
``orban_desktop.errors``, ``orban_desktop.storage`` and the schema; nothing from Qt.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from orban_desktop.earnings.schema import MIGRATIONS, STORE_NAME
from orban_desktop.errors import StorageError
from orban_desktop.storage.database import StoreSpec, open_database


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


#: The ledger's file: its schema, its damaged-file error and its messages.
LEDGER_FILE = StoreSpec(
    name=STORE_NAME,
    migrations=MIGRATIONS,
    corrupt_error=CorruptLedgerError,
    open_failure=(
        "Cannot open the earnings database {path}: {exc}. Check that the folder exists "
        "and that you may write to it."
    ),
    use_failure=(
        "Cannot use the earnings database {path}: {exc}. Check free disk space and "
        "permissions, and that no other program holds the file."
    ),
    cache_kib=512,
)


def open_connection(path: Path) -> sqlite3.Connection:
    """Open (creating if needed), check, configure and migrate the ledger database.

    The connection is in autocommit mode (``isolation_level=None``): callers issue their own
    ``BEGIN IMMEDIATE`` / ``COMMIT``. It belongs to the thread that opened it; open it off the
    event loop (``AsyncEarningsLedger.open`` does, on the ledger's worker thread).

    Raises:
        CorruptLedgerError: The quick check found the file damaged, or it is not a database (a
            copy was saved).
        StorageError: The file cannot be opened or written (permissions, disk full, ...).
    """
    return open_database(LEDGER_FILE, path)

"""The ledger's SQLite schema: a version table and an ordered list of migrations.

Each migration is a tuple of SQL statements applied with its version bump in one transaction, so a
crash mid-migration leaves the previous version intact. Amounts are stored twice: the integer
micro-units (``*_micros``, for sums) and the exact wire text (``*_text``, for exports). Times are
integer microseconds since the Unix epoch, UTC. A ``totals`` table, kept by triggers in the same
transaction as every change, makes the dashboard's sums O(1) at any history size. Imports only the
standard library and ``orban_desktop.errors``; nothing from Qt.
"""

from __future__ import annotations

import sqlite3

from orban_desktop.errors import StorageError

_ADD_NEW = """INSERT INTO totals (currency, status, gpu_key, amount_micros, gpu_hours, record_count)
            VALUES (NEW.currency, NEW.status, coalesce(NEW.gpu_index, -1), NEW.amount_micros,
                    NEW.gpu_hours, 1)
            ON CONFLICT (currency, status, gpu_key) DO UPDATE SET
                amount_micros = amount_micros + excluded.amount_micros,
                gpu_hours = gpu_hours + excluded.gpu_hours,
                record_count = record_count + 1;"""
_SUBTRACT_OLD = """UPDATE totals SET amount_micros = amount_micros - OLD.amount_micros,
                          gpu_hours = gpu_hours - OLD.gpu_hours,
                          record_count = record_count - 1
            WHERE currency = OLD.currency AND status = OLD.status
              AND gpu_key = coalesce(OLD.gpu_index, -1);"""

_V1: tuple[str, ...] = (
    """CREATE TABLE earnings (
        id INTEGER PRIMARY KEY,
        record_id TEXT NOT NULL UNIQUE,
        task_id TEXT NOT NULL,
        currency TEXT NOT NULL,
        amount_micros INTEGER NOT NULL,
        amount_text TEXT NOT NULL,
        gpu_hours REAL NOT NULL,
        rate_micros INTEGER NOT NULL,
        rate_text TEXT NOT NULL,
        before_bonus_micros INTEGER,
        before_bonus_text TEXT,
        bonus_multiplier REAL,
        status TEXT NOT NULL CHECK (status IN ('Pending', 'Confirmed', 'Paid')),
        recorded_at_us INTEGER NOT NULL,
        estimated_payout_date TEXT,
        gpu_index INTEGER,
        job_id TEXT,
        updated_at_us INTEGER NOT NULL
    )""",
    # Covers the day sums (no table look-ups) and orders history pages by time.
    "CREATE INDEX earnings_by_time ON earnings (recorded_at_us, currency, amount_micros)",
    "CREATE INDEX earnings_by_task ON earnings (task_id)",
    # Sums per currency, status and GPU (gpu_key -1: no GPU reported), kept by the triggers.
    """CREATE TABLE totals (
        currency TEXT NOT NULL,
        status TEXT NOT NULL,
        gpu_key INTEGER NOT NULL,
        amount_micros INTEGER NOT NULL,
        gpu_hours REAL NOT NULL,
        record_count INTEGER NOT NULL,
        PRIMARY KEY (currency, status, gpu_key)
    )""",
    f"""CREATE TRIGGER earnings_totals_insert AFTER INSERT ON earnings BEGIN
        {_ADD_NEW}
    END""",
    f"""CREATE TRIGGER earnings_totals_delete AFTER DELETE ON earnings BEGIN
        {_SUBTRACT_OLD}
    END""",
    f"""CREATE TRIGGER earnings_totals_update
        AFTER UPDATE OF status, amount_micros, currency, gpu_index, gpu_hours ON earnings BEGIN
        {_SUBTRACT_OLD}
        {_ADD_NEW}
    END""",
    """CREATE TABLE payouts (
        payout_id TEXT PRIMARY KEY,
        period_start TEXT NOT NULL,
        period_end TEXT NOT NULL,
        total_tasks INTEGER NOT NULL,
        total_gpu_hours REAL NOT NULL,
        currency TEXT NOT NULL,
        gross_micros INTEGER NOT NULL,
        gross_text TEXT NOT NULL,
        fee_micros INTEGER NOT NULL,
        fee_text TEXT NOT NULL,
        net_micros INTEGER NOT NULL,
        net_text TEXT NOT NULL,
        payment_method TEXT NOT NULL,
        payment_address TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('Processing', 'Completed', 'Failed')),
        recorded_at_us INTEGER NOT NULL,
        updated_at_us INTEGER NOT NULL
    )""",
    """CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        imported_at_us INTEGER NOT NULL,
        stated_total TEXT,
        stated_today TEXT,
        stated_pending TEXT,
        imported INTEGER NOT NULL,
        skipped INTEGER NOT NULL
    )""",
)

#: Ordered migrations: ``MIGRATIONS[i]`` takes the schema from version ``i`` to ``i + 1``.
MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1,)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(connection: sqlite3.Connection) -> int:
    """The version recorded in the database; 0 for a new, empty file."""
    connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def migrate(
    connection: sqlite3.Connection, migrations: tuple[tuple[str, ...], ...] = MIGRATIONS
) -> int:
    """Bring the schema up to date, one migration per transaction.

    Args:
        connection: An autocommit-mode connection (``isolation_level=None``).
        migrations: The ordered list to apply (tests pass their own).

    Returns:
        The version the database is at afterwards.

    Raises:
        StorageError: The database was written by a newer version of the agent.
    """
    current = schema_version(connection)
    if current > len(migrations):
        raise StorageError(
            f"The earnings database is at schema version {current}, newer than this agent "
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

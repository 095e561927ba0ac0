"""The ledger's SQLite schema: a version table and an ordered list of migrations.

Each migration is a tuple of SQL statements applied with its version bump in one transaction, so a
crash mid-migration leaves the previous version intact. Amounts are stored twice: the integer
micro-units (``*_micros``, for sums) and the exact wire text (``*_text``, for exports). Times are
integer microseconds since the Unix epoch, UTC. A ``totals`` table, kept by triggers in the same
transaction as every change, makes the dashboard's sums O(1) at any history size; a flagged record
(``flag`` not NULL: kept apart, see :class:`~orban_desktop.earnings.records.EarningFlag`) is never
in it, nor in the day sums' partial index. The version table
and the migration runner are :mod:`orban_desktop.storage.database`'s. Imports only the standard
library and ``orban_desktop.storage``; nothing from Qt.
"""

from __future__ import annotations

import sqlite3

from orban_desktop.storage.database import Migrations, apply_migrations, schema_version

__all__ = ["FLAG_VALUES", "MIGRATIONS", "SCHEMA_VERSION", "STORE_NAME", "migrate", "schema_version"]

#: What messages and logs call the ledger's file.
STORE_NAME = "earnings database"

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

#: The values ``earnings.flag`` may hold (the ``EarningFlag`` members of version 2).
FLAG_VALUES = ("not_our_task", "negative", "out_of_range")
_FLAG_LIST = ", ".join(f"'{value}'" for value in FLAG_VALUES)
# Version 2's totals triggers: only unflagged records are added to or taken from the totals.
_ADD_NEW_COUNTED = """INSERT INTO totals
                (currency, status, gpu_key, amount_micros, gpu_hours, record_count)
            SELECT NEW.currency, NEW.status, coalesce(NEW.gpu_index, -1), NEW.amount_micros,
                   NEW.gpu_hours, 1 WHERE NEW.flag IS NULL
            ON CONFLICT (currency, status, gpu_key) DO UPDATE SET
                amount_micros = amount_micros + excluded.amount_micros,
                gpu_hours = gpu_hours + excluded.gpu_hours,
                record_count = record_count + 1;"""
_SUBTRACT_OLD_COUNTED = _SUBTRACT_OLD.replace(";", " AND OLD.flag IS NULL;")

#: Flagged earnings: kept and listed, in no total. Records already stored with a negative amount
#: are flagged as such (the update trigger takes them out of the totals).
_V2: tuple[str, ...] = (
    f"ALTER TABLE earnings ADD COLUMN flag TEXT CHECK (flag IS NULL OR flag IN ({_FLAG_LIST}))",
    "DROP TRIGGER earnings_totals_insert",
    "DROP TRIGGER earnings_totals_delete",
    "DROP TRIGGER earnings_totals_update",
    f"""CREATE TRIGGER earnings_totals_insert AFTER INSERT ON earnings BEGIN
        {_ADD_NEW_COUNTED}
    END""",
    f"""CREATE TRIGGER earnings_totals_delete AFTER DELETE ON earnings BEGIN
        {_SUBTRACT_OLD_COUNTED}
    END""",
    f"""CREATE TRIGGER earnings_totals_update
        AFTER UPDATE OF status, amount_micros, currency, gpu_index, gpu_hours, flag ON earnings
        BEGIN
        {_SUBTRACT_OLD_COUNTED}
        {_ADD_NEW_COUNTED}
    END""",
    # The day sums (counted records only) and the flagged list, each from its own small index.
    """CREATE INDEX earnings_counted_by_time ON earnings (recorded_at_us, currency, amount_micros)
        WHERE flag IS NULL""",
    "CREATE INDEX earnings_flagged_by_time ON earnings (recorded_at_us) WHERE flag IS NOT NULL",
    "UPDATE earnings SET flag = 'negative' WHERE amount_micros < 0",
)

# The energy this agent measured for each task it ran, in integer milliwatt-hours (1e-6 kWh,
# so a cost in micro-units is exact integer arithmetic), from NVML's energy counter or the
# integral of power over the run.
_V3: tuple[str, ...] = (
    """CREATE TABLE task_energy (
        task_id TEXT PRIMARY KEY,
        energy_mwh INTEGER NOT NULL CHECK (energy_mwh >= 0),
        source TEXT NOT NULL CHECK (source IN ('counter', 'power')),
        gpu_index INTEGER,
        recorded_at_us INTEGER NOT NULL
    )""",
)

#: Ordered migrations: ``MIGRATIONS[i]`` takes the schema from version ``i`` to ``i + 1``.
MIGRATIONS: Migrations = (_V1, _V2, _V3)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(connection: sqlite3.Connection, migrations: Migrations = MIGRATIONS) -> int:
    """Bring the schema up to date, one migration per transaction.

    Args:
        connection: An autocommit-mode connection (``isolation_level=None``).
        migrations: The ordered list to apply (tests pass their own).

    Returns:
        The version the database is at afterwards.

    Raises:
        StorageError: The database was written by a newer version of the agent.
    """
    return apply_migrations(connection, migrations, STORE_NAME)

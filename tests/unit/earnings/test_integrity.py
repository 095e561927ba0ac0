"""Opening a damaged ledger (quick check, backup copy, clear error, recovery); the schema.

The check at open is ``PRAGMA quick_check`` without ``CHECK`` constraints; what only the full
``integrity_check`` finds (an index that disagrees with its table, a ``CHECK`` violation) is
shown here to pass the open and to be found by :meth:`EarningsLedger.integrity_check`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from orban_desktop.earnings.ledger import EarningsLedger
from orban_desktop.earnings.schema import MIGRATIONS, SCHEMA_VERSION, migrate, schema_version
from orban_desktop.earnings.storage import LEDGER_FILE, CorruptLedgerError
from orban_desktop.errors import StorageError
from tests.unit.earnings.entries import earning


def _filled_ledger(path: Path, records: int = 400) -> None:
    with EarningsLedger(path) as ledger:
        ledger.record_many(earning(f"task-{i:05d}", "1.5") for i in range(records))
    assert not path.with_name(path.name + "-wal").exists()  # checkpointed on close


def _backups(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if ".corrupt-" in p.name)


def test_a_file_that_is_not_a_database(ledger_path: Path) -> None:
    ledger_path.parent.mkdir(parents=True)
    ledger_path.write_bytes(b"this is not SQLite, it is a text file\n" * 200)
    with pytest.raises(CorruptLedgerError) as caught:
        EarningsLedger(ledger_path)
    [backup] = _backups(ledger_path)
    assert backup.read_bytes() == ledger_path.read_bytes()
    assert caught.value.backup == backup
    assert isinstance(caught.value, StorageError)
    assert str(backup) in caught.value.message
    assert "orban-agent import" in caught.value.message


def test_damaged_pages_are_caught_before_any_write(ledger_path: Path) -> None:
    _filled_ledger(ledger_path)
    data = bytearray(ledger_path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    assert len(data) > 4 * page_size
    data[2 * page_size : 4 * page_size] = bytes([0xA5]) * (2 * page_size)  # pages 3 and 4
    ledger_path.write_bytes(data)
    with pytest.raises(CorruptLedgerError) as caught:
        EarningsLedger(ledger_path)
    assert ledger_path.read_bytes() == bytes(data)  # left exactly as found
    assert _backups(ledger_path) == [caught.value.backup]
    assert caught.value.backup.read_bytes() == bytes(data)


def _rewrite_schema(path: Path, name: str, sql: str) -> None:
    """Change the SQL that SQLite holds for ``name`` (its pages stay as they are)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", (sql, name))
    conn.close()


def test_an_index_that_disagrees_with_its_table_is_left_to_the_full_check(
    ledger_path: Path,
) -> None:
    _filled_ledger(ledger_path, records=50)
    _rewrite_schema(
        ledger_path, "earnings_by_task", "CREATE INDEX earnings_by_task ON earnings (currency)"
    )
    with EarningsLedger(ledger_path) as ledger:  # the quick check at open does not compare
        found = ledger.integrity_check()
    assert "missing from index earnings_by_task" in found
    assert _backups(ledger_path) == []


def test_a_check_violation_is_left_to_the_full_check_and_writes_still_honour_check(
    ledger_path: Path,
) -> None:
    _filled_ledger(ledger_path, records=50)
    conn = sqlite3.connect(ledger_path, isolation_level=None)
    conn.execute("PRAGMA ignore_check_constraints=ON")
    conn.execute("UPDATE earnings SET status = 'Bogus' WHERE id = 3")  # a foreign writer
    conn.close()
    with EarningsLedger(ledger_path) as ledger:
        assert "CHECK constraint failed in earnings" in ledger.integrity_check()
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            ledger._conn.execute("UPDATE earnings SET status = 'Bogus' WHERE id = 4")


def test_recover_moves_the_bad_file_aside_and_starts_empty(ledger_path: Path) -> None:
    ledger_path.parent.mkdir(parents=True)
    ledger_path.write_bytes(b"garbage" * 1000)
    ledger, moved = EarningsLedger.recover(ledger_path)
    with ledger:
        assert moved is not None and moved.read_bytes() == b"garbage" * 1000
        assert ledger.get_data().history_count == 0
        ledger.record_earnings(earning("task-1"))
        assert ledger.integrity_check() == "ok"
    with EarningsLedger(ledger_path) as reopened:
        assert reopened.get_data().history_count == 1


def test_recover_without_a_file_just_creates_one(ledger_path: Path) -> None:
    ledger, moved = EarningsLedger.recover(ledger_path)
    ledger.close()
    assert moved is None and ledger_path.exists()


def test_unopenable_path_is_a_storage_error_without_backup(tmp_path: Path) -> None:
    directory = tmp_path / "ledger.sqlite3"
    directory.mkdir()
    with pytest.raises(StorageError, match="Cannot") as caught:
        EarningsLedger(directory)
    assert not isinstance(caught.value, CorruptLedgerError)
    assert _backups(directory) == []


def test_schema_from_a_newer_agent_is_refused(ledger_path: Path) -> None:
    EarningsLedger(ledger_path).close()
    with sqlite3.connect(ledger_path) as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION + 1,))
    conn.close()
    with pytest.raises(StorageError, match="newer"):
        EarningsLedger(ledger_path)


def test_migrations_apply_in_order_and_a_failing_one_rolls_back(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "m.sqlite3", isolation_level=None)
    assert migrate(conn) == SCHEMA_VERSION == len(MIGRATIONS) == 3
    assert migrate(conn) == SCHEMA_VERSION  # nothing left to do
    broken = (*MIGRATIONS, ("ALTER TABLE earnings ADD COLUMN note TEXT", "NOT VALID SQL"))
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, broken)
    assert schema_version(conn) == SCHEMA_VERSION
    columns = [row[1] for row in conn.execute("PRAGMA table_info(earnings)")]
    assert "note" not in columns  # the half-applied step was rolled back
    working = (*MIGRATIONS, ("ALTER TABLE earnings ADD COLUMN note TEXT",))
    assert migrate(conn, working) == SCHEMA_VERSION + 1
    assert "note" in [row[1] for row in conn.execute("PRAGMA table_info(earnings)")]
    conn.close()


def test_ledger_runs_in_wal_with_full_sync(ledger: EarningsLedger) -> None:
    conn = ledger._conn  # the settings live on the ledger's own connection
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_the_ledgers_page_cache_is_bounded(ledger: EarningsLedger) -> None:
    # negative: KiB, not pages; well under SQLite's 2,000 KiB default, so a week-long run's
    # memory does not grow with the file (bench_ledger's reads at 1M records: unchanged)
    assert ledger._conn.execute("PRAGMA cache_size").fetchone()[0] == -LEDGER_FILE.cache_kib
    assert LEDGER_FILE.cache_kib == 512

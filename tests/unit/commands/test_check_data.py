"""``orban-agent check-data``: the full integrity check of real ledger and outbox files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from orban_desktop.agent.outbox import OutboxItem, ResultOutbox
from orban_desktop.earnings import EarningsLedger
from tests.unit.commands.fake_agent import run_cli
from tests.unit.earnings.entries import earning


@pytest.fixture
def root(tmp_path: Path) -> Path:
    with EarningsLedger(tmp_path / "data" / "earnings.sqlite3") as ledger:
        ledger.record_many(earning(f"task-{i:03d}", "0.25") for i in range(40))
    with ResultOutbox(tmp_path / "data" / "outbox.sqlite3") as outbox:
        outbox.put(OutboxItem("task-1", "m-1", "TASK_COMPLETE", '{"type":"TASK_COMPLETE"}', 1.0))
    return tmp_path


def test_sound_files_pass_and_are_left_unchanged(root: Path) -> None:
    ledger = root / "data" / "earnings.sqlite3"
    before = ledger.read_bytes()
    code, lines = run_cli(["check-data", "--root", str(root)])
    assert code == 0
    assert lines[0].startswith(f"Earnings database {ledger}: ok (full check, ")
    assert lines[1].startswith(f"Result outbox {root / 'data' / 'outbox.sqlite3'}: ok (full check")
    assert ledger.read_bytes() == before


def test_missing_files_are_not_an_error(tmp_path: Path) -> None:
    code, lines = run_cli(["check-data", "--root", str(tmp_path)])
    assert code == 0
    assert [line.split(":")[-1] for line in lines] == [" not there yet (nothing to check)."] * 2
    assert not (tmp_path / "data" / "earnings.sqlite3").exists()


def test_an_index_the_quick_check_passes_is_reported_with_what_to_do(root: Path) -> None:
    ledger = root / "data" / "earnings.sqlite3"
    conn = sqlite3.connect(ledger, isolation_level=None)
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX earnings_by_task ON earnings (currency)'"
        " WHERE name = 'earnings_by_task'"
    )
    conn.close()
    EarningsLedger(ledger).close()  # the quick check at open lets it through
    code, lines = run_cli(["check-data", "--root", str(root)])
    assert code == 1
    assert lines[0].startswith(f"Earnings database {ledger}: DAMAGED: row 1 missing from index")
    assert "orban-agent export-earnings" in lines[1] and "orban-agent import" in lines[1]
    assert ": ok (full check, " in lines[2]


def test_a_file_that_is_not_a_database_is_reported(root: Path) -> None:
    outbox = root / "data" / "outbox.sqlite3"
    for leftover in ("-wal", "-shm"):
        outbox.with_name(outbox.name + leftover).unlink(missing_ok=True)
    outbox.write_bytes(b"not SQLite at all\n" * 300)
    code, lines = run_cli(["check-data", "--root", str(root)])
    assert code == 1
    assert ": ok (" in lines[0]
    assert lines[1] == f"Result outbox {outbox}: DAMAGED: file is not a database"
    assert "the platform re-queues" in lines[2]
    assert outbox.read_bytes() == b"not SQLite at all\n" * 300

"""``orban-agent earnings`` with records kept apart: "Not counted", --flagged, --history."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from orban_desktop.earnings import EarningEntry, EarningFlag, EarningsLedger
from orban_desktop.money import Money
from orban_desktop.protocol.enums import EarningStatus
from tests.unit.commands.fake_agent import run_cli


def _entry(task_id: str, amount: str, hour: int, flag: EarningFlag | None = None) -> EarningEntry:
    return EarningEntry(
        record_id=task_id,
        task_id=task_id,
        amount=Money.parse(amount),
        gpu_hours=0.5,
        rate_per_hour=Money.parse("1.25"),
        status=EarningStatus.CONFIRMED,
        recorded_at=datetime(2025, 11, 27, hour, 0, tzinfo=UTC),
        flag=flag,
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    with EarningsLedger(tmp_path / "data" / "earnings.sqlite3") as ledger:
        ledger.record_earnings(_entry("task-ours", "0.625", 10))
        ledger.record_earnings(_entry("task-stranger", "1.00", 11, EarningFlag.NOT_OUR_TASK))
        ledger.record_earnings(_entry("task-minus", "-2.50", 12))
    return tmp_path


def test_the_totals_leave_flagged_records_out_and_say_so(root: Path) -> None:
    code, lines = run_cli(["earnings", "--root", str(root)])
    assert code == 0
    assert "    Confirmed: $0.625 (waiting for a payout)" in lines
    assert "  Earned:    $0.625 (all time, every status)" in lines
    assert lines[-2] == (
        "Not counted: 2 records (-$1.50) the platform reported that this agent cannot vouch "
        "for; see --flagged"
    )


def test_flagged_lists_them_with_the_reason(root: Path) -> None:
    code, lines = run_cli(["earnings", "--flagged", "--root", str(root)])
    assert code == 0
    at = lines.index("Not counted, newest first (2 of 2):")
    newest, older = lines[at + 1 : at + 3]
    assert "task-minus" in newest and "-$2.50" in newest and "a negative amount" in newest
    assert "2025-11-27" in older and "task-stranger" in older and "$1.00" in older
    assert older.endswith("not from a task of this agent")


def test_history_marks_flagged_records(root: Path) -> None:
    code, lines = run_cli(["earnings", "--history", "--root", str(root)])
    assert code == 0
    at = lines.index("History, newest first (3 of 3):")
    minus, stranger, ours = lines[at + 1 : at + 4]
    assert minus.endswith("[not counted: a negative amount]")
    assert stranger.endswith("[not counted: not from a task of this agent]")
    assert "task-ours" in ours and "not counted" not in ours


def test_nothing_flagged_prints_no_not_counted_line(tmp_path: Path) -> None:
    with EarningsLedger(tmp_path / "data" / "earnings.sqlite3") as ledger:
        ledger.record_earnings(_entry("task-ours", "0.625", 10))
    code, lines = run_cli(["earnings", "--flagged", "--root", str(tmp_path)])
    assert code == 0
    assert not any(line.startswith("Not counted") for line in lines)
    assert "No records kept apart: every earning the platform reported is counted." in lines

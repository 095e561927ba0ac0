"""Flagged earnings: stored and listed, in no total (summary, today, per day, per GPU)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from orban_desktop.earnings import EarningFlag, FlaggedSummary, describe_flag
from orban_desktop.earnings.async_ledger import AsyncEarningsLedger
from orban_desktop.earnings.ledger import EarningsLedger
from orban_desktop.earnings.records import RecordOutcome
from orban_desktop.protocol.enums import EarningStatus
from tests.unit.earnings.entries import T0, earning

NOW = T0 + timedelta(hours=1)
NOT_OURS = EarningFlag.NOT_OUR_TASK


def _row_count(path: Path) -> int:
    with sqlite3.connect(path) as other:
        return int(other.execute("SELECT count(*) FROM earnings").fetchone()[0])


@pytest.fixture
def mixed(ledger: EarningsLedger) -> EarningsLedger:
    """Two counted earnings on GPU 0, and three flagged ones on GPU 0 and on no GPU."""
    ledger.record_earnings(earning("ours-1", "1.00", status=EarningStatus.CONFIRMED))
    ledger.record_earnings(earning("ours-2", "0.50"))
    ledger.record_earnings(earning("stranger", "7.00", flag=NOT_OURS, at=T0 + timedelta(minutes=1)))
    ledger.record_earnings(
        earning("big", "90", status=EarningStatus.PAID, flag=EarningFlag.OUT_OF_RANGE)
    )
    ledger.record_earnings(earning("minus", "-20.00", gpu_index=None, at=T0 - timedelta(days=1)))
    return ledger


def test_the_flags_and_their_reasons() -> None:
    assert {flag.value for flag in EarningFlag} == {"not_our_task", "negative", "out_of_range"}
    assert describe_flag(EarningFlag.NOT_OUR_TASK) == "not from a task of this agent"
    assert describe_flag(EarningFlag.NEGATIVE) == "a negative amount"
    assert EarningFlag.OUT_OF_RANGE.description == "far outside the task's priced range"


def test_a_negative_amount_is_always_flagged() -> None:
    assert earning("minus", "-0.01").flag is EarningFlag.NEGATIVE
    assert earning("minus", "-0.01", flag=NOT_OURS).flag is NOT_OURS  # the given reason is kept
    assert earning("zero", "0").flag is None and earning("zero", "0").counted


def test_a_new_flagged_record_is_stored_apart(ledger: EarningsLedger) -> None:
    assert ledger.record_earnings(earning("stranger", flag=NOT_OURS)) is RecordOutcome.FLAGGED
    assert ledger.record_earnings(earning("minus", "-5")) is RecordOutcome.FLAGGED
    assert ledger.record_earnings(earning("ours")) is RecordOutcome.STORED
    assert _row_count(ledger.path) == 3


def test_flagged_records_are_in_no_total(mixed: EarningsLedger) -> None:
    data = mixed.get_data(now=NOW, tz=UTC)
    assert (data.total_micros, data.confirmed_micros, data.paid_micros) == (1_000_000,) * 2 + (0,)
    assert (data.pending_micros, data.today_micros) == (500_000, 1_500_000)
    assert mixed.update_today_earnings(now=NOW, tz=UTC) == 1_500_000
    days = mixed.daily_totals(days=2, now=NOW, tz=UTC)
    assert [(d.amount_micros, d.record_count) for d in days] == [(0, 0), (1_500_000, 2)]
    [gpu] = mixed.totals_by_gpu()
    assert (gpu.gpu_index, gpu.amount_micros, gpu.record_count, gpu.gpu_hours) == (
        0,
        1_500_000,
        2,
        1.0,
    )


def test_flagged_records_are_listed_with_their_flag(mixed: EarningsLedger) -> None:
    data = mixed.get_data()
    assert data.history_count == 5  # the history keeps everything the platform said
    assert {e.record_id: e.flag for e in data.history} == {
        "ours-1": None,
        "ours-2": None,
        "stranger": NOT_OURS,
        "big": EarningFlag.OUT_OF_RANGE,
        "minus": EarningFlag.NEGATIVE,
    }
    assert [e.record_id for e in mixed.flagged()] == ["stranger", "big", "minus"]  # newest first
    assert [e.record_id for e in mixed.flagged(page=1, page_size=2)] == ["minus"]
    assert mixed.query(status=EarningStatus.PAID).items[0].flag is EarningFlag.OUT_OF_RANGE
    assert mixed.flagged_summary() == FlaggedSummary(
        count=3, total_micros=77_000_000, currency="USD"
    )
    assert mixed.flagged_summary("EUR") == FlaggedSummary(0, 0, "EUR")


def test_a_negative_amount_cannot_push_the_totals_below_zero(ledger: EarningsLedger) -> None:
    ledger.record_earnings(earning("ours", "0.25", status=EarningStatus.CONFIRMED, at=NOW))
    for status in EarningStatus:
        ledger.record_earnings(earning(f"minus-{status}", "-1000", status=status, at=NOW))
    data = ledger.get_data(now=NOW, tz=UTC)
    assert (data.total_micros, data.today_micros, data.pending_micros) == (250_000, 250_000, 0)
    assert ledger.daily_totals(days=1, now=NOW, tz=UTC)[0].amount_micros == 250_000
    assert [g.amount_micros for g in ledger.totals_by_gpu()] == [250_000]
    assert ledger.flagged_summary().total_micros == -3_000_000_000


def test_a_status_change_keeps_the_flag_and_the_totals(ledger: EarningsLedger) -> None:
    ledger.record_earnings(earning("stranger", "3", flag=NOT_OURS))
    assert ledger.confirm_earnings("stranger") is True
    paid = earning("stranger", "3", status=EarningStatus.PAID, flag=NOT_OURS)
    assert ledger.record_earnings(paid) is RecordOutcome.STATUS_UPDATED
    [entry] = ledger.flagged()
    assert (entry.status, entry.flag) == (EarningStatus.PAID, NOT_OURS)
    data = ledger.get_data()
    assert (data.total_micros, data.pending_micros, data.paid_micros) == (0, 0, 0)
    assert ledger.totals_by_gpu() == []


def test_redelivery_is_stored_once_and_keeps_the_first_flag(ledger: EarningsLedger) -> None:
    flagged = earning("stranger", flag=NOT_OURS)
    assert ledger.record_earnings(flagged) is RecordOutcome.FLAGGED
    assert ledger.record_earnings(flagged) is RecordOutcome.ALREADY_STORED
    assert ledger.record_earnings(earning("stranger")) is RecordOutcome.ALREADY_STORED
    ledger.record_earnings(earning("ours"))
    confirmed = earning("ours", status=EarningStatus.CONFIRMED, flag=NOT_OURS)
    assert ledger.record_earnings(confirmed) is RecordOutcome.STATUS_UPDATED
    assert _row_count(ledger.path) == 2
    assert {e.record_id: e.flag for e in ledger.get_data().history} == {
        "stranger": NOT_OURS,
        "ours": None,
    }
    assert ledger.get_data().confirmed_micros == 625_000  # first stored counted, still counted


def test_record_many_reports_flagged_ones(ledger: EarningsLedger) -> None:
    outcomes = ledger.record_many([earning("a"), earning("b", "-1"), earning("a")])
    assert outcomes == [RecordOutcome.STORED, RecordOutcome.FLAGGED, RecordOutcome.ALREADY_STORED]


async def test_the_async_ledger_lists_and_sums_flagged_records(ledger_path: Path) -> None:
    async with await AsyncEarningsLedger.open(ledger_path) as ledger:
        outcome = await ledger.record_earnings(earning("stranger", "-1.5", flag=NOT_OURS))
        assert outcome is RecordOutcome.FLAGGED
        await ledger.record_earnings(earning("ours", at=datetime(2025, 11, 28, tzinfo=UTC)))
        assert [e.record_id for e in await ledger.flagged()] == ["stranger"]
        assert await ledger.flagged_summary() == FlaggedSummary(1, -1_500_000, "USD")
        assert (await ledger.get_data()).pending_micros == 625_000

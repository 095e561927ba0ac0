"""EarningsLedger writes: idempotency by record id, the confirm flow, payouts, exact money."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from orban_desktop.earnings.ledger import EarningsLedger
from orban_desktop.earnings.records import RecordOutcome
from orban_desktop.protocol.enums import EarningStatus, PayoutStatus
from tests.unit.earnings.entries import earning, payout


def _row_count(path: Path, table: str = "earnings") -> int:
    with sqlite3.connect(path) as other:
        return int(other.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_redelivered_record_is_stored_once(ledger: EarningsLedger) -> None:
    assert ledger.record_earnings(earning("task-1")) is RecordOutcome.STORED
    assert ledger.record_earnings(earning("task-1")) is RecordOutcome.ALREADY_STORED
    # Same amount written differently ("0.6250") is the same record, not a conflict.
    assert ledger.record_earnings(earning("task-1", "0.6250")) is RecordOutcome.ALREADY_STORED
    assert _row_count(ledger.path) == 1
    assert ledger.get_data().pending_micros == 625_000


def test_status_moves_forward_never_back_and_never_duplicates(ledger: EarningsLedger) -> None:
    ledger.record_earnings(earning("task-1"))
    confirmed = earning("task-1", status=EarningStatus.CONFIRMED)
    assert ledger.record_earnings(confirmed) is RecordOutcome.STATUS_UPDATED
    paid = earning("task-1", status=EarningStatus.PAID)
    assert ledger.record_earnings(paid) is RecordOutcome.STATUS_UPDATED
    assert ledger.record_earnings(earning("task-1")) is RecordOutcome.ALREADY_STORED
    data = ledger.get_data()
    assert [e.status for e in data.history] == [EarningStatus.PAID]
    assert (data.pending_micros, data.confirmed_micros, data.paid_micros) == (0, 0, 625_000)
    assert data.total_micros == 625_000
    assert _row_count(ledger.path) == 1


def test_different_amount_under_same_id_keeps_first(ledger: EarningsLedger) -> None:
    ledger.record_earnings(earning("task-1", "1.00"))
    outcome = ledger.record_earnings(earning("task-1", "2.00", status=EarningStatus.CONFIRMED))
    assert outcome is RecordOutcome.CONFLICT_KEPT_FIRST
    data = ledger.get_data()
    assert data.history[0].amount.text == "1.00"
    assert data.confirmed_micros == 1_000_000  # the status still moved forward


def test_confirm_flow_moves_pending_into_total(ledger: EarningsLedger) -> None:
    ledger.record_earnings(earning("task-1", "0.625"))
    ledger.record_earnings(earning("task-2", "0.96"))
    assert ledger.confirm_earnings("task-1") is True
    assert ledger.confirm_earnings("task-1") is False  # already confirmed
    assert ledger.confirm_earnings("no-such-task") is False
    assert ledger.confirm_earnings("") is False
    data = ledger.get_data()
    assert (data.total_micros, data.pending_micros, data.confirmed_micros) == (
        625_000,
        960_000,
        625_000,
    )


def test_amount_finer_than_a_micro_is_summed_rounded_and_kept_exact(ledger: EarningsLedger) -> None:
    ledger.record_earnings(earning("task-1", "0.1036875"))
    ledger.record_earnings(earning("task-2", "0.0000005"))  # half-even: rounds to 0
    data = ledger.get_data()
    assert data.pending_micros == 103_688
    assert {e.amount.text for e in data.history} == {"0.1036875", "0.0000005"}


def test_committed_write_is_visible_to_another_connection(ledger: EarningsLedger) -> None:
    ledger.record_earnings(earning("task-1"))
    assert _row_count(ledger.path) == 1
    with sqlite3.connect(ledger.path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopen_keeps_everything(ledger_path: Path) -> None:
    with EarningsLedger(ledger_path) as first:
        first.record_earnings(earning("task-1"))
        first.record_payout(payout("payout-1"))
    with EarningsLedger(ledger_path) as second:
        assert [e.task_id for e in second.get_data().history] == ["task-1"]
        assert [p.payout_id for p in second.payouts()] == ["payout-1"]
        assert second.integrity_check() == "ok"


def test_payouts_are_idempotent_and_final_statuses_stick(ledger: EarningsLedger) -> None:
    assert ledger.record_payout(payout("p-1")) is RecordOutcome.STORED
    assert ledger.record_payout(payout("p-1")) is RecordOutcome.ALREADY_STORED
    completed = payout("p-1", PayoutStatus.COMPLETED)
    assert ledger.record_payout(completed) is RecordOutcome.STATUS_UPDATED
    assert ledger.record_payout(payout("p-1", PayoutStatus.FAILED)) is RecordOutcome.ALREADY_STORED
    [stored] = ledger.payouts()
    assert stored.status is PayoutStatus.COMPLETED
    assert (stored.gross.text, stored.fee.text, stored.net.micros) == ("10.00", "1.50", 8_500_000)
    assert _row_count(ledger.path, "payouts") == 1


def test_totals_by_gpu(ledger: EarningsLedger) -> None:
    ledger.record_earnings(earning("a", "1", gpu_index=0, gpu_hours=1.0))
    ledger.record_earnings(earning("b", "2", gpu_index=1, gpu_hours=2.0))
    ledger.record_earnings(earning("c", "3", gpu_index=0, gpu_hours=0.5))
    ledger.record_earnings(earning("d", "4", gpu_index=None))
    totals = [
        (t.gpu_index, t.amount_micros, t.gpu_hours, t.record_count) for t in ledger.totals_by_gpu()
    ]
    assert totals == [(0, 4_000_000, 1.5, 2), (1, 2_000_000, 2.0, 1), (None, 4_000_000, 0.5, 1)]


def test_record_many_is_all_or_nothing(ledger: EarningsLedger) -> None:
    with pytest.raises(AttributeError):
        ledger.record_many([earning("a"), "not an entry"])  # type: ignore[list-item]
    assert _row_count(ledger.path) == 0


def test_trigger_kept_totals_match_the_records(ledger: EarningsLedger) -> None:
    ledger.record_earnings(earning("a", "1.5", gpu_index=None))
    ledger.record_earnings(earning("b", "2", gpu_index=1))
    ledger.record_earnings(earning("c", "0.1036875", gpu_index=1))
    # A later delivery names the GPU and confirms: the sums move with the row.
    ledger.record_earnings(earning("a", "1.5", gpu_index=2, status=EarningStatus.CONFIRMED))
    ledger.confirm_earnings("b")
    with sqlite3.connect(ledger.path) as other:
        recomputed = other.execute(
            "SELECT gpu_index, sum(amount_micros), count(*) FROM earnings"
            " GROUP BY gpu_index ORDER BY gpu_index"
        ).fetchall()
    assert [(t.gpu_index, t.amount_micros, t.record_count) for t in ledger.totals_by_gpu()] == [
        tuple(row) for row in recomputed
    ]
    assert recomputed == [(1, 2_103_688, 2), (2, 1_500_000, 1)]
    data = ledger.get_data()
    assert (data.confirmed_micros, data.pending_micros) == (3_500_000, 103_688)

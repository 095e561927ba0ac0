"""Builders of ledger entries for the earnings tests (no fakes: plain values)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from orban_desktop.earnings.records import EarningEntry, EarningFlag, PayoutEntry
from orban_desktop.money import Money
from orban_desktop.protocol.enums import EarningStatus, PayoutStatus

T0 = datetime(2025, 11, 27, 12, 0, tzinfo=UTC)
UPSTREAM_EARNINGS = (
    Path(__file__).resolve().parents[2]
    / "data/upstream-data/linux-home/.local/share/orban-agent/earnings.json"
)


def earning(
    task_id: str,
    amount: str = "0.625",
    *,
    status: EarningStatus = EarningStatus.PENDING,
    at: datetime = T0,
    gpu_index: int | None = 0,
    gpu_hours: float = 0.5,
    rate: str = "1.25",
    flag: EarningFlag | None = None,
) -> EarningEntry:
    """An EARNINGS_RECORD-like entry: the record id is the task id."""
    return EarningEntry(
        record_id=task_id,
        task_id=task_id,
        amount=Money.parse(amount),
        gpu_hours=gpu_hours,
        rate_per_hour=Money.parse(rate),
        amount_before_bonus=Money.parse(amount),
        bonus_multiplier=1.0,
        status=status,
        recorded_at=at,
        estimated_payout_date="2025-12-01",
        gpu_index=gpu_index,
        job_id=f"job-{task_id}",
        flag=flag,
    )


def payout(payout_id: str, status: PayoutStatus = PayoutStatus.PROCESSING) -> PayoutEntry:
    return PayoutEntry(
        payout_id=payout_id,
        period_start="2025-11-01T00:00:00Z",
        period_end="2025-11-30T23:59:59Z",
        total_tasks=12,
        total_gpu_hours=7.5,
        gross=Money.parse("10.00"),
        fee=Money.parse("1.50"),
        net=Money.parse("8.50"),
        payment_method="crypto",
        payment_address="0xabc",
        status=status,
        recorded_at=T0,
    )

"""The earnings ledger's own value types: what goes in (entries) and what comes out (summaries).

The ledger does not import the protocol message models: the agent converts an EARNINGS_RECORD or
PAYOUT_NOTIFICATION into an :class:`EarningEntry` or :class:`PayoutEntry` and hands that over.
Amounts are :class:`~orban_desktop.money.Money` (exact wire text plus integer micro-units), never
floats. An entry with an :class:`EarningFlag` is stored apart: kept, listed and exported, but in
no total (a negative amount is always flagged). Results are frozen dataclasses with integer
micro-unit sums. Imports only ``orban_desktop.money`` and ``orban_desktop.protocol.enums``;
nothing from Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum

from orban_desktop.money import Money
from orban_desktop.protocol.enums import EarningStatus, PayoutStatus

#: Earning statuses in the only order they may move: a record never goes back.
EARNING_STATUS_RANK: dict[EarningStatus, int] = {
    EarningStatus.PENDING: 0,
    EarningStatus.CONFIRMED: 1,
    EarningStatus.PAID: 2,
}
#: Payout statuses by rank: Processing may become Completed or Failed; those are final.
PAYOUT_STATUS_RANK: dict[PayoutStatus, int] = {
    PayoutStatus.PROCESSING: 0,
    PayoutStatus.COMPLETED: 1,
    PayoutStatus.FAILED: 1,
}


class EarningFlag(StrEnum):
    """Why an earning is kept apart: stored and listed, but not in any total."""

    #: The record is for a task this agent never ran.
    NOT_OUR_TASK = "not_our_task"
    #: The amount is below zero.
    NEGATIVE = "negative"
    #: The amount is far outside the price the task was offered at.
    OUT_OF_RANGE = "out_of_range"

    @property
    def description(self) -> str:
        """The reason in plain English, e.g. ``"not from a task of this agent"``."""
        return _FLAG_DESCRIPTIONS[self]


_FLAG_DESCRIPTIONS: dict[EarningFlag, str] = {
    EarningFlag.NOT_OUR_TASK: "not from a task of this agent",
    EarningFlag.NEGATIVE: "a negative amount",
    EarningFlag.OUT_OF_RANGE: "far outside the task's priced range",
}


def describe_flag(flag: EarningFlag) -> str:
    """The reason a flagged earning is not counted, in plain English."""
    return flag.description


def _require_utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (UTC), got naive {value.isoformat()}")
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class EarningEntry:
    """One earning, as the platform reported it for one task.

    Attributes:
        record_id: Idempotency key; for an EARNINGS_RECORD it is the task id.
        task_id: The task the earning is for ("" for records imported from the upstream agent).
        amount: The final amount (after any bonus), exact.
        currency: ISO code of every amount in the entry.
        gpu_hours: GPU time billed, in hours.
        rate_per_hour: Price per GPU hour.
        amount_before_bonus: The amount before the bonus multiplier; None when not reported.
        bonus_multiplier: The multiplier applied; None when not reported.
        status: Pending, Confirmed or Paid.
        recorded_at: When the earning was recorded; aware, normalised to UTC.
        estimated_payout_date: The platform's estimate, as sent; None when not given.
        gpu_index: Which local GPU did the work; None when unknown.
        job_id: The platform's job id; None when unknown.
        flag: Why the earning is kept apart (in no total); None for an earning that counts. A
            negative amount is flagged :attr:`EarningFlag.NEGATIVE` when no other flag is given.
    """

    record_id: str
    task_id: str
    amount: Money
    currency: str = "USD"
    gpu_hours: float
    rate_per_hour: Money
    amount_before_bonus: Money | None = None
    bonus_multiplier: float | None = None
    status: EarningStatus = EarningStatus.PENDING
    recorded_at: datetime
    estimated_payout_date: str | None = None
    gpu_index: int | None = None
    job_id: str | None = None
    flag: EarningFlag | None = None

    def __post_init__(self) -> None:
        if not self.record_id:
            raise ValueError("an earning needs a non-empty record_id")
        object.__setattr__(self, "recorded_at", _require_utc(self.recorded_at, "recorded_at"))
        if self.flag is not None:
            object.__setattr__(self, "flag", EarningFlag(self.flag))
        elif self.amount.decimal < 0:
            object.__setattr__(self, "flag", EarningFlag.NEGATIVE)

    @property
    def counted(self) -> bool:
        """True when the earning is in the totals (it has no flag)."""
        return self.flag is None


@dataclass(frozen=True, slots=True, kw_only=True)
class PayoutEntry:
    """One payout, as a PAYOUT_NOTIFICATION reported it.

    Attributes:
        period_start: Start of the paid period, as the platform wrote it.
        period_end: End of the paid period, as the platform wrote it.
        gross: Sum earned in the period; fee: the platform's fee; net: what is paid.
        recorded_at: When the notification was recorded; aware, normalised to UTC.
    """

    payout_id: str
    period_start: str
    period_end: str
    total_tasks: int
    total_gpu_hours: float
    gross: Money
    fee: Money
    net: Money
    currency: str = "USD"
    payment_method: str
    payment_address: str
    status: PayoutStatus
    recorded_at: datetime

    def __post_init__(self) -> None:
        if not self.payout_id:
            raise ValueError("a payout needs a non-empty payout_id")
        object.__setattr__(self, "recorded_at", _require_utc(self.recorded_at, "recorded_at"))


class RecordOutcome(StrEnum):
    """What storing an entry did; every outcome is committed before it is returned."""

    STORED = "stored"
    ALREADY_STORED = "already stored"
    STATUS_UPDATED = "status updated"
    #: Same id, different amounts or fields: the first version is kept (and a warning logged).
    CONFLICT_KEPT_FIRST = "conflict, first kept"
    #: A new record with a flag: stored apart, in no total (so add it to no live counter).
    FLAGGED = "stored apart, flagged"


@dataclass(frozen=True, slots=True)
class EarningsSummary:
    """The dashboard's numbers, in micro-units of ``currency``, and one page of history.

    ``earned`` is every counted record of any status (pending + confirmed + paid), so ``today``
    (every status, local date today) is never more than it; ``total`` keeps the upstream
    tracker's meaning, confirmed plus paid, for its ``earnings.json``. Flagged records are in no
    sum, but they are in ``history`` (with their flag) and in ``history_count``.
    """

    currency: str
    earned_micros: int
    total_micros: int
    today_micros: int
    pending_micros: int
    confirmed_micros: int
    paid_micros: int
    history: list[EarningEntry]
    history_count: int
    page: int
    page_size: int


@dataclass(frozen=True, slots=True)
class FlaggedSummary:
    """The records kept apart (flagged) in ``currency``: how many, and what they would sum to.

    ``total_micros`` is the plain sum of their amounts, so it may be negative; it is in no total.
    """

    count: int
    total_micros: int
    currency: str


@dataclass(frozen=True, slots=True)
class DailyTotal:
    """Sum of one local calendar day (any status; flagged records are not in it)."""

    day: date
    amount_micros: int
    record_count: int


@dataclass(frozen=True, slots=True)
class GpuTotal:
    """Sum per local GPU (flagged records not in it); ``gpu_index`` None: no GPU reported."""

    gpu_index: int | None
    amount_micros: int
    gpu_hours: float
    record_count: int


@dataclass(frozen=True, slots=True)
class EarningsPage:
    """One page of a filtered query, newest first, and how many records match in all."""

    items: list[EarningEntry]
    total_count: int
    page: int
    page_size: int


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import of a seed-format ``earnings.json`` did.

    Attributes:
        imported: Records newly stored (flagged ones included).
        skipped_duplicates: Records already in the ledger (same id), unchanged.
        status_updated: Records already stored whose status moved forward.
        conflicts: Records whose id was stored with other amounts (the stored one is kept).
        stated_totals_match: Whether the file's own total and pending equal its history's sums
            of the records that count (a check only: the ledger always sums its records).
        mismatches: Human-readable notes where they do not.
        flagged: Of the records newly stored, those kept apart (flagged), in no total.
    """

    imported: int
    skipped_duplicates: int
    status_updated: int = 0
    conflicts: int = 0
    stated_totals_match: bool = True
    mismatches: list[str] = field(default_factory=list)
    flagged: int = 0

"""Read-side SQL of the earnings ledger: row conversion, the dashboard summary, chart sums, queries.

Every function takes an open ``sqlite3.Connection`` (owned by :class:`EarningsLedger`) and returns
the frozen dataclasses of :mod:`.records`. Local calendar days become UTC microsecond ranges
(:mod:`.local_time`), so every day query is a range scan of a covering index, and the totals come
from the trigger-kept ``totals`` table, so the dashboard costs the same at any history size.
Flagged records (kept apart) are in no sum; they are listed, with their flag, like any other.
Imports nothing from Qt and no protocol models.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, tzinfo
from typing import Any

from orban_desktop.earnings.local_time import from_us, local_date, local_day_bounds, to_us
from orban_desktop.earnings.records import (
    DailyTotal,
    EarningEntry,
    EarningFlag,
    EarningsPage,
    EarningsSummary,
    GpuTotal,
    PayoutEntry,
)
from orban_desktop.money import Money
from orban_desktop.protocol.enums import EarningStatus, PayoutStatus

MAX_PAGE_SIZE = 1000
MAX_CHART_DAYS = 366

EARNING_COLUMNS = (
    "record_id, task_id, currency, amount_text, amount_micros, gpu_hours, rate_text, rate_micros,"
    " before_bonus_text, before_bonus_micros, bonus_multiplier, status, recorded_at_us,"
    " estimated_payout_date, gpu_index, job_id, flag"
)
_NEWEST_FIRST = "ORDER BY recorded_at_us DESC, id DESC"


def _money(text: str | None, micros: int | None) -> Money | None:
    return None if text is None or micros is None else Money(text=text, micros=micros)


def earning_from_row(row: tuple[Any, ...]) -> EarningEntry:
    """Build an entry from a row selected with :data:`EARNING_COLUMNS`."""
    (record_id, task_id, currency, amount_text, amount_micros, gpu_hours, rate_text, rate_micros,
     bb_text, bb_micros, bonus, status, at_us, payout_date, gpu_index, job_id,
     flag) = row  # fmt: skip
    return EarningEntry(
        record_id=str(record_id),
        task_id=str(task_id),
        currency=str(currency),
        amount=Money(text=str(amount_text), micros=int(amount_micros)),
        gpu_hours=float(gpu_hours),
        rate_per_hour=Money(text=str(rate_text), micros=int(rate_micros)),
        amount_before_bonus=_money(bb_text, bb_micros),
        bonus_multiplier=None if bonus is None else float(bonus),
        status=EarningStatus(status),
        recorded_at=from_us(int(at_us)),
        estimated_payout_date=None if payout_date is None else str(payout_date),
        gpu_index=None if gpu_index is None else int(gpu_index),
        job_id=None if job_id is None else str(job_id),
        flag=None if flag is None else EarningFlag(flag),
    )


def check_paging(page: int, page_size: int) -> None:
    """Raise ``ValueError`` unless ``page >= 0`` and ``1 <= page_size <= MAX_PAGE_SIZE``."""
    if page < 0 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page must be >= 0 and page_size 1..{MAX_PAGE_SIZE}")


def _sum_between(
    conn: sqlite3.Connection, start_us: int, end_us: int, currency: str
) -> tuple[int, int]:
    row = conn.execute(
        "SELECT coalesce(sum(amount_micros), 0), count(*) FROM earnings"
        " WHERE recorded_at_us >= ? AND recorded_at_us < ? AND currency = ? AND flag IS NULL",
        (start_us, end_us, currency),
    ).fetchone()
    return int(row[0]), int(row[1])


def summary(
    conn: sqlite3.Connection,
    *,
    page: int,
    page_size: int,
    now: datetime | None,
    tz: tzinfo | None,
    currency: str,
) -> EarningsSummary:
    """The dashboard: sums from the trigger-kept ``totals`` table plus one page of history.

    The totals hold counted records only; ``history_count`` adds the flagged ones, which the
    history lists too.
    """
    check_paging(page, page_size)
    by_status = {EarningStatus(s): 0 for s in EarningStatus}
    history_count = flagged_count(conn)
    totals = conn.execute(
        "SELECT currency, status, sum(amount_micros), sum(record_count) FROM totals"
        " GROUP BY currency, status"
    )
    for cur, status, micros, count in totals:
        history_count += int(count)
        if cur == currency:
            by_status[EarningStatus(status)] = int(micros)
    today_micros, _ = _sum_between(conn, *local_day_bounds(local_date(now, tz), tz), currency)
    rows = conn.execute(
        f"SELECT {EARNING_COLUMNS} FROM earnings {_NEWEST_FIRST} LIMIT ? OFFSET ?",
        (page_size, page * page_size),
    )
    return EarningsSummary(
        currency=currency,
        earned_micros=sum(by_status.values()),
        total_micros=by_status[EarningStatus.CONFIRMED] + by_status[EarningStatus.PAID],
        today_micros=today_micros,
        pending_micros=by_status[EarningStatus.PENDING],
        confirmed_micros=by_status[EarningStatus.CONFIRMED],
        paid_micros=by_status[EarningStatus.PAID],
        history=[earning_from_row(row) for row in rows],
        history_count=history_count,
        page=page,
        page_size=page_size,
    )


def today_micros(
    conn: sqlite3.Connection, now: datetime | None, tz: tzinfo | None, currency: str
) -> int:
    """Sum of every counted record whose local date is today."""
    return _sum_between(conn, *local_day_bounds(local_date(now, tz), tz), currency)[0]


def daily_totals(
    conn: sqlite3.Connection, days: int, now: datetime | None, tz: tzinfo | None, currency: str
) -> list[DailyTotal]:
    """One total per local day for the last ``days`` days (today included), oldest first."""
    if not 1 <= days <= MAX_CHART_DAYS:
        raise ValueError(f"days must be 1..{MAX_CHART_DAYS}")
    today = local_date(now, tz)
    result = []
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        micros, count = _sum_between(conn, *local_day_bounds(day, tz), currency)
        result.append(DailyTotal(day=day, amount_micros=micros, record_count=count))
    return result


def flagged_count(conn: sqlite3.Connection) -> int:
    """How many records are kept apart (any currency), from their partial index."""
    return int(conn.execute("SELECT count(*) FROM earnings WHERE flag IS NOT NULL").fetchone()[0])


def totals_by_gpu(conn: sqlite3.Connection, currency: str) -> list[GpuTotal]:
    """Sums per local GPU index (None last), any status, from the trigger-kept ``totals``."""
    rows = conn.execute(
        "SELECT gpu_key, sum(amount_micros), sum(gpu_hours), sum(record_count) FROM totals"
        " WHERE currency = ? GROUP BY gpu_key HAVING sum(record_count) > 0"
        " ORDER BY gpu_key = -1, gpu_key",
        (currency,),
    )
    return [GpuTotal(None if g == -1 else int(g), int(m), float(h), int(c)) for g, m, h, c in rows]


def query(
    conn: sqlite3.Connection,
    *,
    start: datetime | None,
    end: datetime | None,
    status: EarningStatus | None,
    page: int,
    page_size: int,
) -> EarningsPage:
    """Records with ``start <= recorded_at < end`` and the given status, newest first."""
    check_paging(page, page_size)
    clauses: list[str] = []
    params: list[object] = []
    for clause, value in (
        ("recorded_at_us >= ?", None if start is None else to_us(start)),
        ("recorded_at_us < ?", None if end is None else to_us(end)),
        ("status = ?", None if status is None else status.value),
    ):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    total = int(conn.execute(f"SELECT count(*) FROM earnings {where}", params).fetchone()[0])
    rows = conn.execute(
        f"SELECT {EARNING_COLUMNS} FROM earnings {where} {_NEWEST_FIRST} LIMIT ? OFFSET ?",
        (*params, page_size, page * page_size),
    )
    return EarningsPage([earning_from_row(r) for r in rows], total, page, page_size)


def iter_earnings(conn: sqlite3.Connection) -> Iterator[EarningEntry]:
    """Every record, oldest first (the seed's history order), streamed from a cursor."""
    cursor = conn.execute(f"SELECT {EARNING_COLUMNS} FROM earnings ORDER BY recorded_at_us, id")
    for row in cursor:
        yield earning_from_row(row)


def payouts(conn: sqlite3.Connection, page: int, page_size: int) -> list[PayoutEntry]:
    """Payouts, newest first."""
    check_paging(page, page_size)
    rows = conn.execute(
        "SELECT payout_id, period_start, period_end, total_tasks, total_gpu_hours, currency,"
        " gross_text, gross_micros, fee_text, fee_micros, net_text, net_micros, payment_method,"
        " payment_address, status, recorded_at_us FROM payouts"
        " ORDER BY recorded_at_us DESC, payout_id LIMIT ? OFFSET ?",
        (page_size, page * page_size),
    )
    return [
        PayoutEntry(
            payout_id=r[0],
            period_start=r[1],
            period_end=r[2],
            total_tasks=int(r[3]),
            total_gpu_hours=float(r[4]),
            currency=r[5],
            gross=Money(r[6], int(r[7])),
            fee=Money(r[8], int(r[9])),
            net=Money(r[10], int(r[11])),
            payment_method=r[12],
            payment_address=r[13],
            status=PayoutStatus(r[14]),
            recorded_at=from_us(int(r[15])),
        )
        for r in rows
    ]

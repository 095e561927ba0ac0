"""Read-side SQL of the records kept apart: flagged earnings, stored but in no total.

An EARNINGS_RECORD the agent cannot vouch for (a task it never ran, a negative amount, an amount
far outside the task's priced range) is stored with an
:class:`~orban_desktop.earnings.records.EarningFlag`, so nothing the platform said is lost, and
these queries list and sum them apart from the earnings that count. Both read the partial index
``earnings_flagged_by_time``, so they cost nothing when no record is flagged. Imports nothing from
Qt and no protocol models.
"""

from __future__ import annotations

import sqlite3

from orban_desktop.earnings.queries import EARNING_COLUMNS, check_paging, earning_from_row
from orban_desktop.earnings.records import EarningEntry, FlaggedSummary


def flagged_page(conn: sqlite3.Connection, page: int, page_size: int) -> list[EarningEntry]:
    """One page of flagged records (any currency), newest first."""
    check_paging(page, page_size)
    rows = conn.execute(
        f"SELECT {EARNING_COLUMNS} FROM earnings WHERE flag IS NOT NULL"
        " ORDER BY recorded_at_us DESC, id DESC LIMIT ? OFFSET ?",
        (page_size, page * page_size),
    )
    return [earning_from_row(row) for row in rows]


def flagged_summary(conn: sqlite3.Connection, currency: str) -> FlaggedSummary:
    """How many records in ``currency`` are flagged, and their plain sum (it may be negative)."""
    row = conn.execute(
        "SELECT count(*), coalesce(sum(amount_micros), 0) FROM earnings"
        " WHERE flag IS NOT NULL AND currency = ?",
        (currency,),
    ).fetchone()
    return FlaggedSummary(count=int(row[0]), total_micros=int(row[1]), currency=currency)

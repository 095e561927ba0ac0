"""Write-side SQL of the earnings ledger: idempotent inserts and forward-only status changes.

Each function runs inside a transaction the caller (:class:`EarningsLedger`) opened, so the caller
decides what is committed together. An entry whose id is already stored is never stored twice: a
later status (Pending -> Confirmed -> Paid; Processing -> Completed or Failed) updates the row, an
older one is ignored, and different amounts under the same id keep the first version and log a
warning. A new record with a flag is stored apart (in no total) and reported as
:attr:`RecordOutcome.FLAGGED`; a stored record keeps the flag it was first stored with, whatever a
redelivery says (a status change never moves it into or out of the totals). Imports nothing from
Qt and no protocol message models.
"""

from __future__ import annotations

import logging
import sqlite3
from decimal import Decimal
from typing import TYPE_CHECKING

from orban_desktop.earnings.local_time import to_us
from orban_desktop.earnings.queries import EARNING_COLUMNS, earning_from_row
from orban_desktop.earnings.records import (
    EARNING_STATUS_RANK,
    PAYOUT_STATUS_RANK,
    EarningEntry,
    ImportReport,
    PayoutEntry,
    RecordOutcome,
)
from orban_desktop.money import Money
from orban_desktop.protocol.enums import EarningStatus, PayoutStatus

if TYPE_CHECKING:
    from orban_desktop.earnings.seed_import import SeedFile

_log = logging.getLogger(__name__)


def _same_amount(a: Money | None, b: Money | None) -> bool:
    """Equal amounts (``"0.50"`` equals ``"0.5"``); None means "not reported" and matches any."""
    return a is None or b is None or a.decimal == b.decimal


def _differences(stored: EarningEntry, incoming: EarningEntry) -> list[str]:
    checks = {
        "task_id": stored.task_id == incoming.task_id,
        "currency": stored.currency == incoming.currency,
        "amount": _same_amount(stored.amount, incoming.amount),
        "gpu_hours": stored.gpu_hours == incoming.gpu_hours,
        "rate_per_hour": _same_amount(stored.rate_per_hour, incoming.rate_per_hour),
        "amount_before_bonus": _same_amount(
            stored.amount_before_bonus, incoming.amount_before_bonus
        ),
        "bonus_multiplier": None in (stored.bonus_multiplier, incoming.bonus_multiplier)
        or stored.bonus_multiplier == incoming.bonus_multiplier,
    }
    return [name for name, same in checks.items() if not same]


def record_earning(conn: sqlite3.Connection, entry: EarningEntry, now_us: int) -> RecordOutcome:
    """Insert ``entry`` or merge it into the stored row with the same ``record_id``."""
    row = conn.execute(
        f"SELECT {EARNING_COLUMNS} FROM earnings WHERE record_id = ?", (entry.record_id,)
    ).fetchone()
    if row is None:
        bb = entry.amount_before_bonus
        conn.execute(
            "INSERT INTO earnings (record_id, task_id, currency, amount_micros, amount_text,"
            " gpu_hours, rate_micros, rate_text, before_bonus_micros, before_bonus_text,"
            " bonus_multiplier, status, recorded_at_us, estimated_payout_date, gpu_index, job_id,"
            " updated_at_us, flag) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.record_id, entry.task_id, entry.currency, entry.amount.micros,
                entry.amount.text, entry.gpu_hours, entry.rate_per_hour.micros,
                entry.rate_per_hour.text, None if bb is None else bb.micros,
                None if bb is None else bb.text, entry.bonus_multiplier, entry.status.value,
                to_us(entry.recorded_at), entry.estimated_payout_date, entry.gpu_index,
                entry.job_id, now_us, None if entry.flag is None else entry.flag.value,
            ),
        )  # fmt: skip
        return RecordOutcome.STORED if entry.flag is None else RecordOutcome.FLAGGED
    stored = earning_from_row(row)
    if stored.flag != entry.flag:
        _log.warning(
            "earning %s redelivered flagged %s, stored flagged %s; the stored flag is kept",
            entry.record_id,
            entry.flag or "none",
            stored.flag or "none",
        )
    differences = _differences(stored, entry)
    if differences:
        _log.warning(
            "earning %s redelivered with different %s; the first version is kept",
            entry.record_id,
            ", ".join(differences),
        )
    advanced = EARNING_STATUS_RANK[entry.status] > EARNING_STATUS_RANK[stored.status]
    if advanced:
        conn.execute(
            "UPDATE earnings SET status = ?, updated_at_us = ?,"
            " estimated_payout_date = coalesce(?, estimated_payout_date),"
            " gpu_index = coalesce(gpu_index, ?), job_id = coalesce(job_id, ?)"
            " WHERE record_id = ?",
            (entry.status.value, now_us, entry.estimated_payout_date, entry.gpu_index,
             entry.job_id, entry.record_id),
        )  # fmt: skip
    if differences:
        return RecordOutcome.CONFLICT_KEPT_FIRST
    return RecordOutcome.STATUS_UPDATED if advanced else RecordOutcome.ALREADY_STORED


def confirm(conn: sqlite3.Connection, task_id: str, now_us: int) -> bool:
    """Pending -> Confirmed for the task's earnings; True when a row changed."""
    if not task_id:
        return False
    cursor = conn.execute(
        "UPDATE earnings SET status = ?, updated_at_us = ? WHERE task_id = ? AND status = ?",
        (EarningStatus.CONFIRMED.value, now_us, task_id, EarningStatus.PENDING.value),
    )
    return cursor.rowcount > 0


def record_payout(conn: sqlite3.Connection, entry: PayoutEntry, now_us: int) -> RecordOutcome:
    """Insert ``entry`` or move the stored payout's status forward."""
    row = conn.execute(
        "SELECT status, net_text, gross_text, fee_text FROM payouts WHERE payout_id = ?",
        (entry.payout_id,),
    ).fetchone()
    if row is None:
        conn.execute(
            "INSERT INTO payouts (payout_id, period_start, period_end, total_tasks,"
            " total_gpu_hours, currency, gross_micros, gross_text, fee_micros, fee_text,"
            " net_micros, net_text, payment_method, payment_address, status, recorded_at_us,"
            " updated_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.payout_id, entry.period_start, entry.period_end, entry.total_tasks,
                entry.total_gpu_hours, entry.currency, entry.gross.micros, entry.gross.text,
                entry.fee.micros, entry.fee.text, entry.net.micros, entry.net.text,
                entry.payment_method, entry.payment_address, entry.status.value,
                to_us(entry.recorded_at), now_us,
            ),
        )  # fmt: skip
        return RecordOutcome.STORED
    stored_status = PayoutStatus(row[0])
    same = all(
        Decimal(text) == money.decimal
        for text, money in zip(row[1:], (entry.net, entry.gross, entry.fee), strict=True)
    )
    if not same:
        _log.warning("payout %s redelivered with different amounts; first kept", entry.payout_id)
    advanced = PAYOUT_STATUS_RANK[entry.status] > PAYOUT_STATUS_RANK[stored_status]
    if advanced:
        conn.execute(
            "UPDATE payouts SET status = ?, updated_at_us = ? WHERE payout_id = ?",
            (entry.status.value, now_us, entry.payout_id),
        )
    if not same:
        return RecordOutcome.CONFLICT_KEPT_FIRST
    return RecordOutcome.STATUS_UPDATED if advanced else RecordOutcome.ALREADY_STORED


def log_import(
    conn: sqlite3.Connection, source: str, seed: SeedFile, report: ImportReport, now_us: int
) -> None:
    """Keep the imported file's own totals as it wrote them, with what the import did."""
    conn.execute(
        "INSERT INTO imports (source, imported_at_us, stated_total, stated_today, stated_pending,"
        " imported, skipped) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (source, now_us, seed.stated_total, seed.stated_today, seed.stated_pending,
         report.imported, report.skipped_duplicates),
    )  # fmt: skip

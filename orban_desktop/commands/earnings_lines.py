"""The lines ``orban-agent earnings`` prints: totals, a record and how it was made, payouts.

Every amount is written with :func:`~orban_desktop.money.money_text` from integer micro-units,
as the window writes it, so a record, the totals and an export agree to the micro-unit. A
record's line shows how its amount was made: GPU hours × rate × bonus = amount, with the bonus
the amount implies when the platform did not report one (upstream's records carry none).
"""

from __future__ import annotations

from decimal import Decimal

from orban_desktop.earnings import EarningEntry, EarningsSummary, FlaggedSummary, describe_flag
from orban_desktop.earnings.records import PayoutEntry
from orban_desktop.money import money_text, to_micros

#: Said when no payout has been recorded yet.
NO_PAYOUT_YET = (
    "Payouts: none yet. The platform pays confirmed earnings in a payout it announces "
    "(PAYOUT_NOTIFICATION), net of its fee; nothing has been paid to this agent yet."
)


def _when(entry: EarningEntry | PayoutEntry) -> str:
    return entry.recorded_at.astimezone().strftime("%Y-%m-%d %H:%M")


def totals_lines(summary: EarningsSummary) -> list[str]:
    """Today, then everything earned and its parts: today is never more than earned."""

    def amount(micros: int) -> str:
        return money_text(micros, summary.currency)

    return [
        f"Earnings ({summary.currency})",
        f"  Today:     {amount(summary.today_micros)}",
        f"  Earned:    {amount(summary.earned_micros)} (all time, every status)",
        f"    Pending:   {amount(summary.pending_micros)} (waiting for the platform to confirm)",
        f"    Confirmed: {amount(summary.confirmed_micros)} (waiting for a payout)",
        f"    Paid:      {amount(summary.paid_micros)}",
    ]


def _bonus_text(entry: EarningEntry) -> str | None:
    """The bonus as reported, else as the amount implies it; ``None`` when there is none."""
    if entry.bonus_multiplier is not None:
        return None if entry.bonus_multiplier == 1.0 else f"{entry.bonus_multiplier:g} bonus"
    base = Decimal(repr(entry.gpu_hours)) * entry.rate_per_hour.decimal
    if base <= 0 or to_micros(base) == entry.amount.micros:
        return None
    implied = (entry.amount.decimal / base).quantize(Decimal("0.0001")).normalize()
    return f"{implied:f} bonus (implied: not reported)"


def how_made(entry: EarningEntry) -> str:
    """``0.0166667 GPU h × $1.25/h × 1.05 bonus = $0.021875``: the parts that make the amount."""
    parts = f"{entry.gpu_hours:g} GPU h × {money_text(entry.rate_per_hour.micros)}/h"
    if (bonus := _bonus_text(entry)) is not None:
        parts += f" × {bonus}"
    return f"{parts} = {money_text(entry.amount.micros, entry.currency)}"


def history_line(entry: EarningEntry) -> str:
    task = entry.task_id or "(no task id)"
    line = (
        f"  {_when(entry)}  {money_text(entry.amount.micros, entry.currency):>12}"
        f"  {entry.status.value:<9}  {task}  {how_made(entry)}"
    )
    if entry.estimated_payout_date:
        line += f"  payout ~{entry.estimated_payout_date}"
    if entry.flag is not None:
        line += f"  [not counted: {describe_flag(entry.flag)}]"
    return line


def flagged_line(entry: EarningEntry) -> str:
    """A record kept apart: when, which task, how much, and why it is not counted."""
    task = entry.task_id or "(no task id)"
    reason = "" if entry.flag is None else describe_flag(entry.flag)
    return f"  {_when(entry)}  {task}  {money_text(entry.amount.micros, entry.currency)}  {reason}"


def not_counted_line(flagged: FlaggedSummary) -> str:
    """The line after the totals when some records are kept apart."""
    records = "record" if flagged.count == 1 else "records"
    amount = money_text(flagged.total_micros, flagged.currency)
    return (
        f"Not counted: {flagged.count} {records} ({amount}) the platform reported that this "
        "agent cannot vouch for; see --flagged"
    )


def payout_lines(payouts: list[PayoutEntry]) -> list[str]:
    """The payouts as PAYOUT_NOTIFICATION reported them, or why there are none."""
    if not payouts:
        return [NO_PAYOUT_YET]
    lines = [f"Payouts, newest first ({len(payouts)}):"]
    for payout in payouts:
        net, fee = money_text(payout.net.micros, payout.currency), money_text(payout.fee.micros)
        lines.append(
            f"  {_when(payout)}  {net:>12} net  ({money_text(payout.gross.micros)} gross − {fee}"
            f" fee)  {payout.status.value}  {payout.period_start} – {payout.period_end}"
            f"  {payout.total_tasks} tasks  via {payout.payment_method or 'not stated'}"
        )
    return lines

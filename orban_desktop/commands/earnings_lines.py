"""The lines ``orban-agent earnings`` prints: totals, a record and how it was made, payouts.

Every amount is written with :func:`~orban_desktop.money.money_text` from integer micro-units,
as the window writes it, so a record, the totals and an export agree to the micro-unit. A
record's line shows how its amount was made: GPU hours × rate × bonus = amount, with the bonus
the amount implies when the platform did not report one (upstream's records carry none).
"""

from __future__ import annotations

from orban_desktop.config import EnergySection
from orban_desktop.earnings import EarningEntry, EarningsSummary, FlaggedSummary, describe_flag
from orban_desktop.earnings.explain import amount_parts, energy_text, hours_text
from orban_desktop.earnings.net import EarningRate, NetSummary, usable_price
from orban_desktop.earnings.records import PayoutEntry
from orban_desktop.money import Money, money_text

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


def how_made(entry: EarningEntry) -> str:
    """``0.0166667 GPU h × $1.25/h × 1.05 bonus = $0.021875``: the parts that make the amount."""
    parts = amount_parts(entry)
    text = f"{hours_text(parts.gpu_hours)} GPU h × {money_text(parts.rate_micros)}/h"
    if parts.bonus is not None:
        implied = " (implied: not reported)" if parts.bonus_implied else ""
        text += f" × {parts.bonus} bonus{implied}"
    return f"{text} = {money_text(parts.amount_micros, entry.currency)}"


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


def _over(rate: EarningRate, name: str) -> str:
    """``the last hour``, or ``the last 25 min`` when the agent earned for less of it."""
    if rate.covered >= rate.window:
        return f"the last {name}"
    minutes = round(rate.covered.total_seconds() / 60)
    return f"the last {minutes} min" if minutes < 120 else f"the last {minutes // 60} h"


def net_lines(
    summary: NetSummary, currency: str, price: Money | None, why_unpriced: str
) -> list[str]:
    """Electricity and net (all time, today), then the pace: each only where it is known."""
    total = summary.total
    measured = total.records - total.without_energy
    energy = energy_text(total.energy_mwh)
    lines = [f"  Energy:    {energy} measured for {measured} of {total.records} records"]
    if not summary.priced or price is None:
        lines.append(f"  Net:       not shown: {why_unpriced}")
    else:
        for label, figures in (("Net:      ", total), ("Net today:", summary.today)):
            cost = money_text(figures.cost_micros or 0, currency)
            if figures.net_micros is None:
                lines.append(
                    f"  {label} unknown: {figures.without_energy} record(s) have no energy "
                    f"reading (cost of the others {cost})"
                )
            else:
                lines.append(
                    f"  {label} {money_text(figures.net_micros, currency)} "
                    f"({money_text(figures.gross_micros, currency)} − {cost} of electricity at "
                    f"{money_text(price.micros, currency)}/kWh)"
                )
    hour, day = summary.last_hour, summary.last_day

    def pace(gross: int, net: int | None) -> str:
        text = money_text(gross, currency)
        return text if net is None else f"{text} (net {money_text(net, currency)})"

    lines.append(
        f"  Pace:      {pace(hour.gross_per_hour_micros, hour.net_per_hour_micros)}/h over "
        f"{_over(hour, 'hour')}, {pace(day.gross_per_hour_micros, day.net_per_hour_micros)}/h "
        f"over {_over(day, 'day')}; a month at that pace: "
        f"{pace(day.gross_month_micros, day.net_month_micros)}"
    )
    return lines


def electricity_price(energy: EnergySection, currency: str) -> tuple[Money | None, str]:
    """The owner's price per kWh usable against ``currency`` earnings, or why there is none."""
    check = usable_price(energy.electricity_price_per_kwh, energy.currency, currency)
    return check.price, check.explain()

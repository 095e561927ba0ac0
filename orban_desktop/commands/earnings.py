"""``orban-agent earnings [--history] [--flagged] [-n N]`` and ``export-earnings``: the ledger.

Both read the earnings ledger file directly (the agent need not run; reading beside a running
agent is safe in WAL mode) and never change a record. Sums are integer micro-units printed as
exact decimals; history amounts are shown as the platform sent them. Records kept apart (flagged:
not from a task of this agent, a negative amount, far outside the task's priced range) are in no
total: a "Not counted" line follows the totals, ``--flagged`` lists them with the reason and
``--history`` marks them. ``export-earnings`` writes the upstream agent's ``earnings.json`` shape
or CSV (flagged records included, with their flag). Nothing here imports Qt.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from orban_desktop.commands.base import Command, CommandContext
from orban_desktop.earnings import EarningEntry, EarningsLedger, FlaggedSummary, describe_flag
from orban_desktop.money import Money


def _open_ledger(context: CommandContext) -> EarningsLedger | None:
    path = context.files.ledger_db
    return EarningsLedger(path) if path.exists() else None


def _when(entry: EarningEntry) -> str:
    return entry.recorded_at.astimezone().strftime("%Y-%m-%d %H:%M")


def history_line(entry: EarningEntry) -> str:
    task = entry.task_id or "(no task id)"
    line = (
        f"  {_when(entry)}  {entry.amount.text:>12} {entry.currency}  {entry.status.value:<9}"
        f"  {task}  {entry.gpu_hours:g} GPU h at {entry.rate_per_hour.text}/h"
    )
    if entry.flag is not None:
        line += f"  [not counted: {describe_flag(entry.flag)}]"
    return line


def flagged_line(entry: EarningEntry) -> str:
    """A record kept apart: when, which task, how much, and why it is not counted."""
    task = entry.task_id or "(no task id)"
    reason = "" if entry.flag is None else describe_flag(entry.flag)
    return f"  {_when(entry)}  {task}  {entry.amount.text} {entry.currency}  {reason}"


def not_counted_line(flagged: FlaggedSummary) -> str:
    """The line after the totals when some records are kept apart."""
    records = "record" if flagged.count == 1 else "records"
    amount = f"{Money.from_micros(flagged.total_micros).text} {flagged.currency}"
    return (
        f"Not counted: {flagged.count} {records} ({amount}) the platform reported that this "
        "agent cannot vouch for; see --flagged"
    )


def _positive(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError("must be 1 to 1000")
    return value


def _earnings_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--history", action="store_true", help="list the latest records too")
    parser.add_argument(
        "--flagged",
        action="store_true",
        help="list the records kept apart (not counted in any total), with the reason",
    )
    parser.add_argument(
        "-n", "--lines", type=_positive, default=20, metavar="N", help="records listed (20)"
    )


def run_earnings(args: argparse.Namespace, context: CommandContext) -> int:
    ledger = _open_ledger(context)
    if ledger is None:
        context.out("No earnings recorded yet.")
        return 0
    with ledger:
        summary = ledger.get_data(page_size=args.lines)
        flagged = ledger.flagged_summary(summary.currency)
        kept_apart = ledger.flagged(page_size=args.lines) if args.flagged else []
    currency = summary.currency

    def amount(micros: int) -> str:
        return f"{Money.from_micros(micros).text} {currency}"

    context.out("Earnings")
    context.out(f"  Today:     {amount(summary.today_micros)}")
    context.out(f"  Pending:   {amount(summary.pending_micros)}")
    context.out(f"  Confirmed: {amount(summary.confirmed_micros)}")
    context.out(f"  Paid:      {amount(summary.paid_micros)}")
    context.out(f"  Total:     {amount(summary.total_micros)} (confirmed + paid)")
    if flagged.count:
        context.out(not_counted_line(flagged))
    if args.flagged:
        _print_flagged(context, kept_apart, flagged.count)
    if args.history:
        shown = len(summary.history)
        context.out(f"History, newest first ({shown} of {summary.history_count}):")
        for entry in summary.history:
            context.out(history_line(entry))
    return 0


def _print_flagged(context: CommandContext, entries: list[EarningEntry], count: int) -> None:
    if not entries:
        context.out("No records kept apart: every earning the platform reported is counted.")
        return
    context.out(f"Not counted, newest first ({len(entries)} of {count}):")
    for entry in entries:
        context.out(flagged_line(entry))


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("json", "csv"),
        help="json: the upstream agent's earnings.json shape; csv: a spreadsheet "
        "(default: from the file name, else json)",
    )
    parser.add_argument("path", type=Path, metavar="PATH", help="the file to write")


def run_export(args: argparse.Namespace, context: CommandContext) -> int:
    path: Path = args.path
    kind = args.format or ("csv" if path.suffix.lower() == ".csv" else "json")
    ledger = _open_ledger(context)
    if ledger is None:
        context.out(f"No earnings recorded yet at {context.files.ledger_db}; nothing exported.")
        return 1
    with ledger:
        count = ledger.export_csv(path) if kind == "csv" else ledger.export_json(path)
    context.out(f"Exported {count} record(s) as {kind.upper()} to {path}.")
    return 0


EARNINGS = Command(
    name="earnings",
    help="show today's, pending and total earnings (--history: the records; --flagged: those "
    "not counted)",
    run=run_earnings,
    add_arguments=_earnings_arguments,
)
EXPORT_EARNINGS = Command(
    name="export-earnings",
    help="export every earning as JSON (upstream's earnings.json shape) or CSV",
    run=run_export,
    add_arguments=_export_arguments,
)

"""``orban-agent earnings [--history] [-n N]`` and ``export-earnings``: the ledger, exactly.

Both read the earnings ledger file directly (the agent need not run; reading beside a running
agent is safe in WAL mode) and never change a record. Sums are integer micro-units printed as
exact decimals; history amounts are shown as the platform sent them. ``export-earnings`` writes
the upstream agent's ``earnings.json`` shape or CSV. Nothing here imports Qt.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from orban_desktop.commands.base import Command, CommandContext
from orban_desktop.earnings import EarningEntry, EarningsLedger
from orban_desktop.money import Money


def _open_ledger(context: CommandContext) -> EarningsLedger | None:
    path = context.files.ledger_db
    return EarningsLedger(path) if path.exists() else None


def history_line(entry: EarningEntry) -> str:
    when = entry.recorded_at.astimezone().strftime("%Y-%m-%d %H:%M")
    task = entry.task_id or "(no task id)"
    return (
        f"  {when}  {entry.amount.text:>12} {entry.currency}  {entry.status.value:<9}  {task}"
        f"  {entry.gpu_hours:g} GPU h at {entry.rate_per_hour.text}/h"
    )


def _positive(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError("must be 1 to 1000")
    return value


def _earnings_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--history", action="store_true", help="list the latest records too")
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
    currency = summary.currency

    def amount(micros: int) -> str:
        return f"{Money.from_micros(micros).text} {currency}"

    context.out("Earnings")
    context.out(f"  Today:     {amount(summary.today_micros)}")
    context.out(f"  Pending:   {amount(summary.pending_micros)}")
    context.out(f"  Confirmed: {amount(summary.confirmed_micros)}")
    context.out(f"  Paid:      {amount(summary.paid_micros)}")
    context.out(f"  Total:     {amount(summary.total_micros)} (confirmed + paid)")
    if args.history:
        shown = len(summary.history)
        context.out(f"History, newest first ({shown} of {summary.history_count}):")
        for entry in summary.history:
            context.out(history_line(entry))
    return 0


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
    help="show today's, pending and total earnings (--history: the records)",
    run=run_earnings,
    add_arguments=_earnings_arguments,
)
EXPORT_EARNINGS = Command(
    name="export-earnings",
    help="export every earning as JSON (upstream's earnings.json shape) or CSV",
    run=run_export,
    add_arguments=_export_arguments,
)

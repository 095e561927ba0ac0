"""``orban-agent earnings [--history] [--flagged] [-n N]`` and ``export-earnings``: the ledger.

Both read the earnings ledger file directly (the agent need not run; reading beside a running
agent is safe in WAL mode) and never change a record. Sums are integer micro-units printed as
exact decimals, the same way the window writes them (``earnings_lines``), and each record shows
how it was made (GPU hours × rate × bonus = amount); payouts follow, or why there are none.
Records kept apart (flagged: not from a task of this agent, a negative amount, far outside the
task's priced range) are in no total: a "Not counted" line follows the totals, ``--flagged``
lists them with the reason and ``--history`` marks them. ``export-earnings`` writes the upstream
agent's ``earnings.json`` shape or CSV (flagged records included, with their flag) to a file or,
given ``-``, to standard output (the count then goes to stderr). Nothing here imports Qt.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from orban_desktop.commands.base import Command, CommandContext
from orban_desktop.commands.earnings_lines import (
    electricity_price,
    flagged_line,
    history_line,
    net_lines,
    not_counted_line,
    payout_lines,
    totals_lines,
)
from orban_desktop.earnings import EarningEntry, EarningsLedger
from orban_desktop.earnings.export import ExportTarget


def _open_ledger(context: CommandContext) -> EarningsLedger | None:
    path = context.files.ledger_db
    return EarningsLedger(path) if path.exists() else None


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
        payouts = ledger.payouts(page_size=args.lines)
        price, why_unpriced = electricity_price(context.config.energy, summary.currency)
        net = ledger.net_summary(price, currency=summary.currency)
    for line in totals_lines(summary):
        context.out(line)
    for line in net_lines(net, summary.currency, price, why_unpriced):
        context.out(line)
    if flagged.count:
        context.out(not_counted_line(flagged))
    if args.flagged:
        _print_flagged(context, kept_apart, flagged.count)
    if args.history:
        shown = len(summary.history)
        context.out(f"History, newest first ({shown} of {summary.history_count}):")
        for entry in summary.history:
            context.out(history_line(entry))
    for line in payout_lines(payouts):
        context.out(line)
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
    parser.add_argument("path", metavar="PATH", help="the file to write, or - for standard output")


class _LineWriter:
    """A text stream that hands each complete line to ``out`` (standard output's ``print``)."""

    def __init__(self, out: Callable[[str], None]) -> None:
        self._out = out
        self._pending = ""

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        for line in lines:
            self._out(line)
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._out(self._pending)
            self._pending = ""


def run_export(args: argparse.Namespace, context: CommandContext) -> int:
    to_stdout = args.path == "-"
    path = Path(args.path)
    kind = args.format or ("csv" if not to_stdout and path.suffix.lower() == ".csv" else "json")
    ledger = _open_ledger(context)
    if ledger is None:
        message = f"No earnings recorded yet at {context.files.ledger_db}; nothing exported."
        if to_stdout:
            print(message, file=sys.stderr)
        else:
            context.out(message)
        return 1
    target: ExportTarget = _LineWriter(context.out) if to_stdout else path
    with ledger:
        count = ledger.export_csv(target) if kind == "csv" else ledger.export_json(target)
    if to_stdout:
        print(f"Exported {count} record(s) as {kind.upper()}.", file=sys.stderr)
    else:
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
    help="export every earning as JSON (upstream's earnings.json shape) or CSV, to a file or "
    "to standard output (-)",
    run=run_export,
    add_arguments=_export_arguments,
)

"""The earnings ledger: a crash-safe SQLite store of every earning and payout.

Public API: :class:`EarningsLedger` (sync, one thread), :class:`AsyncEarningsLedger` (the event
loop's facade on one worker thread), the entry and result dataclasses of :mod:`.records` (with
:class:`EarningFlag`, why a record is kept apart, and :func:`describe_flag`), and the
errors :class:`CorruptLedgerError` and :class:`SeedImportError` (both ``StorageError``). Imports
nothing from Qt and no protocol message models.
"""

from __future__ import annotations

from orban_desktop.earnings.async_ledger import AsyncEarningsLedger
from orban_desktop.earnings.ledger import EarningsLedger
from orban_desktop.earnings.records import (
    DailyTotal,
    EarningEntry,
    EarningFlag,
    EarningsPage,
    EarningsSummary,
    FlaggedSummary,
    GpuTotal,
    ImportReport,
    PayoutEntry,
    RecordOutcome,
    describe_flag,
)
from orban_desktop.earnings.seed_import import SeedImportError
from orban_desktop.earnings.storage import CorruptLedgerError

__all__ = [
    "AsyncEarningsLedger",
    "CorruptLedgerError",
    "DailyTotal",
    "EarningEntry",
    "EarningFlag",
    "EarningsLedger",
    "EarningsPage",
    "EarningsSummary",
    "FlaggedSummary",
    "GpuTotal",
    "ImportReport",
    "PayoutEntry",
    "RecordOutcome",
    "SeedImportError",
    "describe_flag",
]

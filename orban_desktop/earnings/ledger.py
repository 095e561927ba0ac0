"""The earnings ledger: a crash-safe SQLite store of every earning and payout (sync core).

:class:`EarningsLedger` replaces the upstream agent's ``earnings.json`` tracker with the same
operations (``record_earnings``, ``confirm_earnings``, ``get_data``, ``update_today_earnings``) plus
payouts, chart sums, a filtered query, JSON/CSV export and import of the upstream file. Every write
is one ``BEGIN IMMEDIATE`` ... ``COMMIT`` in WAL mode with ``synchronous=FULL``: when a write method
returns, the change is on disk, so the caller may acknowledge it to the platform. Storing is
idempotent by ``record_id``; statuses only move forward (Pending -> Confirmed -> Paid). A flagged
record (see :class:`~orban_desktop.earnings.records.EarningFlag`) is stored apart: listed by
``flagged``, summed by ``flagged_summary``, in no other total. The
connection belongs to the thread that made the ledger; :class:`.async_ledger.AsyncEarningsLedger`
gives the event loop a facade. The connection, transactions and lifetime are those of
:class:`orban_desktop.storage.store.SqliteStore`. Imports nothing from Qt and no protocol message
models.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from orban_desktop.earnings import export, flagged, net, queries, writes
from orban_desktop.earnings.export import ExportTarget
from orban_desktop.earnings.local_time import local_date, local_day_bounds
from orban_desktop.earnings.net import NetSummary, TaskEnergy
from orban_desktop.earnings.records import (
    DailyTotal,
    EarningEntry,
    EarningsPage,
    EarningsSummary,
    FlaggedSummary,
    GpuTotal,
    ImportReport,
    PayoutEntry,
    RecordOutcome,
)
from orban_desktop.earnings.seed_import import import_report, read_seed_json
from orban_desktop.earnings.storage import open_connection
from orban_desktop.errors import StorageError
from orban_desktop.money import Money
from orban_desktop.protocol.enums import EarningStatus
from orban_desktop.storage.database import integrity_problems, move_aside
from orban_desktop.storage.store import SqliteStore

_log = logging.getLogger(__name__)


class EarningsLedger(SqliteStore):
    """The ledger over one SQLite file; use from one thread, close when done.

    Args:
        path: The database file; created (with its folder) when missing.

    Raises:
        CorruptLedgerError: The file failed its integrity check (a copy was saved beside it).
        StorageError: The file cannot be opened or is from a newer agent.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path, open_connection(path))

    @classmethod
    def recover(cls, path: Path) -> tuple[EarningsLedger, Path | None]:
        """Move a (damaged) ledger file aside and start a new, empty one in its place.

        Returns:
            The new ledger, and where the old file now is (None when there was none).
        """
        moved = move_aside(path)
        if moved is not None:
            _log.warning("earnings database %s moved aside to %s; starting empty", path, moved)
        return cls(path), moved

    # -- writes: each returns only after its COMMIT returned -------------------------------

    def _write_failure(self, exc: sqlite3.Error) -> StorageError:
        return self._storage_error("write to", exc, "; the change was not stored")

    def _storage_error(self, action: str, exc: sqlite3.Error, outcome: str = "") -> StorageError:
        return StorageError(
            f"Could not {action} the earnings database {self.path}: {exc}{outcome}. Check free "
            "disk space and permissions; if it persists, export your earnings and contact support.",
            context={"path": str(self.path)},
        )

    def record_earnings(self, entry: EarningEntry) -> RecordOutcome:
        """Store one earning (idempotent by ``record_id``); committed when this returns.

        Returns:
            ``FLAGGED`` for a new record kept apart (add it to no live counter), ``STORED`` for a
            new one that counts, else what a redelivery did.
        """
        with self._transaction() as conn:
            return writes.record_earning(conn, entry, _now_us())

    def record_many(self, entries: Iterable[EarningEntry]) -> list[RecordOutcome]:
        """Store several earnings in one transaction (all or none)."""
        with self._transaction() as conn:
            now_us = _now_us()
            return [writes.record_earning(conn, entry, now_us) for entry in entries]

    def confirm_earnings(self, task_id: str) -> bool:
        """Mark the task's Pending earning Confirmed; False when there was none to confirm."""
        with self._transaction() as conn:
            return writes.confirm(conn, task_id, _now_us())

    def record_payout(self, entry: PayoutEntry) -> RecordOutcome:
        """Store one payout (idempotent by ``payout_id``; status moves forward only)."""
        with self._transaction() as conn:
            return writes.record_payout(conn, entry, _now_us())

    def record_task_energy(self, energy: TaskEnergy) -> None:
        """Store the energy a task's GPU drew (replaces an earlier reading of the task)."""
        with self._transaction() as conn:
            net.record_task_energy(conn, energy, _now_us())

    # -- reads ------------------------------------------------------------------------------

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees the same committed state."""
        try:
            self._conn.execute("BEGIN")
            yield self._conn
        except sqlite3.Error as exc:
            raise self._storage_error("read", exc) from exc
        finally:
            self._end_transaction("COMMIT")

    def get_data(
        self,
        page: int = 0,
        page_size: int = 50,
        now: datetime | None = None,
        tz: tzinfo | None = None,
        currency: str = "USD",
    ) -> EarningsSummary:
        """Earned (every status), its parts, today (local day of ``tz``), and one history page.

        Args:
            page: History page, 0 = newest.
            page_size: Records per page, 1..1000.
            now: The current time (aware); default the clock.
            tz: Zone of "today"; None = the system's local time.
            currency: The currency summed.
        """
        with self.snapshot() as conn:
            return queries.summary(
                conn, page=page, page_size=page_size, now=now, tz=tz, currency=currency
            )

    def update_today_earnings(
        self, now: datetime | None = None, tz: tzinfo | None = None, currency: str = "USD"
    ) -> int:
        """Today's sum in micro-units, recomputed from the records (nothing is cached)."""
        with self.snapshot() as conn:
            return queries.today_micros(conn, now, tz, currency)

    def daily_totals(
        self,
        days: int = 30,
        tz: tzinfo | None = None,
        now: datetime | None = None,
        currency: str = "USD",
    ) -> list[DailyTotal]:
        """Per local day sums for the last ``days`` days, oldest first (zero days included)."""
        with self.snapshot() as conn:
            return queries.daily_totals(conn, days, now, tz, currency)

    def totals_by_gpu(self, currency: str = "USD") -> list[GpuTotal]:
        """Per GPU index sums (records without a GPU last, as index None)."""
        with self.snapshot() as conn:
            return queries.totals_by_gpu(conn, currency)

    def query(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        status: EarningStatus | None = None,
        page: int = 0,
        page_size: int = 50,
    ) -> EarningsPage:
        """Records with ``start <= recorded_at < end`` and ``status``, newest first."""
        with self.snapshot() as conn:
            return queries.query(
                conn, start=start, end=end, status=status, page=page, page_size=page_size
            )

    def flagged(self, page: int = 0, page_size: int = 50) -> list[EarningEntry]:
        """The records kept apart (flagged, in no total), newest first."""
        with self.snapshot() as conn:
            return flagged.flagged_page(conn, page, page_size)

    def flagged_summary(self, currency: str = "USD") -> FlaggedSummary:
        """How many records in ``currency`` are kept apart, and what they sum to (in no total)."""
        with self.snapshot() as conn:
            return flagged.flagged_summary(conn, currency)

    def net_summary(
        self,
        price_per_kwh: Money | None,
        now: datetime | None = None,
        tz: tzinfo | None = None,
        currency: str = "USD",
    ) -> NetSummary:
        """Gross, energy cost and net (all time, today) and the pace of the last hour and day.

        Args:
            price_per_kwh: The owner's electricity price in ``currency`` (``None`` or 0: not
                set, so no cost and no net).
        """
        moment = now or datetime.now(UTC)
        with self.snapshot() as conn:
            today = local_day_bounds(local_date(moment, tz), tz)
            return net.net_summary(conn, moment, today, currency, price_per_kwh)

    def energy_of(self, task_ids: list[str]) -> dict[str, TaskEnergy]:
        """The energy readings of those tasks that have one."""
        with self.snapshot() as conn:
            return net.energy_of(conn, task_ids)

    def payouts(self, page: int = 0, page_size: int = 50) -> list[PayoutEntry]:
        """Recorded payouts, newest first."""
        with self.snapshot() as conn:
            return queries.payouts(conn, page, page_size)

    def integrity_check(self) -> str:
        """``"ok"``, or what ``PRAGMA integrity_check`` found."""
        with self.snapshot() as conn:
            return integrity_problems(conn) or "ok"

    # -- export / import ----------------------------------------------------------------------

    def export_json(
        self, target: ExportTarget, now: datetime | None = None, tz: tzinfo | None = None
    ) -> int:
        """Write the seed's ``earnings.json`` shape to a file or a stream; returns the count."""
        with self.snapshot() as conn:
            today = local_day_bounds(local_date(now, tz), tz)
            return export.write_seed_json(target, lambda: queries.iter_earnings(conn), today)

    def export_csv(self, target: ExportTarget) -> int:
        """Write every record as CSV (oldest first) to a file or a stream; returns the count."""
        with self.snapshot() as conn:
            return export.write_csv(target, queries.iter_earnings(conn))

    def import_seed_json(self, path: Path) -> ImportReport:
        """Import an upstream (seed-format) ``earnings.json``; a second import adds nothing.

        Raises:
            SeedImportError: The file cannot be read or is not in the seed's format.
        """
        seed = read_seed_json(path)
        with self._transaction() as conn:
            now_us = _now_us()
            outcomes = [writes.record_earning(conn, entry, now_us) for entry in seed.entries]
            report = import_report(seed, outcomes)
            writes.log_import(conn, str(path), seed, report, now_us)
        return report


def _now_us() -> int:
    return time.time_ns() // 1000

"""The earnings ledger for the event loop: every call runs on one dedicated worker thread.

:class:`AsyncEarningsLedger` owns a single-thread executor; the :class:`EarningsLedger` (and so its
SQLite connection) is created on that thread and used only there, and calls run one at a time in
the order they were made. No SQLite work runs on the event loop. ``record_earnings`` returns only
after the COMMIT returned, so the agent sends the platform its acknowledgement of an
EARNINGS_RECORD *after* awaiting it, never before. If the awaiting task is cancelled, the write
still completes on the worker (it cannot be torn in half); the platform's redelivery is then
stored once. The worker thread, ``close`` and the async context manager are those of
:class:`orban_desktop.storage.worker.StoreWorker`. Imports nothing from Qt and no protocol message
models.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path

from orban_desktop.earnings.ledger import EarningsLedger
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
from orban_desktop.money import Money
from orban_desktop.protocol.enums import EarningStatus
from orban_desktop.storage.worker import StoreWorker


class AsyncEarningsLedger(StoreWorker[EarningsLedger]):
    """Async facade over :class:`EarningsLedger`: make it with :meth:`open`, end with ``close``."""

    store_name = "earnings ledger"

    @classmethod
    async def open(cls, path: Path) -> AsyncEarningsLedger:
        """Open (check, migrate) the ledger on a new worker thread.

        Raises:
            CorruptLedgerError: The file failed its integrity check (a copy was saved).
            StorageError: The file cannot be opened.
        """
        return await cls._start(EarningsLedger, path, "earnings-ledger")

    async def record_earnings(self, entry: EarningEntry) -> RecordOutcome:
        """Store one earning; returns after COMMIT returned (then, and only then, ACK it).

        ``FLAGGED`` means a new record kept apart: add it to no live counter.
        """
        return await self._call(self._store.record_earnings, entry)

    async def confirm_earnings(self, task_id: str) -> bool:
        return await self._call(self._store.confirm_earnings, task_id)

    async def record_payout(self, entry: PayoutEntry) -> RecordOutcome:
        return await self._call(self._store.record_payout, entry)

    async def get_data(
        self,
        page: int = 0,
        page_size: int = 50,
        now: datetime | None = None,
        tz: tzinfo | None = None,
        currency: str = "USD",
    ) -> EarningsSummary:
        return await self._call(self._store.get_data, page, page_size, now, tz, currency)

    async def update_today_earnings(
        self, now: datetime | None = None, tz: tzinfo | None = None, currency: str = "USD"
    ) -> int:
        return await self._call(self._store.update_today_earnings, now, tz, currency)

    async def daily_totals(
        self,
        days: int = 30,
        tz: tzinfo | None = None,
        now: datetime | None = None,
        currency: str = "USD",
    ) -> list[DailyTotal]:
        return await self._call(self._store.daily_totals, days, tz, now, currency)

    async def totals_by_gpu(self, currency: str = "USD") -> list[GpuTotal]:
        return await self._call(self._store.totals_by_gpu, currency)

    async def query(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        status: EarningStatus | None = None,
        page: int = 0,
        page_size: int = 50,
    ) -> EarningsPage:
        return await self._call(self._store.query, start, end, status, page, page_size)

    async def flagged(self, page: int = 0, page_size: int = 50) -> list[EarningEntry]:
        return await self._call(self._store.flagged, page, page_size)

    async def flagged_summary(self, currency: str = "USD") -> FlaggedSummary:
        return await self._call(self._store.flagged_summary, currency)

    async def payouts(self, page: int = 0, page_size: int = 50) -> list[PayoutEntry]:
        return await self._call(self._store.payouts, page, page_size)

    async def record_task_energy(self, energy: TaskEnergy) -> None:
        await self._call(self._store.record_task_energy, energy)

    async def net_summary(
        self,
        price_per_kwh: Money | None,
        now: datetime | None = None,
        tz: tzinfo | None = None,
        currency: str = "USD",
    ) -> NetSummary:
        return await self._call(self._store.net_summary, price_per_kwh, now, tz, currency)

    async def energy_of(self, task_ids: list[str]) -> dict[str, TaskEnergy]:
        return await self._call(self._store.energy_of, task_ids)

    async def export_json(
        self, path: Path, now: datetime | None = None, tz: tzinfo | None = None
    ) -> int:
        return await self._call(self._store.export_json, path, now, tz)

    async def export_csv(self, path: Path) -> int:
        return await self._call(self._store.export_csv, path)

    async def import_seed_json(self, path: Path) -> ImportReport:
        return await self._call(self._store.import_seed_json, path)

    async def integrity_check(self) -> str:
        return await self._call(self._store.integrity_check)

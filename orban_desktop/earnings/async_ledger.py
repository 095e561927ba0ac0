"""The earnings ledger for the event loop: every call runs on one dedicated worker thread.

:class:`AsyncEarningsLedger` owns a single-thread executor; the :class:`EarningsLedger` (and so its
SQLite connection) is created on that thread and used only there, and calls run one at a time in
the order they were made. No SQLite work runs on the event loop. ``record_earnings`` returns only
after the COMMIT returned, so the agent sends the platform its acknowledgement of an
EARNINGS_RECORD *after* awaiting it, never before. If the awaiting task is cancelled, the write
still completes on the worker (it cannot be torn in half); the platform's redelivery is then
stored once. Imports nothing from Qt and no protocol message models.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, tzinfo
from pathlib import Path
from types import TracebackType
from typing import ParamSpec, TypeVar

from orban_desktop.earnings.ledger import EarningsLedger
from orban_desktop.earnings.records import (
    DailyTotal,
    EarningEntry,
    EarningsPage,
    EarningsSummary,
    GpuTotal,
    ImportReport,
    PayoutEntry,
    RecordOutcome,
)
from orban_desktop.errors import StorageError
from orban_desktop.protocol.enums import EarningStatus

_P = ParamSpec("_P")
_T = TypeVar("_T")


class AsyncEarningsLedger:
    """Async facade over :class:`EarningsLedger`: make it with :meth:`open`, end with ``close``."""

    def __init__(self, ledger: EarningsLedger, executor: ThreadPoolExecutor) -> None:
        """Wrap a ledger created on ``executor``'s only thread (use :meth:`open`)."""
        self._ledger = ledger
        self._executor = executor
        self._closed = False

    @classmethod
    async def open(cls, path: Path) -> AsyncEarningsLedger:
        """Open (check, migrate) the ledger on a new worker thread.

        Raises:
            CorruptLedgerError: The file failed its integrity check (a copy was saved).
            StorageError: The file cannot be opened.
        """
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="earnings-ledger")
        try:
            ledger = await asyncio.get_running_loop().run_in_executor(
                executor, EarningsLedger, path
            )
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(ledger, executor)

    @property
    def path(self) -> Path:
        return self._ledger.path

    async def _call(self, method: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        if self._closed:
            raise StorageError("The earnings ledger is closed; reopen it before using it.")
        call = functools.partial(method, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def record_earnings(self, entry: EarningEntry) -> RecordOutcome:
        """Store one earning; returns after COMMIT returned (then, and only then, ACK it)."""
        return await self._call(self._ledger.record_earnings, entry)

    async def confirm_earnings(self, task_id: str) -> bool:
        return await self._call(self._ledger.confirm_earnings, task_id)

    async def record_payout(self, entry: PayoutEntry) -> RecordOutcome:
        return await self._call(self._ledger.record_payout, entry)

    async def get_data(
        self,
        page: int = 0,
        page_size: int = 50,
        now: datetime | None = None,
        tz: tzinfo | None = None,
        currency: str = "USD",
    ) -> EarningsSummary:
        return await self._call(self._ledger.get_data, page, page_size, now, tz, currency)

    async def update_today_earnings(
        self, now: datetime | None = None, tz: tzinfo | None = None, currency: str = "USD"
    ) -> int:
        return await self._call(self._ledger.update_today_earnings, now, tz, currency)

    async def daily_totals(
        self,
        days: int = 30,
        tz: tzinfo | None = None,
        now: datetime | None = None,
        currency: str = "USD",
    ) -> list[DailyTotal]:
        return await self._call(self._ledger.daily_totals, days, tz, now, currency)

    async def totals_by_gpu(self, currency: str = "USD") -> list[GpuTotal]:
        return await self._call(self._ledger.totals_by_gpu, currency)

    async def query(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        status: EarningStatus | None = None,
        page: int = 0,
        page_size: int = 50,
    ) -> EarningsPage:
        return await self._call(self._ledger.query, start, end, status, page, page_size)

    async def payouts(self, page: int = 0, page_size: int = 50) -> list[PayoutEntry]:
        return await self._call(self._ledger.payouts, page, page_size)

    async def export_json(
        self, path: Path, now: datetime | None = None, tz: tzinfo | None = None
    ) -> int:
        return await self._call(self._ledger.export_json, path, now, tz)

    async def export_csv(self, path: Path) -> int:
        return await self._call(self._ledger.export_csv, path)

    async def import_seed_json(self, path: Path) -> ImportReport:
        return await self._call(self._ledger.import_seed_json, path)

    async def integrity_check(self) -> str:
        return await self._call(self._ledger.integrity_check)

    async def close(self) -> None:
        """Finish queued calls, close the connection on its thread, stop the thread."""
        if self._closed:
            return
        self._closed = True
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._ledger.close)
        finally:
            self._executor.shutdown(wait=False)

    async def __aenter__(self) -> AsyncEarningsLedger:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

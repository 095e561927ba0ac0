"""AsyncEarningsLedger: one worker thread owns the connection; a write is committed when awaited."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC
from pathlib import Path

import pytest

from orban_desktop.earnings.async_ledger import AsyncEarningsLedger
from orban_desktop.earnings.records import RecordOutcome
from orban_desktop.earnings.storage import CorruptLedgerError
from orban_desktop.errors import StorageError
from orban_desktop.protocol.enums import EarningStatus
from tests.unit.earnings.entries import UPSTREAM_EARNINGS, earning, payout


def _stored_ids(path: Path) -> set[str]:
    with sqlite3.connect(path) as other:
        return {row[0] for row in other.execute("SELECT record_id FROM earnings")}


async def test_record_returns_only_after_commit(ledger_path: Path) -> None:
    acked: list[str] = []
    async with await AsyncEarningsLedger.open(ledger_path) as ledger:
        for task in ("task-1", "task-2"):
            outcome = await ledger.record_earnings(earning(task))
            # What the agent does next is ACK the frame: by then another connection sees it.
            assert task in _stored_ids(ledger_path)
            assert outcome is RecordOutcome.STORED
            acked.append(task)
        assert await ledger.record_earnings(earning("task-1")) is RecordOutcome.ALREADY_STORED
    assert acked == ["task-1", "task-2"]


async def test_concurrent_calls_share_one_worker_thread(ledger_path: Path) -> None:
    # sqlite3 refuses a connection used from any thread but its creator's, so if a single call
    # ran on the loop thread or on a second worker, it would raise ProgrammingError here.
    async with await AsyncEarningsLedger.open(ledger_path) as ledger:
        outcomes = await asyncio.gather(
            *(ledger.record_earnings(earning(f"task-{i % 50}")) for i in range(100)),
            *(ledger.get_data(page_size=5) for _ in range(20)),
            ledger.record_payout(payout("p-1")),
        )
        records = outcomes[:100]
        assert records.count(RecordOutcome.STORED) == 50
        assert records.count(RecordOutcome.ALREADY_STORED) == 50
        assert (await ledger.get_data()).history_count == 50
    assert len(_stored_ids(ledger_path)) == 50


async def test_worker_is_not_the_event_loop_thread(ledger_path: Path) -> None:
    seen: list[str] = []
    async with await AsyncEarningsLedger.open(ledger_path) as ledger:
        await ledger._call(lambda: seen.append(threading.current_thread().name))
        await ledger._call(lambda: seen.append(threading.current_thread().name))
    assert len(set(seen)) == 1
    assert seen[0].startswith("earnings-ledger")
    assert seen[0] != threading.current_thread().name


async def test_every_operation_through_the_facade(ledger_path: Path, tmp_path: Path) -> None:
    async with await AsyncEarningsLedger.open(ledger_path) as ledger:
        report = await ledger.import_seed_json(UPSTREAM_EARNINGS)
        assert report.imported == 3
        await ledger.record_earnings(earning("task-9", "2"))
        assert await ledger.confirm_earnings("task-9") is True
        data = await ledger.get_data(tz=UTC)
        assert data.total_micros == 3_585_000
        assert await ledger.update_today_earnings(tz=UTC) >= 0
        assert len(await ledger.daily_totals(days=7, tz=UTC)) == 7
        assert [g.gpu_index for g in await ledger.totals_by_gpu()] == [0, None]
        confirmed = await ledger.query(status=EarningStatus.CONFIRMED)
        assert confirmed.total_count == 2
        await ledger.record_payout(payout("p-1"))
        assert len(await ledger.payouts()) == 1
        assert await ledger.export_json(tmp_path / "e.json") == 4
        assert await ledger.export_csv(tmp_path / "e.csv") == 4
        assert await ledger.integrity_check() == "ok"
        assert ledger.path == ledger_path


async def test_closed_ledger_refuses_calls(ledger_path: Path) -> None:
    ledger = await AsyncEarningsLedger.open(ledger_path)
    await ledger.close()
    await ledger.close()  # closing twice is harmless
    with pytest.raises(StorageError, match="closed"):
        await ledger.get_data()


async def test_open_reports_a_corrupt_file(ledger_path: Path) -> None:
    ledger_path.parent.mkdir(parents=True)
    ledger_path.write_bytes(b"\x00not a database" * 500)
    with pytest.raises(CorruptLedgerError):
        await AsyncEarningsLedger.open(ledger_path)

"""AsyncResultOutbox: one worker thread owns the connection; a write is committed when awaited."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from orban_desktop.agent.outbox import JournaledTask, OutboxStats
from orban_desktop.agent.outbox_async import AsyncResultOutbox
from orban_desktop.errors import StorageError
from tests.unit.agent.results import item


def _stored_task_ids(path: Path) -> set[str]:
    with sqlite3.connect(path) as other:
        ids = {row[0] for row in other.execute("SELECT task_id FROM results")}
    other.close()
    return ids


async def test_put_returns_only_after_commit(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    async with await AsyncResultOutbox.open(path) as outbox:
        assert await outbox.put(item("task-1")) is True
        # What the runtime does next is send the frame: by then another connection sees it.
        assert _stored_task_ids(path) == {"task-1"}
        assert await outbox.put(item("task-1")) is False


async def test_every_call_runs_on_the_one_worker_thread(tmp_path: Path) -> None:
    # sqlite3 refuses a connection used from another thread than its creator's, so a call on
    # the loop thread or a second worker would raise ProgrammingError here.
    async with await AsyncResultOutbox.open(tmp_path / "outbox.sqlite3") as outbox:
        stored = await asyncio.gather(*(outbox.put(item(f"task-{i % 20}", i)) for i in range(40)))
        assert stored.count(True) == 20
        first = (await outbox.pending())[0]
        await outbox.mark_sent(first.task_id, "conn-a", 100.0)
        assert await outbox.settle_without_ack("conn-a", 130.0, 30.0) == [first.task_id]
        second = (await outbox.pending())[0]
        assert await outbox.mark_acked(second.message_id) == second.task_id
        assert await outbox.mark_delivered("task-19") is True
        await outbox.task_started(JournaledTask("task-x", "{}", 0, None, 1.0))
        assert await outbox.running_tasks() == [JournaledTask("task-x", "{}", 0, None, 1.0)]
        assert await outbox.task_finished("task-x") is True
        assert await outbox.prune(0.0, now=1e12) == 3
        assert await outbox.stats() == OutboxStats(pending=17, delivered=0, running=0)
        assert await outbox.integrity_check() == "ok"


async def test_a_closed_outbox_refuses_calls(tmp_path: Path) -> None:
    outbox = await AsyncResultOutbox.open(tmp_path / "outbox.sqlite3")
    await outbox.close()
    await outbox.close()  # twice is fine
    with pytest.raises(StorageError, match="closed"):
        await outbox.pending()


async def test_a_new_task_id_is_answered_without_the_worker(tmp_path: Path) -> None:
    """result_for of an id never stored returns at once; a stored one (also after a restart,
    also while its put is still queued) is found; pruned ids leave the set at the next prune."""
    path = tmp_path / "outbox.sqlite3"
    async with await AsyncResultOutbox.open(path) as outbox:
        await outbox.put(item("old"))
    async with await AsyncResultOutbox.open(path) as outbox:
        assert (await outbox.result_for("old")) is not None  # known after the restart
        calls = 0
        real_call = outbox._call

        async def counting_call(*args: object, **kwargs: object) -> object:
            nonlocal calls
            calls += 1
            return await real_call(*args, **kwargs)  # type: ignore[arg-type]

        outbox._call = counting_call  # type: ignore[method-assign,assignment]
        assert await outbox.result_for("never-seen") is None
        assert calls == 0
        put = asyncio.ensure_future(outbox.put(item("queued")))
        await asyncio.sleep(0)  # the put has queued its write, not finished it
        found = await outbox.result_for("queued")  # queued behind that write
        assert await put is True and found is not None and found.task_id == "queued"
        assert await outbox.prune(0.0, undelivered_older_than_s=0.0, now=1e12) == 2
        assert await outbox.result_for("old") is None and "old" not in outbox._result_ids

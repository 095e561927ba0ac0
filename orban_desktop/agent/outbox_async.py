"""The result outbox for the event loop: :class:`ResultOutbox`'s calls, in order, on one thread.

It also remembers which task ids have a stored result, so that the question every TASK_ASSIGN
asks first ("did I already run this one?") is answered on the loop for a new task, without
queueing behind the worker's commits (issue 21: accept latency). Imports nothing from Qt.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from orban_desktop.agent.outbox import DELIVERED_RETENTION_S, ResultOutbox
from orban_desktop.agent.outbox_records import JournaledTask, OutboxItem, OutboxStats, TaskRun
from orban_desktop.storage.worker import StoreWorker


class AsyncResultOutbox(StoreWorker[ResultOutbox]):
    """The outbox for the event loop: every call runs, in order, on one worker thread.

    A write returns only after its COMMIT returned, so send a result only after awaiting
    ``put``. If the awaiting task is cancelled, the write still completes on the worker.
    Make it with :meth:`open`; end it with :meth:`close`.
    """

    store_name = "result outbox"

    def __init__(self, store: ResultOutbox, executor: ThreadPoolExecutor) -> None:
        super().__init__(store, executor)
        #: Every task id that may have a stored result (a superset: pruned ids leave it at the
        #: next :meth:`prune`). A TASK_ASSIGN of any other id needs no trip to the worker.
        self._result_ids: set[str] = set()
        #: Ids stored while :meth:`prune` reloads :attr:`_result_ids` (kept across the reload).
        self._stored_during_reload: set[str] | None = None

    @classmethod
    async def open(cls, path: Path) -> AsyncResultOutbox:
        """Open (check, migrate) the outbox on a new worker thread.

        Raises:
            CorruptOutboxError: The file failed its integrity check (a copy was saved).
            StorageError: The file cannot be opened.
        """
        outbox = await cls._start(ResultOutbox, path, "result-outbox")
        outbox._result_ids = await outbox._call(outbox._store.result_ids)
        return outbox

    async def put(self, item: OutboxItem) -> bool:
        self._result_ids.add(item.task_id)  # before the write: a lookup queued after it asks
        if self._stored_during_reload is not None:
            self._stored_during_reload.add(item.task_id)
        return await self._call(self._store.put, item)

    async def pending(self) -> list[OutboxItem]:
        return await self._call(self._store.pending)

    async def mark_sent(self, task_id: str, connection_id: str, sent_at: float) -> bool:
        return await self._call(self._store.mark_sent, task_id, connection_id, sent_at)

    async def mark_acked(self, message_id: str, *, now: float | None = None) -> str | None:
        return await self._call(self._store.mark_acked, message_id, now=now)

    async def mark_delivered(self, task_id: str, *, now: float | None = None) -> bool:
        return await self._call(self._store.mark_delivered, task_id, now=now)

    async def settle_without_ack(
        self, connection_id: str, now: float, heartbeat_interval_s: float
    ) -> list[str]:
        return await self._call(
            self._store.settle_without_ack, connection_id, now, heartbeat_interval_s
        )

    async def prune(
        self,
        older_than_s: float = DELIVERED_RETENTION_S,
        *,
        undelivered_older_than_s: float | None = None,
        tasks_older_than_s: float | None = None,
        now: float | None = None,
    ) -> int:
        removed = await self._call(
            self._store.prune,
            older_than_s,
            undelivered_older_than_s=undelivered_older_than_s,
            tasks_older_than_s=tasks_older_than_s,
            now=now,
        )
        self._stored_during_reload = set()
        try:
            stored = await self._call(self._store.result_ids)
            self._result_ids = stored | self._stored_during_reload
        finally:
            self._stored_during_reload = None
        return removed

    async def result_for(self, task_id: str) -> OutboxItem | None:
        """The stored result of ``task_id``; at once, without the worker, for an id never stored."""
        if task_id not in self._result_ids:
            return None
        return await self._call(self._store.result_for, task_id)

    async def task_run(self, task_id: str) -> TaskRun | None:
        return await self._call(self._store.task_run, task_id)

    async def stats(self) -> OutboxStats:
        return await self._call(self._store.stats)

    async def task_started(self, task: JournaledTask) -> None:
        await self._call(self._store.task_started, task)

    async def task_finished(self, task_id: str) -> bool:
        return await self._call(self._store.task_finished, task_id)

    async def running_tasks(self) -> list[JournaledTask]:
        return await self._call(self._store.running_tasks)

    async def integrity_check(self) -> str:
        return await self._call(self._store.integrity_check)

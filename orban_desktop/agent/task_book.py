"""TaskBook: the one record of the tasks this agent runs now and those it finished lately.

:class:`~orban_desktop.agent.tasks.TaskRunner` writes it (a task starts, a task finishes with its
result); :class:`~orban_desktop.agent.handlers.MessageHandlers` reads it (is this TASK_ASSIGN a
task already running or already done? which GPU earned this EARNINGS_RECORD?); the service reads
it for HEARTBEAT and STATE_SYNC, the status file for its task list. Finished tasks are kept up to
``FINISHED_KEPT``, oldest dropped first, so the memory is bounded however long the agent runs;
an older task's result is read from the outbox when asked for (the handlers do so). In memory
only (the outbox is the durable record); imports nothing from Qt.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field

from orban_desktop.agent.outbox import OutboxItem
from orban_desktop.protocol import messages as m
from orban_desktop.protocol.timestamps import WireTime

#: How many finished tasks are remembered, to answer a repeated TASK_ASSIGN with the result
#: and an EARNINGS_RECORD with the task's GPU (older ones: the outbox has the result).
FINISHED_KEPT = 128


@dataclass
class ActiveTask:
    """A task this agent is running."""

    assign: m.TaskAssign
    gpu_index: int
    started_at: WireTime
    stage: str = "accepted"
    progress: float = 0.0
    cancel_reason: str | None = None
    handle: asyncio.Task[None] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class FinishedTask:
    """A task this agent finished: its stored result and the GPU it ran on."""

    result: OutboxItem
    gpu_index: int


class TaskBook:
    """Running tasks by id (in start order) and recently finished ones (oldest first)."""

    def __init__(self, finished_kept: int = FINISHED_KEPT) -> None:
        self.running: dict[str, ActiveTask] = {}
        self._finished: OrderedDict[str, FinishedTask] = OrderedDict()
        self._finished_kept = finished_kept

    def started(self, task: ActiveTask) -> None:
        self.running[task.assign.task_id] = task

    def finished(self, task_id: str, result: OutboxItem) -> None:
        """``task_id`` ended with ``result`` (already in the outbox): it runs no more."""
        task = self.running.pop(task_id, None)
        gpu_index = task.gpu_index if task is not None else -1
        self._finished[task_id] = FinishedTask(result, gpu_index)
        self._finished.move_to_end(task_id)
        while len(self._finished) > self._finished_kept:
            self._finished.popitem(last=False)

    def result_of(self, task_id: str) -> OutboxItem | None:
        """The result of a task finished lately (``None``: not finished, or forgotten)."""
        done = self._finished.get(task_id)
        return done.result if done is not None else None

    def gpu_index(self, task_id: str) -> int | None:
        """The GPU a running or lately finished task was given (``None``: not known)."""
        if task_id in self.running:
            return self.running[task_id].gpu_index
        done = self._finished.get(task_id)
        return done.gpu_index if done is not None and done.gpu_index >= 0 else None

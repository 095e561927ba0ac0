"""Results: uploads received over HTTP, TASK_COMPLETE verified, TASK_FAILED recorded, once each.

Results are de-duplicated by ``(task_id, agent_id)`` attempt: a second TASK_COMPLETE or
TASK_FAILED for a result already recorded is only acknowledged (with ``ack``). A result is
accepted only if the agent's upload for that attempt exists, hashes to the ``output_hash`` it
reports (``sha256:<hex>``, as upstream's ``model_hash``), and is the result the platform
recomputed from the job's files (the same sha256, so the same bytes); otherwise ERROR
``VALIDATION_FAILED`` (not recoverable), no earning, and the task goes back to the queue. A late
but valid result from an agent the task was taken from still counts (spec §8: a STATE_SYNC may
re-queue a task whose result is about to be re-sent), and whoever holds it now is withdrawn.
Works on :class:`~orban_desktop.local_platform.tasks.TaskService`'s tasks; imports nothing from Qt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from orban_desktop.local_platform.dispatcher import Dispatcher
from orban_desktop.local_platform.earnings import EarningsService
from orban_desktop.local_platform.mail import Mail
from orban_desktop.local_platform.pricing import terms_for
from orban_desktop.local_platform.records import (
    HELD_STATES,
    REPORTED_OUTCOMES,
    Attempt,
    Outcome,
    TaskRecord,
    TaskState,
)
from orban_desktop.local_platform.settings import PlatformSettings
from orban_desktop.local_platform.store import PlatformStore
from orban_desktop.local_platform.tasks import TaskService
from orban_desktop.protocol.messages import TaskComplete, TaskFailed

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UploadTarget:
    """Where an upload for one attempt goes, and how large it may be."""

    path: Path
    max_bytes: int


class ResultDesk:
    """Takes uploads and result frames for the open tasks of ``tasks``."""

    def __init__(
        self,
        tasks: TaskService,
        store: PlatformStore,
        dispatcher: Dispatcher,
        earnings: EarningsService,
        mail: Mail,
        settings: PlatformSettings,
    ) -> None:
        self._tasks = tasks
        self._store = store
        self._dispatcher = dispatcher
        self._earnings = earnings
        self._mail = mail
        self._settings = settings
        self.uploads_dir = settings.data_dir / "uploads"

    def upload_target(self, task_id: str, token: str) -> UploadTarget | None:
        """Where the upload of this attempt goes; ``None`` if no such open attempt."""
        task = self._tasks.tasks.get(task_id)
        attempt = self._store.attempt_by_token(task_id, token) if task else None
        if task is None or attempt is None or attempt.outcome in REPORTED_OUTCOMES:
            return None
        return UploadTarget(self.uploads_dir / task_id / f"{token}.out", task.spec.max_output_bytes)

    def upload_received(self, task_id: str, token: str, sha256_hex: str, size: int) -> None:
        """Record a stored upload (unless the attempt's result was reported meanwhile)."""
        attempt = self._store.attempt_by_token(task_id, token)
        if attempt is not None and attempt.outcome not in REPORTED_OUTCOMES:
            attempt.upload_sha256, attempt.upload_size = sha256_hex, size
            self._store.save_attempt(attempt)

    def _attempt_for(self, agent_id: str, task_id: str, message_id: str) -> Attempt | None:
        """The attempt a result belongs to, or ``None`` when it was answered here already."""
        attempt = self._store.attempt(task_id, agent_id)
        if attempt is None:
            self._mail.error(
                agent_id,
                "UNKNOWN_TASK",
                f"task {task_id} was never assigned to you",
                True,
                {"task_id": task_id},
            )
            return None
        if attempt.outcome in REPORTED_OUTCOMES:
            self._mail.ack(agent_id, message_id)  # a duplicate: recorded already
            return None
        return attempt

    def _closed_for(self, agent_id: str, task_id: str, message_id: str) -> TaskRecord | None:
        """The open task a result is for; answers and returns ``None`` if it has closed."""
        task = self._tasks.tasks.get(task_id)
        if task is None:
            self._mail.ack(agent_id, message_id)
            stored = self._store.task(task_id)
            state = stored.state.value if stored else "unknown"
            self._mail.error(
                agent_id,
                "TASK_CANCELLED",
                f"task {task_id} is {state}; this result is not paid",
                True,
                {"task_id": task_id},
            )
        return task

    def on_complete(self, agent_id: str, message: TaskComplete, now: float) -> None:
        attempt = self._attempt_for(agent_id, message.task_id, message.message_id)
        if attempt is None:
            return
        task = self._closed_for(agent_id, message.task_id, message.message_id)
        if task is None:
            return
        problem = self._verify(task, attempt, message.result.output_hash)
        attempt.outcome = Outcome.INVALID if problem else Outcome.COMPLETED
        self._store.save_attempt(attempt)
        self._mail.ack(agent_id, message.message_id)
        if problem:
            self._mail.error(
                agent_id, "VALIDATION_FAILED", problem, False, {"task_id": task.task_id}
            )
            if task.agent_id == agent_id:
                self._tasks.requeue(task, now, Outcome.INVALID, exclude=True, count=True)
            return
        holder = task.agent_id
        task.state, task.agent_id, task.progress = TaskState.COMPLETED, agent_id, 1.0
        self._store.save_task(task)
        del self._tasks.tasks[task.task_id]
        slot = self._dispatcher.slots.get(agent_id)
        if slot is not None:
            slot.active.discard(task.task_id)
        if holder is not None and holder != agent_id:
            self._tasks.withdraw(task, holder, "completed by another agent")
        terms = slot.terms if slot else terms_for(self._settings.pricing, 0, 0.0)
        self._earnings.credit(agent_id, task, terms, message.result.gpu_time_sec, now)
        self._tasks.dirty = True

    def _verify(self, task: TaskRecord, attempt: Attempt, output_hash: str) -> str | None:
        """Why a result is refused, or ``None`` when it is the correct output."""
        claimed = output_hash.lower().removeprefix("sha256:")
        if attempt.upload_sha256 is None:
            return f"no result was uploaded for task {task.task_id}; PUT it to its output_url"
        if attempt.upload_sha256 != claimed:
            return (
                f"output_hash {output_hash!r} does not match the uploaded bytes "
                f"(sha256:{attempt.upload_sha256})"
            )
        if claimed != task.expected_sha256:
            return f"the result of task {task.task_id} is not the correct output"
        return None

    def on_failed(self, agent_id: str, message: TaskFailed, now: float) -> None:
        attempt = self._attempt_for(agent_id, message.task_id, message.message_id)
        if attempt is None:
            return
        attempt.outcome = Outcome.FAILED
        self._store.save_attempt(attempt)
        self._mail.ack(agent_id, message.message_id)
        task = self._tasks.tasks.get(message.task_id)
        if task is not None and task.agent_id == agent_id and task.state in HELD_STATES:
            logger.info("task %s failed on %s: %s", task.task_id, agent_id, message.error.code)
            self._tasks.requeue(task, now, Outcome.FAILED, exclude=True, count=True)

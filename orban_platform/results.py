"""Results: uploads received over HTTP, TASK_COMPLETE verified, TASK_FAILED recorded, once each.

Results are de-duplicated by ``(task_id, agent_id)`` attempt: a second TASK_COMPLETE or
TASK_FAILED for a result already recorded is only acknowledged (with ``ack``). A result is
accepted only if the agent's upload for that attempt exists, hashes to the ``output_hash`` it
reports (``sha256:<hex>``, as upstream's ``model_hash``), and is right: for a canary, the result
the platform recomputed (the same sha256, so the same bytes); for real work, the check run when
it was uploaded passed (``result_check.py``). Otherwise ERROR ``VALIDATION_FAILED`` (not
recoverable), no earning, the task back to the queue for another agent, and for real work a
strike against the agent (one task at a time and a growing pause until a result is right). A
verified result is paid for its measured compute time, capped (``pricing.py``). A late
but valid result from an agent the task was taken from still counts (spec §8: a STATE_SYNC may
re-queue a task whose result is about to be re-sent), and whoever holds it now is withdrawn.
Works on :class:`~orban_platform.tasks.TaskService`'s tasks; imports nothing from Qt.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from orban_desktop.protocol.messages import TaskComplete, TaskFailed
from orban_platform.dispatcher import Dispatcher
from orban_platform.earnings import EarningsService
from orban_platform.embedding_jobs import EmbeddingJobFactory, pay_cap_s
from orban_platform.mail import Mail
from orban_platform.pricing import paid_seconds, terms_for
from orban_platform.records import (
    HELD_STATES,
    REPORTED_OUTCOMES,
    Attempt,
    Outcome,
    TaskRecord,
    TaskState,
)
from orban_platform.result_check import EmbeddingCheck
from orban_platform.settings import PlatformSettings
from orban_platform.store import PlatformStore
from orban_platform.tasks import TaskService

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
        self.artifacts_dir = settings.data_dir / "artifacts"

    def upload_target(self, task_id: str, token: str) -> UploadTarget | None:
        """Where the upload of this attempt goes; ``None`` if no such open attempt."""
        task = self._tasks.tasks.get(task_id)
        attempt = self._store.attempt_by_token(task_id, token) if task else None
        if task is None or attempt is None or attempt.outcome in REPORTED_OUTCOMES:
            return None
        return UploadTarget(self.uploads_dir / task_id / f"{token}.out", task.spec.max_output_bytes)

    def upload_received(
        self,
        task_id: str,
        token: str,
        sha256_hex: str,
        size: int,
        verdict: dict[str, object] | None = None,
    ) -> None:
        """Record a stored upload and its check (unless the result was reported meanwhile)."""
        attempt = self._store.attempt_by_token(task_id, token)
        if attempt is not None and attempt.outcome not in REPORTED_OUTCOMES:
            attempt.upload_sha256, attempt.upload_size = sha256_hex, size
            attempt.verdict = verdict
            self._store.save_attempt(attempt)

    def check_for(
        self, task_id: str, embedding: EmbeddingJobFactory | None
    ) -> EmbeddingCheck | None:
        """What checking an upload for ``task_id`` needs; ``None`` for a canary (bytes compared)."""
        task = self._tasks.tasks.get(task_id)
        if task is None or task.spec.runner is None or embedding is None:
            return None
        source = embedding.source
        job = task.spec.runner
        return EmbeddingCheck(
            task_id=task_id,
            input_path=self.artifacts_dir / task.input_sha256,
            canary_rows=task.canary_rows,
            precision=job.precision,
            max_length=job.max_length,
            encoder=source.encoder,
            known=source.canaries,
            seed=secrets.randbits(64),
        )

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
        slot = self._dispatcher.slots.get(agent_id)
        if problem:
            self._mail.error(
                agent_id, "VALIDATION_FAILED", problem, False, {"task_id": task.task_id}
            )
            logger.info("result of task %s from %s refused: %s", task.task_id, agent_id, problem)
            if slot is not None and task.is_embedding:  # fewer tasks, and a growing pause
                slot.strikes += 1
                slot.hold_until = now + min(300.0, 2.0**slot.strikes)
            if task.agent_id == agent_id:
                self._tasks.requeue(task, now, Outcome.INVALID, exclude=True, count=True)
            return
        if slot is not None and task.is_embedding:
            slot.strikes = 0
        holder = task.agent_id
        task.state, task.agent_id, task.progress = TaskState.COMPLETED, agent_id, 1.0
        self._store.save_task(task)
        del self._tasks.tasks[task.task_id]
        if slot is not None:
            slot.active.discard(task.task_id)
        if holder is not None and holder != agent_id:
            self._tasks.withdraw(task, holder, "completed by another agent")
        terms = slot.terms if slot else terms_for(self._settings.pricing, 0, 0.0)
        seconds, on_cpu = self._paid(task, attempt, message.result.gpu_time_sec)
        self._earnings.credit(agent_id, task, terms, seconds, now, on_cpu=on_cpu)
        self._tasks.dirty = True

    def _paid(self, task: TaskRecord, attempt: Attempt, reported_s: int) -> tuple[Decimal, bool]:
        """The compute seconds paid, and whether the work ran on the CPU.

        Real work: the runner's measured compute time (its manifest), capped by the platform's
        own estimate of ``rows``; a canary: what it reported, capped at ``canary_seconds``.
        """
        if task.spec.runner is None:
            cap = float(self._settings.pricing.canary_seconds)
            return paid_seconds(float(reported_s), cap), False
        verdict = attempt.verdict or {}
        on_cpu = verdict.get("device") == "cpu"
        measured = verdict.get("infer_s")
        seconds = float(measured) if isinstance(measured, int | float) else float(reported_s)
        return paid_seconds(seconds, pay_cap_s(task.spec.runner.rows, on_cpu)), on_cpu

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
        if task.spec.runner is not None:
            verdict = attempt.verdict
            if verdict is None:
                return f"the result of task {task.task_id} was not checked; upload it again"
            return None if verdict.get("ok") else str(verdict.get("reason") or "check failed")
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

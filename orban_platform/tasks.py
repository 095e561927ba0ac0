"""The task lifecycle: jobs queued, assigned, accepted or rejected, re-queued, cancelled.

:class:`TaskService` owns the open tasks (mirrored in SQLite on every change): it keeps each
online agent ``queue_target`` queued jobs it may take, made at most ``job_rate_per_s`` a second
(so work never dries up for an agent whose results were refused), hands queued tasks to agents
through the dispatcher (TASK_ASSIGN with content-addressed artifact URLs and a per-attempt
upload URL), and answers TASK_ACCEPT, TASK_REJECT, TASK_PROGRESS and STATE_SYNC. A task goes
back to the queue, for another agent, when its agent rejects it (never again to that agent if
it does not fit), fails it, sends a result that fails its check, goes silent, leaves it out of
a STATE_SYNC, or never accepts it; ``max_attempts`` failures retire it. Results are
``results.py``'s. Uses the dispatcher, the store and
:class:`~orban_platform.mail.Mail`; imports nothing from Qt.
"""

from __future__ import annotations

import logging
import secrets

from orban_desktop.protocol.enums import Extension
from orban_desktop.protocol.messages import (
    StateSync,
    TaskAccept,
    TaskAssign,
    TaskCancel,
    TaskProgress,
    TaskReject,
)
from orban_desktop.protocol.types import TaskPayload
from orban_platform.dispatcher import AgentSlot, Dispatcher, fits
from orban_platform.earnings import EarningsService
from orban_platform.jobs import PreparedJob
from orban_platform.mail import Mail
from orban_platform.pricing import estimated_payout, terms_for
from orban_platform.records import (
    HELD_STATES,
    REPORTED_OUTCOMES,
    Attempt,
    Outcome,
    TaskRecord,
    TaskState,
)
from orban_platform.settings import PlatformSettings
from orban_platform.store import PlatformStore

logger = logging.getLogger(__name__)

#: TASK_REJECT reasons that say "never this task on this agent".
_UNFIT_REASONS = frozenset(
    {"insufficient_vram", "compute_capability_too_low", "unsupported_framework", "invalid_task"}
)
#: Reasons that say "nothing for a while" (the agent is paused, busy or its GPU is away).
_BUSY_REASONS = frozenset({"paused", "gpu_not_available", "at_capacity"})


class TaskService:
    """Open tasks, their assignment and their results."""

    def __init__(
        self,
        store: PlatformStore,
        dispatcher: Dispatcher,
        earnings: EarningsService,
        mail: Mail,
        settings: PlatformSettings,
    ) -> None:
        self._store = store
        self._dispatcher = dispatcher
        self._earnings = earnings
        self._mail = mail
        self._settings = settings
        self.tasks: dict[str, TaskRecord] = {}
        self.http_base = ""  # set once the HTTP server is bound
        self.dirty = False
        self._job_allowance = 0.0
        self._jobs_checked_at: float | None = None

    # ---- queue ----
    def load(self, now: float) -> None:
        """Reload the open tasks; agents holding some get until a heartbeat timeout to return."""
        for task in self._store.open_tasks():
            self.tasks[task.task_id] = task
            if task.state in HELD_STATES and task.agent_id:
                slot = self._dispatcher.slots.get(task.agent_id)
                if slot is None:
                    slot = AgentSlot(
                        agent_id=task.agent_id,
                        gpus=[],
                        frameworks=frozenset(),
                        fp16=False,
                        terms=terms_for(self._settings.pricing, 0, 0.0),
                        capacity=1,
                        online=False,
                        last_heartbeat=now,
                    )
                    self._dispatcher.slots[task.agent_id] = slot
                slot.active.add(task.task_id)
        self.dirty = True

    def jobs_wanted(self, now: float) -> list[tuple[str, AgentSlot | None]]:
        """Jobs to make now, each for the agent it is made for (``None``: any agent).

        Every online agent is kept ``queue_target`` queued tasks it may take (fitting its
        hardware, not excluded for it), so an agent whose results were refused, or that turned
        some down, still gets work; with no agent online the queue is kept at ``queue_target``.
        At most ``job_rate_per_s`` jobs a second are made.
        """
        target = self._settings.queue_target
        if target <= 0:
            return []
        if self._jobs_checked_at is None:
            self._job_allowance = float(target)  # fill the queue at once on start
        else:
            gained = (now - self._jobs_checked_at) * self._settings.job_rate_per_s
            self._job_allowance = min(float(max(target, 8)), self._job_allowance + gained)
        self._jobs_checked_at = now
        queued = self.queued()
        online = [slot for slot in self._dispatcher.slots.values() if slot.online]
        wants: list[AgentSlot | None] = []
        if not online:
            wants = [None] * max(0, target - len(queued))
        for slot in online:
            fitting = sum(
                1 for t in queued if slot.agent_id not in t.excluded and fits(t.requirements, slot)
            )
            wants += [slot] * max(0, target - fitting)
        wants = wants[: int(self._job_allowance)]
        self._job_allowance -= len(wants)
        return [(f"job-{self.next_job_number():06d}", slot) for slot in wants]

    def add_jobs(self, prepared: list[PreparedJob], now: float) -> list[TaskRecord]:
        """Queue a task per prepared job, and dispatch."""
        tasks = [self.submit(job, now) for job in prepared]
        self.dispatch(now)
        return tasks

    def next_job_number(self) -> int:
        number = int(self._store.meta("job_counter") or 0) + 1
        self._store.set_meta("job_counter", str(number))
        return number

    def queued(self) -> list[TaskRecord]:
        waiting = [t for t in self.tasks.values() if t.state is TaskState.QUEUED]
        return sorted(waiting, key=lambda t: (-t.priority, t.created_at, t.task_id))

    def submit(self, prepared: PreparedJob, now: float) -> TaskRecord:
        """Queue a task for a job whose files are in the artifact store."""
        job = prepared.job
        task = TaskRecord(
            task_id=f"task-{job.job_id.removeprefix('job-')}",
            job_id=job.job_id,
            workload=job.workload,
            spec=job.spec,
            requirements=job.requirements,
            priority=job.priority,
            estimated_duration_sec=job.estimated_duration_sec,
            model_sha256=prepared.model_sha256,
            input_sha256=prepared.input_sha256,
            expected_sha256=prepared.expected_sha256,
            created_at=now,
            canary_rows=job.canary_rows,
        )
        self._store.save_task(task)
        self.tasks[task.task_id] = task
        self.dirty = True
        return task

    def dispatch(self, now: float) -> None:
        """Assign what can be assigned (only when something changed since the last time)."""
        if not self.dirty:
            return
        self.dirty = False
        for task, slot in self._dispatcher.plan(self.queued(), now):
            self._assign(task, slot, now)

    def _assign(self, task: TaskRecord, slot: AgentSlot, now: float) -> None:
        attempt = self._store.attempt(task.task_id, slot.agent_id) or Attempt(
            task.task_id, slot.agent_id, secrets.token_urlsafe(16), now
        )
        attempt.assigned_at, attempt.outcome = now, None
        attempt.upload_sha256 = attempt.upload_size = None
        self._store.save_attempt(attempt)
        task.state, task.agent_id, task.assigned_at = TaskState.ASSIGNED, slot.agent_id, now
        self._store.save_task(task)
        slot.active.add(task.task_id)
        slot.last_assigned_at = now
        pricing = slot.terms.pricing
        if self._mail.extended(slot.agent_id):
            pricing = pricing.model_copy(
                update={"estimated_payout": estimated_payout(pricing, task.estimated_duration_sec)}
            )
        base = self.http_base
        message = TaskAssign(
            task_id=task.task_id,
            job_id=task.job_id,
            priority=task.priority,
            estimated_duration_sec=task.estimated_duration_sec,
            requirements=task.requirements,
            payload=TaskPayload(
                model_url=f"{base}/artifacts/{task.model_sha256}",
                model_hash=f"sha256:{task.model_sha256}",
                input_data_url=f"{base}/artifacts/{task.input_sha256}",
                output_url=f"{base}/uploads/{task.task_id}/{attempt.token}",
                config=task.spec.to_config(),
            ),
            pricing=pricing,
        )
        if not self._mail.send(slot.agent_id, message):
            self.requeue(task, now, Outcome.REQUEUED)

    def requeue(
        self,
        task: TaskRecord,
        now: float,
        outcome: Outcome,
        *,
        exclude: bool = False,
        count: bool = False,
    ) -> None:
        """Take a task back from its agent: queued again, or failed after too many attempts."""
        holder = task.agent_id
        if holder is not None:
            slot = self._dispatcher.slots.get(holder)
            if slot is not None:
                slot.active.discard(task.task_id)
            attempt = self._store.attempt(task.task_id, holder)
            if attempt is not None and attempt.outcome not in REPORTED_OUTCOMES:
                attempt.outcome = outcome
                self._store.save_attempt(attempt)
            if exclude:
                task.excluded.add(holder)
        task.attempts += int(count)
        task.agent_id = task.assigned_at = None
        task.progress = 0.0
        task.state = TaskState.QUEUED
        if task.attempts >= self._settings.max_attempts:
            task.state = TaskState.FAILED
            self.tasks.pop(task.task_id, None)
        self._store.save_task(task)
        self.dirty = True

    def requeue_agent(self, agent_id: str, now: float) -> list[str]:
        """Re-queue every task ``agent_id`` holds (it went silent); returns their ids."""
        held = [t for t in self.tasks.values() if t.agent_id == agent_id and t.state in HELD_STATES]
        for task in held:
            self.requeue(task, now, Outcome.REQUEUED)
        return [t.task_id for t in held]

    def cancel(self, task_id: str, reason: str, now: float) -> bool:
        """Withdraw an open task (TASK_CANCEL to its agent where negotiated)."""
        task = self.tasks.pop(task_id, None)
        if task is None:
            return False
        holder = task.agent_id
        task.state = TaskState.CANCELLED
        self._store.save_task(task)
        if holder is not None:
            self.withdraw(task, holder, reason)
        self.dirty = True
        return True

    def withdraw(self, task: TaskRecord, holder: str, reason: str) -> None:
        slot = self._dispatcher.slots.get(holder)
        if slot is not None:
            slot.active.discard(task.task_id)
        attempt = self._store.attempt(task.task_id, holder)
        if attempt is not None and attempt.outcome is None:
            attempt.outcome = Outcome.CANCELLED
            self._store.save_attempt(attempt)
        if self._mail.uses(holder, Extension.TASK_CANCEL):
            self._mail.send(holder, TaskCancel(task_id=task.task_id, reason=reason))

    def tick(self, now: float) -> None:
        """Re-queue assignments never accepted in time; dispatch."""
        limit = now - self._settings.assign_timeout_s
        for task in list(self.tasks.values()):
            if task.state is TaskState.ASSIGNED and (task.assigned_at or now) < limit:
                self.requeue(task, now, Outcome.REQUEUED, exclude=True)
        self.dirty = True
        self.dispatch(now)

    # ---- the agent's task frames ----
    def _held(self, agent_id: str, task_id: str) -> TaskRecord | None:
        task = self.tasks.get(task_id)
        if task is None or task.agent_id != agent_id or task.state not in HELD_STATES:
            self._mail.error(
                agent_id,
                "UNKNOWN_TASK",
                f"no task {task_id} assigned to you",
                True,
                {"task_id": task_id},
            )
            return None
        return task

    def on_accept(self, agent_id: str, message: TaskAccept, now: float) -> None:
        task = self._held(agent_id, message.task_id)
        if task is None:
            return
        task.state = TaskState.RUNNING
        self._store.save_task(task)
        attempt = self._store.attempt(task.task_id, agent_id)
        if attempt is not None:
            attempt.accepted_at = now
            self._store.save_attempt(attempt)

    def on_reject(self, agent_id: str, message: TaskReject, now: float) -> None:
        task = self._held(agent_id, message.task_id)
        if task is None:
            return
        unfit = message.reason in _UNFIT_REASONS
        self.requeue(
            task, now, Outcome.REJECTED, exclude=unfit, count=message.reason == "invalid_task"
        )
        slot = self._dispatcher.slots.get(agent_id)
        if slot is not None and message.reason in _BUSY_REASONS:
            if message.reason == "at_capacity" and slot.active:
                slot.capacity = len(slot.active)
            else:
                slot.hold_until = now + self._settings.heartbeat_interval_s

    def on_progress(self, agent_id: str, message: TaskProgress, now: float) -> None:
        task = self._held(agent_id, message.task_id)
        if task is not None:
            task.progress = max(0.0, min(1.0, message.progress))

    def on_state_sync(self, agent_id: str, message: StateSync, now: float) -> None:
        """Re-attach the listed tasks the agent holds; re-queue the others it held (§8)."""
        listed = {info.task_id: info for info in message.active_tasks}
        slot = self._dispatcher.slots.get(agent_id)
        for task in [t for t in self.tasks.values() if t.agent_id == agent_id]:
            info = listed.pop(task.task_id, None)
            if info is None:
                self.requeue(task, now, Outcome.REQUEUED)
                continue
            task.state, task.progress = TaskState.RUNNING, max(0.0, min(1.0, info.progress))
            self._store.save_task(task)
            if slot is not None:
                slot.active.add(task.task_id)
        for task_id in listed:
            self._mail.error(
                agent_id,
                "UNKNOWN_TASK",
                f"task {task_id} is not yours to run: abandon it",
                True,
                {"task_id": task_id},
            )

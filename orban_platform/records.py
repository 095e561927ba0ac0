"""The platform's records: tasks, assignment attempts, earnings and payouts, as plain dataclasses.

A task moves ``queued → assigned → running → completed``; it goes back to ``queued`` when its
agent rejects it, goes silent, or leaves it out of a STATE_SYNC, and ends ``failed`` after too
many attempts or ``cancelled`` when withdrawn. An :class:`Attempt` is one agent's hold on one
task: its upload token, its upload, and what the agent reported (the key by which results are
de-duplicated). Earnings and payouts mirror the EARNINGS_RECORD and PAYOUT_NOTIFICATION frames
plus the status the agent has been told (``delivered_status``). Imports nothing from Qt.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from orban_desktop.protocol.enums import EarningStatus
from orban_desktop.protocol.jobspec import JobSpec
from orban_desktop.protocol.types import TaskRequirements


class TaskState(enum.StrEnum):
    QUEUED = "queued"
    ASSIGNED = "assigned"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


#: States in which an agent holds the task.
HELD_STATES = frozenset({TaskState.ASSIGNED, TaskState.RUNNING})
#: States a task never leaves.
FINAL_STATES = frozenset({TaskState.COMPLETED, TaskState.FAILED, TaskState.CANCELLED})


class Outcome(enum.StrEnum):
    """How an attempt ended. The first four are the agent's own reports (de-duplicated)."""

    COMPLETED = "completed"
    INVALID = "invalid"  # a TASK_COMPLETE whose result failed verification
    FAILED = "failed"  # TASK_FAILED
    REJECTED = "rejected"  # TASK_REJECT
    REQUEUED = "requeued"  # the platform took the task back (silence, STATE_SYNC, no accept)
    CANCELLED = "cancelled"  # the platform withdrew it


REPORTED_OUTCOMES = frozenset({Outcome.COMPLETED, Outcome.INVALID, Outcome.FAILED})


@dataclass(slots=True)
class TaskRecord:
    """One task of a demo job (mutable: the task service owns it)."""

    task_id: str
    job_id: str
    workload: str
    spec: JobSpec
    requirements: TaskRequirements
    priority: int
    estimated_duration_sec: int
    model_sha256: str
    input_sha256: str
    expected_sha256: str
    created_at: float
    state: TaskState = TaskState.QUEUED
    agent_id: str | None = None
    assigned_at: float | None = None
    attempts: int = 0
    progress: float = 0.0
    excluded: set[str] = field(default_factory=set)
    #: A text-embedding task's planted rows, whose vectors the platform knows.
    canary_rows: tuple[int, ...] = ()

    @property
    def is_embedding(self) -> bool:
        return self.spec.runner is not None


@dataclass(slots=True)
class Attempt:
    task_id: str
    agent_id: str
    token: str
    assigned_at: float
    accepted_at: float | None = None
    upload_sha256: str | None = None
    upload_size: int | None = None
    outcome: Outcome | None = None
    #: The check of an embedding upload: ``{"ok", "reason", "device", "infer_s", "rows_per_s"}``.
    verdict: dict[str, object] | None = None


@dataclass(frozen=True, slots=True)
class EarningRow:
    task_id: str
    agent_id: str
    gpu_hours: float
    rate: str
    amount: str
    bonus: str
    final: str
    final_micros: int
    status: EarningStatus
    created_at: float
    estimated_payout_date: str
    delivered_status: EarningStatus | None = None
    payout_id: str | None = None


@dataclass(frozen=True, slots=True)
class PayoutRow:
    payout_id: str
    agent_id: str
    period_start: str
    period_end: str
    total_tasks: int
    total_gpu_hours: float
    gross: str
    fee: str
    net: str
    status: str
    created_at: float
    delivered: bool = False

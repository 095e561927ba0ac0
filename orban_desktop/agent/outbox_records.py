"""The records of the result outbox: a result to deliver, a journaled running task, the counts.

Plain frozen dataclasses, re-exported by :mod:`orban_desktop.agent.outbox` (import them from
there). Imports only the standard library; nothing from Qt and no protocol message models.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The message types a result frame may have.
RESULT_TYPES = frozenset({"TASK_COMPLETE", "TASK_FAILED"})


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One result frame to deliver.

    Attributes:
        task_id: The task it reports on (one result per task).
        message_id: The frame's ``message_id``; a re-send keeps it, so the platform can dedupe.
        message_type: ``"TASK_COMPLETE"`` or ``"TASK_FAILED"``.
        frame_json: The exact text ``encode_json`` produced, sent as it is.
        created_at: Unix seconds when the result was made.
    """

    task_id: str
    message_id: str
    message_type: str
    frame_json: str
    created_at: float

    def __post_init__(self) -> None:
        if self.message_type not in RESULT_TYPES:
            raise ValueError(f"not a result message type: {self.message_type!r}")


@dataclass(frozen=True, slots=True)
class JournaledTask:
    """A running task as the outbox's journal holds it (so a restart after a crash can report
    it): its TASK_ASSIGN frame, GPU, workspace folder, start time, and the most its pricing
    could pay in micro-units (``None``: unknown)."""

    task_id: str
    assign_json: str
    gpu_index: int
    workspace: str | None
    started_at: float
    priced_ceiling_micros: int | None = None


@dataclass(frozen=True, slots=True)
class TaskRun:
    """A task this agent took (remembered for ``RETENTION``), for checking its earnings."""

    task_id: str
    started_at: float
    priced_ceiling_micros: int | None


@dataclass(frozen=True, slots=True)
class OutboxStats:
    """Counts of results not yet delivered and delivered (kept until pruned), and running tasks."""

    pending: int
    delivered: int
    running: int

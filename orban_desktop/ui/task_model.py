"""Running and recent tasks as the Overview and Tasks pages show them.

:class:`TaskBoard` folds ``TaskProgressed``, ``TaskFinished`` and ``EarningRecorded`` into one row
per task (what it does, when it started, where it computes, its rows per second, stage, progress,
GPU, duration, earning, failure code) and keeps the last
``max_recent`` finished ones. ``changed`` fires with the task id after each update. Imports
QtCore and the core's events.
"""

from __future__ import annotations

import datetime
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from orban_desktop.events import EarningRecorded, TaskFinished, TaskProgressed
from orban_desktop.ui.bridge import EventBridge
from orban_desktop.ui.timed_pause import local_now


@dataclass
class TaskRow:
    """One task as the UI knows it; times are monotonic seconds, ``started_at`` local time."""

    task_id: str
    gpu_index: int | None
    stage: str
    progress: float
    started: float
    finished: float | None = None
    duration_s: float | None = None
    succeeded: bool | None = None
    error_code: str | None = None
    earned_micros: int | None = None
    earning_status: str | None = None
    work: str | None = None
    on_cpu: bool = False
    rows_per_s: float | None = None
    canary: bool = False
    started_at: datetime.datetime | None = None

    @property
    def running(self) -> bool:
        return self.finished is None

    def elapsed_s(self, now: float) -> float:
        if self.duration_s is not None:
            return self.duration_s
        return (self.finished or now) - self.started


class TaskBoard(QObject):
    """Rows of running tasks and of the last ``max_recent`` finished ones."""

    changed = Signal(str)

    def __init__(
        self,
        bridge: EventBridge,
        *,
        max_recent: int = 50,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime.datetime] = local_now,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock, self._wall_clock = clock, wall_clock
        self._max_recent = max_recent
        self._rows: OrderedDict[str, TaskRow] = OrderedDict()
        self._early_earnings: dict[str, EarningRecorded] = {}
        self.completed_count = 0
        self.failed_count = 0
        bridge.task_progressed.connect(self.on_progress)
        bridge.task_finished.connect(self.on_finished)
        bridge.earning_recorded.connect(self.on_earning)

    def now(self) -> float:
        return self._clock()

    def wall_now(self) -> datetime.datetime:
        return self._wall_clock()

    def running(self) -> list[TaskRow]:
        return [row for row in self._rows.values() if row.running]

    def recent(self) -> list[TaskRow]:
        """Finished tasks, newest first."""
        done = [row for row in self._rows.values() if not row.running]
        return sorted(done, key=lambda row: row.finished or 0.0, reverse=True)

    def row(self, task_id: str) -> TaskRow | None:
        return self._rows.get(task_id)

    def _row_for(self, task_id: str, gpu_index: int | None = None) -> TaskRow:
        row = self._rows.get(task_id)
        if row is None:
            row = TaskRow(
                task_id,
                gpu_index,
                "accepted",
                0.0,
                started=self._clock(),
                started_at=self._wall_clock(),
            )
            self._rows[task_id] = row
        return row

    def on_progress(self, event: TaskProgressed) -> None:
        row = self._row_for(event.task_id, event.gpu_index)
        if not row.running:
            return
        row.stage, row.progress = event.stage, max(0.0, min(1.0, event.progress))
        if event.gpu_index is not None:
            row.gpu_index = event.gpu_index
        row.work, row.on_cpu, row.canary = event.work or row.work, event.on_cpu, event.canary
        if event.rows_per_s is not None:
            row.rows_per_s = event.rows_per_s
        self.changed.emit(event.task_id)

    def on_finished(self, event: TaskFinished) -> None:
        row = self._row_for(event.task_id)
        row.finished = self._clock()
        row.duration_s = event.duration_s
        row.succeeded, row.error_code = event.succeeded, event.error_code
        row.stage = "completed" if event.succeeded else "failed"
        if event.succeeded:
            row.progress = 1.0
            self.completed_count += 1
        else:
            self.failed_count += 1
        early = self._early_earnings.pop(event.task_id, None)
        if early is not None:
            row.earned_micros, row.earning_status = early.amount_micros, early.status
        self._trim()
        self.changed.emit(event.task_id)

    def on_earning(self, event: EarningRecorded) -> None:
        row = self._rows.get(event.task_id)
        if row is None:
            self._early_earnings[event.task_id] = event
            while len(self._early_earnings) > self._max_recent:
                self._early_earnings.pop(next(iter(self._early_earnings)))
            return
        row.earned_micros, row.earning_status = event.amount_micros, event.status
        self.changed.emit(event.task_id)

    def _trim(self) -> None:
        finished = sorted(
            (row for row in self._rows.values() if not row.running),
            key=lambda row: row.finished or 0.0,
        )
        for row in finished[: max(0, len(finished) - self._max_recent)]:
            del self._rows[row.task_id]

"""The Tasks page: running and recent tasks with start time, stage, progress, duration, earning
and outcome.

A table over :class:`~orban_desktop.ui.task_model.TaskBoard`: running tasks first (with a
progress bar), then finished ones, newest first, with what they earned and, for a failure, the
reason in words. Redrawn at most four times a second and only while on screen (hidden or
minimised: nothing is formatted; shown again: redrawn at once); running durations tick once a
second. The board keeps a bounded number of finished tasks, so the table is bounded too.
Imports QtWidgets.
"""

from __future__ import annotations

import datetime

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from orban_desktop.ui.formatting import clock_text, duration_text, money_text
from orban_desktop.ui.frame_coalescer import FrameCoalescer, on_screen
from orban_desktop.ui.task_model import TaskBoard, TaskRow
from orban_desktop.ui.widgets.labels import label
from orban_desktop.ui.widgets.task_list import rate_text, where_text
from orban_desktop.ui.wording import earning_status_text, failure_text, stage_text

translate = QCoreApplication.translate
COLUMNS = 8
PROGRESS_COLUMN = 4
REDRAW_MS = 250


class TasksView(QWidget):
    """Every task the board knows, in one table."""

    def __init__(self, board: TaskBoard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.board = board
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(label(translate("TasksView", "Tasks"), "pageTitle"))
        self.summary = label("", "muted")
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, COLUMNS)
        self.table.setHorizontalHeaderLabels(
            [
                translate("TasksView", "Task"),
                translate("TasksView", "Started"),
                translate("TasksView", "Runs on"),
                translate("TasksView", "Stage"),
                translate("TasksView", "Progress"),
                translate("TasksView", "Duration"),
                translate("TasksView", "Earned"),
                translate("TasksView", "Result"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS - 1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.frames = FrameCoalescer(self, self.redraw, REDRAW_MS)
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self.frames.request)
        board.changed.connect(self._changed)

    def _changed(self, _task_id: str) -> None:
        self.frames.request()

    def catch_up(self) -> None:
        """Draw what came while the page was off screen (the window was restored)."""
        self.frames.catch_up()

    def rows(self) -> list[TaskRow]:
        return self.board.running() + self.board.recent()

    def redraw(self) -> None:
        rows = self.rows()
        now, wall_now = self.board.now(), self.board.wall_now()
        self.table.setRowCount(len(rows))
        for number, row in enumerate(rows):
            self._fill(number, row, now, wall_now)
        self.summary.setText(
            translate("TasksView", "{running} running · {done} done · {failed} failed").format(
                running=len(self.board.running()),
                done=self.board.completed_count,
                failed=self.board.failed_count,
            )
        )
        if self.board.running() and on_screen(self):
            self._tick.start()
        else:
            self._tick.stop()

    def _fill(self, number: int, row: TaskRow, now: float, wall_now: datetime.datetime) -> None:
        earned = "" if row.earned_micros is None else money_text(row.earned_micros)
        if row.earning_status:
            earned += f" ({earning_status_text(row.earning_status)})"
        if row.running:
            result = translate("TasksView", "Running")
        elif row.succeeded:
            result = translate("TasksView", "Done")
        else:
            result = translate("TasksView", "Failed: {reason}").format(
                reason=failure_text(row.error_code)
            )
        rate = rate_text(row)
        started = "–" if row.started_at is None else clock_text(row.started_at, wall_now, True)
        cells = (
            f"{row.work} · {row.task_id}" if row.work else row.task_id,
            started,
            "–" if row.gpu_index is None else where_text(row),
            f"{stage_text(row.stage)} · {rate}" if rate else stage_text(row.stage),
            None,
            duration_text(row.elapsed_s(now)),
            earned,
            result,
        )
        for column, text in enumerate(cells):
            if text is not None:
                self.table.setItem(number, column, QTableWidgetItem(text))
        bar = self.table.cellWidget(number, PROGRESS_COLUMN)
        if not isinstance(bar, QProgressBar):
            bar = QProgressBar()
            bar.setRange(0, 1000)
            bar.setFormat("%p %")
            self.table.setCellWidget(number, PROGRESS_COLUMN, bar)
        bar.setValue(round(row.progress * 1000))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.frames.flush()

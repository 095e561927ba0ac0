"""The running tasks as rows of text and a progress bar (the Overview's "current tasks").

:class:`RunningTaskList` follows a :class:`~orban_desktop.ui.task_model.TaskBoard`: a row per
running task (id, GPU, stage, elapsed time, progress bar), and a line saying so when nothing runs.
The row widgets are made once and reused as tasks come and go (hidden when fewer tasks run): an
agent runs thousands of tasks a day, and with a row made and deleted per task, what Qt allocated
under each new row's ``QProgressBar.sizeHint`` was still held after the row was gone, about 400
bytes a task (heaptrack on the busy app). Rows are updated in place, once a frame at most and
only while the list is on screen (a hidden list catches up when shown). Imports QtWidgets.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from orban_desktop.ui.formatting import duration_text
from orban_desktop.ui.frame_coalescer import FrameCoalescer
from orban_desktop.ui.task_model import TaskBoard, TaskRow
from orban_desktop.ui.widgets.labels import label
from orban_desktop.ui.wording import stage_text

translate = QCoreApplication.translate


def where_text(row: TaskRow) -> str:
    """Where a task computes: "GPU 0", or plainly the CPU when its GPU is simulated."""
    gpu = "?" if row.gpu_index is None else str(row.gpu_index)
    if row.canary:
        return translate("RunningTaskList", "CPU (a canary: no GPU work)")
    if row.on_cpu:
        return translate("RunningTaskList", "CPU (GPU {gpu} is simulated)").format(gpu=gpu)
    return translate("RunningTaskList", "GPU {gpu}").format(gpu=gpu)


def rate_text(row: TaskRow) -> str:
    if row.rows_per_s is None:
        return ""
    return translate("RunningTaskList", "{rate}/s").format(rate=f"{row.rows_per_s:,.0f}")


def task_summary(row: TaskRow, now: float) -> str:
    parts = [
        row.work or row.task_id[:18],
        where_text(row),
        rate_text(row),
        stage_text(row.stage),
        duration_text(row.elapsed_s(now)),
    ]
    return " · ".join(part for part in parts if part)


class _TaskLine(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.text = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setFormat("%p %")
        self.bar.setFixedWidth(180)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.bar)

    def show_row(self, row: TaskRow, now: float) -> None:
        self.text.setText(task_summary(row, now))
        self.bar.setValue(round(row.progress * 1000))


class RunningTaskList(QWidget):
    """One line per running task of ``board``."""

    def __init__(self, board: TaskBoard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.board = board
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.empty = label(translate("RunningTaskList", "No task running."), "muted")
        self._layout.addWidget(self.empty)
        self._layout.addStretch(1)
        #: Row widgets, the first ``len(running)`` shown; made when more tasks run than ever before.
        self.lines: list[_TaskLine] = []
        self._line_height = _TaskLine().sizeHint().height()
        self.set_capacity(1)
        self.frames = FrameCoalescer(self, self.refresh)
        board.changed.connect(self._changed)  # a method: disconnected when the list is deleted

    def set_capacity(self, tasks_at_once: int) -> None:
        """Keep room for this many rows, so the page below does not move as tasks come and go
        (a moving page repaints every GPU card)."""
        spacing = max(0, self._layout.spacing())
        self.setMinimumHeight(tasks_at_once * (self._line_height + spacing))

    def refresh(self, *_changed: object) -> None:
        running = self.board.running()
        while len(self.lines) < len(running):
            self.lines.append(_TaskLine(self))
            self._layout.insertWidget(self._layout.count() - 1, self.lines[-1])
        now = self.board.now()
        for line, row in zip(self.lines, running, strict=False):
            line.show_row(row, now)
        for number, line in enumerate(self.lines):
            line.setVisible(number < len(running))
        self.empty.setVisible(not running)

    def _changed(self, _task_id: str) -> None:
        self.frames.request()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.frames.catch_up()

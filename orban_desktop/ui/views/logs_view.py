"""The Logs page: the agent's log lines as they happen, filtered by level.

Shows the recent ``LogRecorded`` events the dashboard keeps from the start (the rotating file
keeps the rest, and its path is shown); lines at or above the chosen level are appended while
the page is on screen, a burst of them in one append a frame, and the page is redrawn when it is
shown again, restored or the level changes; off screen a line costs nothing here. The text holds
at most as many lines as the dashboard keeps (a ring). Long lines wrap at the
page's width (at a word boundary, or anywhere in a long path or hash), so nothing runs off the
right edge. Imports QtWidgets.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFontDatabase, QShowEvent, QTextOption
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from orban_desktop.events import LogRecorded
from orban_desktop.ui.bridge import EventBridge
from orban_desktop.ui.frame_coalescer import FrameCoalescer, on_screen
from orban_desktop.ui.widgets.labels import label

translate = QCoreApplication.translate


def log_line(event: LogRecorded) -> str:
    stamp = time.strftime("%H:%M:%S", time.localtime(event.created))
    return f"{stamp} {logging.getLevelName(event.level):<7} {event.logger_name}: {event.message}"


class LogsView(QWidget):
    """Live log lines with a level filter."""

    def __init__(
        self,
        bridge: EventBridge,
        events: deque[LogRecorded],
        log_file: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.events = events
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        header = QHBoxLayout()
        header.addWidget(label(translate("LogsView", "Logs"), "pageTitle"), 1)
        header.addWidget(QLabel(translate("LogsView", "Show")))
        self.level = QComboBox()
        for name, level in (
            (translate("LogsView", "Debug and above"), logging.DEBUG),
            (translate("LogsView", "Info and above"), logging.INFO),
            (translate("LogsView", "Warnings and errors"), logging.WARNING),
            (translate("LogsView", "Errors only"), logging.ERROR),
        ):
            self.level.addItem(name, level)
        self.level.setCurrentIndex(1)
        self.level.currentIndexChanged.connect(self.redraw)
        header.addWidget(self.level)
        layout.addLayout(header)
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setMaximumBlockCount(events.maxlen or 0)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.text.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.text, 1)
        self.file_label = label(
            translate("LogsView", "Full log: {path}").format(path=log_file), "muted"
        )
        self.file_label.setWordWrap(True)
        layout.addWidget(self.file_label)
        self._pending: list[LogRecorded] = []
        self._stale = False  # lines came while off screen: redraw when shown
        self.frames = FrameCoalescer(self, self._append_pending)
        bridge.log_recorded.connect(self.add)

    @property
    def minimum_level(self) -> int:
        return int(self.level.currentData())

    def add(self, event: LogRecorded) -> None:
        """A new line (already kept in ``events`` by its owner): shown within a frame if on
        screen, else at the next redraw."""
        if not on_screen(self):
            self._stale = True
            self._pending.clear()
        elif event.level >= self.minimum_level:
            self._pending.append(event)
            self.frames.request()

    def _append_pending(self) -> None:
        if self._pending:
            self.text.appendPlainText("\n".join(log_line(e) for e in self._pending))
            self._pending.clear()

    def redraw(self) -> None:
        self._pending.clear()
        self._stale = False
        lines = [log_line(e) for e in self.events if e.level >= self.minimum_level]
        self.text.setPlainText("\n".join(lines))
        self.text.verticalScrollBar().setValue(self.text.verticalScrollBar().maximum())

    def catch_up(self) -> None:
        """Show the lines that came while the page was off screen (the window was restored)."""
        if self._stale:
            self.redraw()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.redraw()

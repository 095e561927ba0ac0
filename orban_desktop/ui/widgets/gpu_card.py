"""One GPU at a glance: name, a SIMULATED badge where it applies, readings and a sparkline.

:class:`GpuCard` shows a :class:`~orban_desktop.gpu.device.GPUStatus`: utilization, temperature,
power and memory, each "not reported" when the driver does not say, and what the GPU does now
(a task, idle, disabled, lost). Simulated GPUs always carry the badge. :meth:`GpuCard.record`
keeps a reading (the sparkline's value) without formatting anything; :meth:`GpuCard.show_latest`
words the newest one and repaints, which the page does once a frame while it is on screen.
Imports QtWidgets.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from orban_desktop.gpu.device import GPUStatus
from orban_desktop.ui.formatting import memory_text, percent_text, power_text, temperature_text
from orban_desktop.ui.widgets.labels import label
from orban_desktop.ui.widgets.sparkline import Sparkline

translate = QCoreApplication.translate


def _set_text(target: QLabel, text: str) -> None:
    """Change a label only when its text changes (no relayout, no repaint otherwise)."""
    if target.text() != text:
        target.setText(text)


def simulated_badge() -> QLabel:
    """The label every simulated GPU carries wherever it is shown."""
    badge = label(translate("GpuCard", "SIMULATED"), "simulatedBadge")
    badge.setToolTip(
        translate(
            "GpuCard", "A simulated GPU for a demo: it does no real work and earns nothing real."
        )
    )
    return badge


def gpu_title(index: int, name: str) -> str:
    return translate("GpuCard", "GPU {index} · {name}").format(index=index, name=name)


class GpuCard(QFrame):
    """A card for GPU ``index``; feed it with :meth:`record` and :meth:`show_latest`."""

    def __init__(self, status: GPUStatus, *, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.index = status.index
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        header = QHBoxLayout()
        self.title = QLabel(gpu_title(status.index, status.name))
        self.title.setStyleSheet("font-weight: 600;")
        header.addWidget(self.title, 1)
        self.badge = simulated_badge()
        header.addWidget(self.badge)
        layout.addLayout(header)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        self.readings: dict[str, QLabel] = {}
        captions = (
            ("utilization", translate("GpuCard", "Utilization")),
            ("temperature", translate("GpuCard", "Temperature")),
            ("power", translate("GpuCard", "Power")),
            ("memory", translate("GpuCard", "Memory")),
        )
        for column, (key, caption) in enumerate(captions):
            grid.addWidget(label(caption, "muted"), 0, column)
            value = QLabel("–")
            grid.addWidget(value, 1, column)
            self.readings[key] = value
        layout.addLayout(grid)
        self.sparkline = Sparkline(colour=colour)
        self.sparkline.setToolTip(translate("GpuCard", "Utilization over the last two minutes"))
        layout.addWidget(self.sparkline)
        self.activity = label("", "muted")
        # A new text must not resize the card (that would repaint the sparkline too).
        self.activity.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.activity)
        self.faulty = False
        self._status = status
        self.show_status(status)

    def show_status(self, status: GPUStatus) -> None:
        """Record ``status`` and show it now."""
        self.record(status)
        self.show_latest()

    def record(self, status: GPUStatus) -> None:
        """Keep ``status`` as the newest reading (formats and draws nothing)."""
        self._status = status
        self.sparkline.append(None if status.fault else status.utilization_pct)
        self.faulty = status.fault is not None

    def show_latest(self) -> None:
        """Word the newest reading into the labels and repaint the sparkline."""
        status = self._status
        self.badge.setVisible(status.simulated)
        _set_text(self.readings["utilization"], percent_text(status.utilization_pct))
        _set_text(self.readings["temperature"], temperature_text(status.temperature_c))
        _set_text(self.readings["power"], power_text(status.power_w))
        memory = memory_text(status.memory_used_bytes, status.memory_total_bytes)
        _set_text(self.readings["memory"], memory)
        self.sparkline.update()
        if self.faulty:
            _set_text(self.activity, translate("GpuCard", "Cannot be read: the GPU may be lost"))

    def show_activity(self, *, enabled: bool, task_id: str | None) -> None:
        if self.faulty:
            return
        if not enabled:
            text = translate("GpuCard", "Disabled in Settings")
        elif task_id is not None:
            text = translate("GpuCard", "Running task {task}").format(task=task_id[:12])
        else:
            text = translate("GpuCard", "Idle: waiting for a task")
        _set_text(self.activity, text)

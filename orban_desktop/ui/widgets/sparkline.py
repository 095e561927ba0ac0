"""A tiny line chart of the last readings of one value, painted with QPainter (no axes).

Cheap enough for a card per GPU at 1 Hz: it keeps a bounded deque (``capacity`` values, so its
memory is fixed), :meth:`Sparkline.append` only records (its owner repaints it once a frame,
while it is on screen; ``paint_count`` counts the paints), and it leaves a gap where a reading
is missing (``None``: not reported) instead of drawing a 0. The right edge is now: a faint line
marks it and a dot sits on the newest reading. Imports QtCore, QtGui and QtWidgets.
"""

from __future__ import annotations

from collections import deque

from PySide6.QtCore import QCoreApplication, QPointF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


class Sparkline(QWidget):
    """The last ``capacity`` values between ``minimum`` and ``maximum``, oldest on the left."""

    def __init__(
        self,
        *,
        capacity: int = 120,
        minimum: float = 0.0,
        maximum: float = 100.0,
        colour: str = "#3b6fd8",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.values: deque[float | None] = deque(maxlen=capacity)
        self.minimum, self.maximum = minimum, maximum
        self.colour = QColor(colour)
        self.paint_count = 0
        self.setMinimumHeight(36)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip(QCoreApplication.translate("Sparkline", "The right edge is now"))

    def sizeHint(self) -> QSize:
        return QSize(200, 40)

    def append(self, value: float | None) -> None:
        """Record a reading; nothing is drawn until :meth:`update` (the owner's frame)."""
        self.values.append(value)

    def set_colour(self, colour: str) -> None:
        self.colour = QColor(colour)
        self.update()

    def _y(self, value: float, height: float) -> float:
        span = self.maximum - self.minimum or 1.0
        share = (min(max(value, self.minimum), self.maximum) - self.minimum) / span
        return 2 + (height - 4) * (1 - share)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.paint_count += 1
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width, height = float(self.width()), float(self.height())
        baseline = QColor(self.colour)
        baseline.setAlpha(60)
        painter.setPen(QPen(baseline, 1))
        painter.drawLine(QPointF(0, height - 1.5), QPointF(width, height - 1.5))
        capacity = self.values.maxlen or 1
        step = width / max(1, capacity - 1)
        x0 = width - step * (len(self.values) - 1)
        painter.drawLine(QPointF(width - 1.5, 0), QPointF(width - 1.5, height))  # now
        path = QPainterPath()
        drawing = False
        newest: QPointF | None = None
        for i, value in enumerate(self.values):
            x = x0 + i * step
            if value is None:
                drawing = False
                continue
            point = QPointF(min(x, width - 3.0), self._y(value, height))
            newest = point if i == len(self.values) - 1 else None
            if drawing:
                path.lineTo(point)
            else:
                path.moveTo(point)
                drawing = True
        painter.setPen(QPen(self.colour, 1.6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        if newest is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.colour)
            painter.drawEllipse(newest, 2.6, 2.6)
        painter.end()

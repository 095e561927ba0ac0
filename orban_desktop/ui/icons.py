"""Icons drawn with QPainter: the app icon and the tray's five state icons.

Each state has its own colour and its own mark, so it reads without colour too: active is a
green chip with a play mark, paused amber with two bars, "no GPU that can earn" slate blue with a
cross, offline grey with a dash, error red with an exclamation mark. Drawn at several sizes into
one ``QIcon``; nothing is read from disk. Imports QtCore and QtGui only.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

from orban_desktop.ui.status_model import DisplayState

SIZES = (16, 22, 24, 32, 48, 64, 128)
STATE_COLOURS = {
    DisplayState.ACTIVE: "#2e9d5b",
    DisplayState.PAUSED: "#d9911a",
    DisplayState.NO_GPU: "#5a6b8c",
    DisplayState.OFFLINE: "#8a8f98",
    DisplayState.ERROR: "#d23f3f",
}
BRAND_COLOUR = "#3b6fd8"


def _chip(painter: QPainter, size: int, colour: QColor) -> None:
    """A GPU chip: a rounded square with pins on every side."""
    unit = size / 16
    pin_pen = QPen(colour.darker(130), max(1.0, unit))
    painter.setPen(pin_pen)
    for step in (5.0, 8.0, 11.0):
        offset = step * unit
        painter.drawLine(QPointF(offset, 0.5 * unit), QPointF(offset, 2.5 * unit))
        painter.drawLine(QPointF(offset, 13.5 * unit), QPointF(offset, 15.5 * unit))
        painter.drawLine(QPointF(0.5 * unit, offset), QPointF(2.5 * unit, offset))
        painter.drawLine(QPointF(13.5 * unit, offset), QPointF(15.5 * unit, offset))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(
        QRectF(2 * unit, 2 * unit, 12 * unit, 12 * unit), 2.5 * unit, 2.5 * unit
    )


def _mark(painter: QPainter, size: int, state: DisplayState | None) -> None:
    unit = size / 16
    painter.setBrush(QColor("white"))
    painter.setPen(Qt.PenStyle.NoPen)
    if state is DisplayState.PAUSED:
        painter.drawRect(QRectF(5.5 * unit, 5 * unit, 1.8 * unit, 6 * unit))
        painter.drawRect(QRectF(8.7 * unit, 5 * unit, 1.8 * unit, 6 * unit))
    elif state is DisplayState.NO_GPU:
        cross = QPen(QColor("white"), 1.8 * unit)
        cross.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(cross)
        painter.drawLine(QPointF(5.5 * unit, 5.5 * unit), QPointF(10.5 * unit, 10.5 * unit))
        painter.drawLine(QPointF(10.5 * unit, 5.5 * unit), QPointF(5.5 * unit, 10.5 * unit))
    elif state is DisplayState.OFFLINE:
        painter.drawRoundedRect(QRectF(4.5 * unit, 7.1 * unit, 7 * unit, 1.8 * unit), unit, unit)
    elif state is DisplayState.ERROR:
        painter.drawRect(QRectF(7.1 * unit, 4.3 * unit, 1.8 * unit, 5 * unit))
        painter.drawEllipse(QRectF(7.0 * unit, 10.3 * unit, 2.0 * unit, 2.0 * unit))
    elif state is DisplayState.ACTIVE:
        triangle = QPolygonF(
            [
                QPointF(6 * unit, 4.8 * unit),
                QPointF(11.5 * unit, 8 * unit),
                QPointF(6 * unit, 11.2 * unit),
            ]
        )
        painter.drawPolygon(triangle)
    else:  # the app icon: a stylised "O"
        ring = QPainterPath()
        ring.addEllipse(QRectF(4.5 * unit, 4.5 * unit, 7 * unit, 7 * unit))
        ring.addEllipse(QRectF(6.3 * unit, 6.3 * unit, 3.4 * unit, 3.4 * unit))
        painter.drawPath(ring)


def _pixmap(size: int, colour: QColor, state: DisplayState | None) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    _chip(painter, size, colour)
    _mark(painter, size, state)
    painter.end()
    return pixmap


def state_icon(state: DisplayState) -> QIcon:
    """The tray icon for ``state``."""
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(_pixmap(size, QColor(STATE_COLOURS[state]), state))
    return icon


def app_icon() -> QIcon:
    """The application's own icon (window title bar, first-run dialog)."""
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(_pixmap(size, QColor(BRAND_COLOUR), None))
    return icon

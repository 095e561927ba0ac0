"""At most one redraw a frame, and none while the view is off screen: :class:`FrameCoalescer`.

A view that follows a stream of events (GPU samples, task progress, log lines) calls
:meth:`FrameCoalescer.request` for each one; the coalescer marks the view dirty and, only while
the view is on screen (visible, in a window that is not minimised), starts a single-shot timer
of ``FRAME_MS``, so a burst of events becomes one redraw. Off screen nothing is drawn or
formatted; the view calls :meth:`FrameCoalescer.catch_up` when it is shown again (its
``showEvent``, or the window's restore from minimised), which redraws once if anything was
missed. ``draws`` counts the redraws it ran (tests read it). Imports QtCore and QtWidgets.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

#: The longest an event waits for its redraw, in milliseconds (a frame at 20 Hz).
FRAME_MS = 50


def on_screen(widget: QWidget) -> bool:
    """Whether ``widget`` can be seen now: shown, and its window not minimised."""
    return widget.isVisible() and not widget.window().isMinimized()


class FrameCoalescer(QObject):
    """Runs ``draw`` once a frame at most, only while ``widget`` is on screen.

    Args:
        widget: The view whose visibility decides (also the timer's parent).
        draw: Redraws the view from its model; called on the GUI thread.
        interval_ms: The frame, in milliseconds.
    """

    def __init__(
        self, widget: QWidget, draw: Callable[[], None], interval_ms: int = FRAME_MS
    ) -> None:
        super().__init__(widget)
        self._widget = widget
        self._draw = draw
        self._timer = QTimer(self, singleShot=True, interval=interval_ms)
        self._timer.timeout.connect(self._frame)
        self.dirty = False
        self.draws = 0

    def request(self) -> None:
        """Something changed: redraw within a frame if on screen, else when shown again."""
        self.dirty = True
        if not self._timer.isActive() and on_screen(self._widget):
            self._timer.start()

    def _frame(self) -> None:
        if on_screen(self._widget):
            self.flush()

    def flush(self) -> None:
        """Redraw now (whatever the visibility) and forget what was pending."""
        self._timer.stop()
        self.dirty = False
        self.draws += 1
        self._draw()

    def catch_up(self) -> None:
        """Redraw once if something changed while the view was off screen."""
        if self.dirty and on_screen(self._widget):
            self.flush()

"""The one place where the core's events become Qt signals.

:class:`EventBridge` subscribes to an :class:`~orban_desktop.events.EventBus` and re-emits each
event as a signal carrying the frozen dataclass itself (never a dict). Views connect to these
signals only; they never subscribe to the bus. The bus publishes on the event loop's thread,
which under qasync is Qt's main thread, so the signals are delivered directly. :meth:`attach`
moves the bridge to another bus (the agent's parts are rebuilt when settings change); the
signals stay the same. Imports QtCore and the core's events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

from orban_desktop.events import (
    ConnectionStateChanged,
    EarningRecorded,
    Event,
    EventBus,
    GpuSampled,
    LogRecorded,
    Notice,
    PauseChanged,
    PayoutReceived,
    RealWorkChecked,
    SettingsApplied,
    TaskFinished,
    TaskProgressed,
)


class EventBridge(QObject):
    """Re-emits every core event as the matching signal (payload: the event dataclass)."""

    connection_changed = Signal(object)  # ConnectionStateChanged
    gpu_sampled = Signal(object)  # GpuSampled
    pause_changed = Signal(object)  # PauseChanged
    task_progressed = Signal(object)  # TaskProgressed
    task_finished = Signal(object)  # TaskFinished
    earning_recorded = Signal(object)  # EarningRecorded
    payout_received = Signal(object)  # PayoutReceived
    log_recorded = Signal(object)  # LogRecorded
    notice = Signal(object)  # Notice
    real_work_checked = Signal(object)  # RealWorkChecked
    settings_applied = Signal(object)  # SettingsApplied

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bus: EventBus | None = None
        self._routes: dict[type[Event], SignalInstance] = {
            ConnectionStateChanged: self.connection_changed,
            GpuSampled: self.gpu_sampled,
            PauseChanged: self.pause_changed,
            TaskProgressed: self.task_progressed,
            TaskFinished: self.task_finished,
            EarningRecorded: self.earning_recorded,
            PayoutReceived: self.payout_received,
            LogRecorded: self.log_recorded,
            Notice: self.notice,
            RealWorkChecked: self.real_work_checked,
            SettingsApplied: self.settings_applied,
        }
        self._handlers: dict[type[Event], Callable[[Any], None]] = {
            event_type: signal.emit for event_type, signal in self._routes.items()
        }

    @property
    def bus(self) -> EventBus | None:
        return self._bus

    def attach(self, bus: EventBus) -> None:
        """Listen to ``bus`` (and stop listening to the previous one)."""
        if bus is self._bus:
            return
        self.detach()
        for event_type, handler in self._handlers.items():
            bus.subscribe(event_type, handler)
        self._bus = bus

    def detach(self) -> None:
        """Stop listening; the signals stay connected to the views."""
        if self._bus is None:
            return
        for event_type, handler in self._handlers.items():
            self._bus.unsubscribe(event_type, handler)
        self._bus = None

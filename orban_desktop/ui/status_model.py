"""What the agent is doing, kept for the window and the tray: state, pause reasons, GPUs.

:class:`AgentStatusModel` folds ``ConnectionStateChanged``, ``PauseChanged`` and ``GpuSampled``
signals from the bridge into one picture, with what the dashboard tells it (the platform's
address, whether a GPU can earn, when a timed pause ends), and maps it to a
:class:`DisplayState` (the tray's five icons). It keeps codes and numbers only;
:mod:`orban_desktop.ui.wording` turns them into words. Imports QtCore and the core's event types.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import QObject, Signal

from orban_desktop.events import ConnectionState, ConnectionStateChanged, GpuSampled, PauseChanged
from orban_desktop.ui.bridge import EventBridge
from orban_desktop.ui.gpu_readiness import GpuReadiness
from orban_desktop.ui.timed_pause import local_now

_OFFLINE_STATES = frozenset(
    {
        ConnectionState.OFFLINE,
        ConnectionState.CONNECTING,
        ConnectionState.AUTHENTICATING,
        ConnectionState.STOPPED,
    }
)


class DisplayState(StrEnum):
    """The five faces of the tray icon."""

    ACTIVE = "active"
    PAUSED = "paused"
    NO_GPU = "no_gpu"  # online, but no GPU can earn
    OFFLINE = "offline"
    ERROR = "error"


class AgentStatusModel(QObject):
    """The agent's state as the UI shows it; ``changed`` fires on every change.

    Args:
        bridge: Where the core's events arrive.
        agent_id: This agent's id (the key-rejected message names it).
        clock: Monotonic seconds (tests pass their own).
    """

    changed = Signal()

    def __init__(
        self,
        bridge: EventBridge,
        *,
        agent_id: str,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.agent_id = agent_id
        self._clock = clock
        self.state = ConnectionState.OFFLINE
        self.reason: str | None = None
        self.detail: str | None = None
        self.retry_deadline: float | None = None
        self.pause_reasons: frozenset[str] = frozenset()
        self.offline_since: float | None = clock()
        self.gpu_count: int | None = None
        self.simulated_gpus = False
        self.platform_url = ""
        self.readiness = GpuReadiness.UNKNOWN
        self.paused_until: datetime.datetime | None = None
        #: Local wall-clock time, for "until 13:00" (the dashboard shares its own).
        self.wall_clock: Callable[[], datetime.datetime] = local_now
        bridge.connection_changed.connect(self.on_connection)
        bridge.pause_changed.connect(self.on_pause)
        bridge.gpu_sampled.connect(self.on_sample)

    def reset(self, state: ConnectionState, pause_reasons: frozenset[str]) -> None:
        """Start from what the service says now (after the agent (re)started)."""
        self.pause_reasons = pause_reasons
        self.on_connection(ConnectionStateChanged(state))

    def on_connection(self, event: ConnectionStateChanged) -> None:
        was_offline = self.state in _OFFLINE_STATES or self.state is ConnectionState.AUTH_REJECTED
        self.state, self.reason, self.detail = event.state, event.reason, event.detail
        self.retry_deadline = (
            None if event.retry_in_s is None else self._clock() + max(0.0, event.retry_in_s)
        )
        offline_now = self.display_state in (DisplayState.OFFLINE, DisplayState.ERROR)
        if offline_now and not was_offline:
            self.offline_since = self._clock()
        elif not offline_now:
            self.offline_since = None
        self.changed.emit()

    def on_pause(self, event: PauseChanged) -> None:
        self.pause_reasons = event.reasons
        self.changed.emit()

    def set_readiness(self, readiness: GpuReadiness) -> None:
        """Whether a GPU can earn (the dashboard works it out from the agent's GPU facts)."""
        if readiness is not self.readiness:
            self.readiness = readiness
            self.changed.emit()

    def set_paused_until(self, end: datetime.datetime | None) -> None:
        """When the owner's timed pause ends (``None``: no timed pause)."""
        if end != self.paused_until:
            self.paused_until = end
            self.changed.emit()

    def on_sample(self, event: GpuSampled) -> None:
        count = len(event.statuses)
        simulated = any(status.simulated for status in event.statuses)
        if count != self.gpu_count or simulated != self.simulated_gpus:
            self.gpu_count, self.simulated_gpus = count, simulated
            self.changed.emit()

    @property
    def user_paused(self) -> bool:
        return "user" in self.pause_reasons

    @property
    def display_state(self) -> DisplayState:
        if self.state is ConnectionState.AUTH_REJECTED:
            return DisplayState.ERROR
        if self.state in _OFFLINE_STATES:
            return DisplayState.OFFLINE
        if not self.readiness.can_earn:
            return DisplayState.NO_GPU
        if self.state is ConnectionState.PAUSED or self.pause_reasons:
            return DisplayState.PAUSED
        return DisplayState.ACTIVE

    def retry_in_s(self) -> int | None:
        """Whole seconds until the next reconnect attempt (``None``: none planned)."""
        if self.retry_deadline is None:
            return None
        return max(0, round(self.retry_deadline - self._clock()))

    def offline_for_s(self) -> float:
        """Seconds the agent has been offline (or rejected) without a break; 0 when online."""
        return 0.0 if self.offline_since is None else self._clock() - self.offline_since

"""The UI's shared models, made once per window: status, tasks, earnings and recent log lines.

:class:`Dashboard` builds :class:`AgentStatusModel`, :class:`TaskBoard`, :class:`EarningsModel`
and the charts' :class:`GpuSampleRing` on the bridge and hands them, with the agent host, the
settings store and the theme, to the window and the tray, so both always show the same picture.
:meth:`agent_started` re-reads the agent after a (re)start (its platform, and whether a GPU can
earn, :mod:`orban_desktop.ui.gpu_readiness`); :meth:`set_theme` repaints the app in another theme
at once (``theme_changed`` then fires). :meth:`pause_for` pauses until a time and resumes by
itself then (checked against the wall clock every few seconds, so a sleep does not stretch it;
it lasts only while the app runs). Imports QtCore.
"""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from orban_desktop.agent.host import AgentHost
from orban_desktop.agent.host_rules import uses_local_platform
from orban_desktop.events import LogRecorded, SettingsApplied
from orban_desktop.ui.bridge import EventBridge
from orban_desktop.ui.earnings_model import EarningsModel
from orban_desktop.ui.gpu_readiness import gpu_readiness
from orban_desktop.ui.gpu_ring import GpuSampleRing
from orban_desktop.ui.settings_store import SettingsStore
from orban_desktop.ui.status_model import AgentStatusModel
from orban_desktop.ui.task_model import TaskBoard
from orban_desktop.ui.theme import Theme
from orban_desktop.ui.timed_pause import PauseLength, local_now, pause_end, pause_over

#: Log lines kept for the Logs page (the rotating file keeps everything, and the page names it).
#: About 150 busy tasks' worth at three lines a task: a busy run fills the ring within its first
#: quarter hour (issue 21), so the ring no longer grows through most of an hour's soak.
LOG_LINES = 500
#: How often a timed pause looks at the clock (milliseconds).
PAUSE_CHECK_MS = 5000


class Dashboard(QObject):
    """What the window and the tray share.

    ``restarted`` fires after the agent (re)started, ``gpus_changed`` after the GPU settings
    changed, ``theme_changed(Theme)`` after :meth:`set_theme` repainted the app.

    Args:
        apply_theme: Paints the app in a theme choice (``"auto"``, ``"light"``, ``"dark"``) and
            returns its colours (``ui.theme.apply_theme`` bound to the app); ``None``: the
            theme stays.
    """

    restarted = Signal()
    gpus_changed = Signal()
    theme_changed = Signal(object)  # Theme

    def __init__(
        self,
        host: AgentHost,
        bridge: EventBridge,
        store: SettingsStore,
        theme: Theme,
        apply_theme: Callable[[str], Theme] | None = None,
        parent: QObject | None = None,
        *,
        now: Callable[[], datetime.datetime] = local_now,
    ) -> None:
        super().__init__(parent)
        self.host, self.bridge, self.store, self.theme = host, bridge, store, theme
        self._apply_theme = apply_theme
        self.now = now  # local wall-clock time (tests move it on)
        self.status = AgentStatusModel(bridge, agent_id="", parent=self)
        self.status.wall_clock = lambda: self.now()
        self.board = TaskBoard(bridge, parent=self)
        self.earnings = EarningsModel(bridge, host.earnings, currency="USD", parent=self)
        self.gpu_ring = GpuSampleRing(bridge, parent=self)
        self.log_events: deque[LogRecorded] = deque(maxlen=LOG_LINES)
        bridge.log_recorded.connect(self._keep_log)
        bridge.settings_applied.connect(self._on_applied)
        self._pause_check = QTimer(self, interval=PAUSE_CHECK_MS)
        self._pause_check.timeout.connect(self.check_timed_pause)

    def _keep_log(self, event: LogRecorded) -> None:
        self.log_events.append(event)

    @property
    def log_file(self) -> Path:
        return self.host.config.resolved(self.host.paths).log_file

    def agent_started(self) -> None:
        """Start from the agent's current state (after :meth:`AgentHost.start` or a rebuild)."""
        self.status.agent_id = self.host.agent_id
        self.status.reset(self.host.state, self.host.pause_reasons)
        if not self.status.user_paused:
            self._end_timed_pause()
        self.refresh_gpus()
        self.earnings.refresh_soon()
        self.restarted.emit()

    def set_theme(self, choice: str) -> None:
        """Repaint the app in ``choice`` now (the settings page calls it on Apply)."""
        if self._apply_theme is None:
            return
        theme = self._apply_theme(choice)
        if theme != self.theme:
            self.theme = theme
            self.theme_changed.emit(theme)

    def refresh_gpus(self) -> None:
        """Re-read the platform's address and whether a GPU can earn (after a start or a
        settings change)."""
        host = self.host
        if not host.running:
            return
        self.status.platform_url = host.effective_config().agent.platform_url
        practice = host.embeds_platform or uses_local_platform(host.config)
        readiness = gpu_readiness(host.gpu_facts(), host.gpu_enabled, practice=practice)
        self.status.set_readiness(readiness)
        self.status.changed.emit()  # the platform's address may have changed

    def _on_applied(self, applied: SettingsApplied) -> None:
        if applied.restarted:
            self.agent_started()
            return
        self.refresh_gpus()
        if "gpu" in applied.sections:
            self.gpus_changed.emit()

    async def close(self) -> None:
        """Stop the models' timers and their pending reads (on the GUI thread, before exit)."""
        self.earnings.stop()
        await self.earnings.tasks.cancel_all()

    def toggle_pause(self) -> None:
        if self.status.user_paused:
            self._end_timed_pause()
            self.host.resume()
        else:
            self.host.pause()

    def pause_for(self, length: PauseLength) -> datetime.datetime:
        """Pause now and resume by itself at the end of ``length``; returns that end."""
        end = pause_end(length, self.now())
        self.host.pause()
        self.status.set_paused_until(end)
        self._pause_check.start()
        return end

    def check_timed_pause(self) -> None:
        """Resume when the timed pause is over; forget it once the owner resumed otherwise."""
        end = self.status.paused_until
        if end is None or not self.status.user_paused:
            self._end_timed_pause()
        elif pause_over(end, self.now()):
            self._end_timed_pause()
            self.host.resume()

    def _end_timed_pause(self) -> None:
        self._pause_check.stop()
        self.status.set_paused_until(None)

"""The UI's shared models, made once per window: status, tasks, earnings and recent log lines.

:class:`Dashboard` builds :class:`AgentStatusModel`, :class:`TaskBoard`, :class:`EarningsModel`
and the charts' :class:`GpuSampleRing` on the bridge and hands them, with the agent host, the
settings store and the theme, to the window and the tray, so both always show the same picture.
:meth:`agent_started` re-reads the agent after a (re)start; :meth:`set_theme` repaints the app in
another theme at once (``theme_changed`` then fires). Imports QtCore.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from orban_desktop.agent.host import AgentHost
from orban_desktop.events import LogRecorded, SettingsApplied
from orban_desktop.ui.bridge import EventBridge
from orban_desktop.ui.earnings_model import EarningsModel
from orban_desktop.ui.gpu_ring import GpuSampleRing
from orban_desktop.ui.settings_store import SettingsStore
from orban_desktop.ui.status_model import AgentStatusModel
from orban_desktop.ui.task_model import TaskBoard
from orban_desktop.ui.theme import Theme

#: Log lines kept for the Logs page (the rotating file keeps everything).
LOG_LINES = 2000


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
    ) -> None:
        super().__init__(parent)
        self.host, self.bridge, self.store, self.theme = host, bridge, store, theme
        self._apply_theme = apply_theme
        self.status = AgentStatusModel(bridge, agent_id="", parent=self)
        self.board = TaskBoard(bridge, parent=self)
        self.earnings = EarningsModel(bridge, host.earnings, currency="USD", parent=self)
        self.gpu_ring = GpuSampleRing(bridge, parent=self)
        self.log_events: deque[LogRecorded] = deque(maxlen=LOG_LINES)
        bridge.log_recorded.connect(self._keep_log)
        bridge.settings_applied.connect(self._on_applied)

    def _keep_log(self, event: LogRecorded) -> None:
        self.log_events.append(event)

    @property
    def log_file(self) -> Path:
        return self.host.config.resolved(self.host.paths).log_file

    def agent_started(self) -> None:
        """Start from the agent's current state (after :meth:`AgentHost.start` or a rebuild)."""
        self.status.agent_id = self.host.agent_id
        self.status.reset(self.host.state, self.host.pause_reasons)
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

    def _on_applied(self, applied: SettingsApplied) -> None:
        if applied.restarted:
            self.agent_started()
        elif "gpu" in applied.sections:
            self.gpus_changed.emit()

    async def close(self) -> None:
        """Stop the models' timers and their pending reads (on the GUI thread, before exit)."""
        self.earnings.stop()
        await self.earnings.tasks.cancel_all()

    def toggle_pause(self) -> None:
        if self.status.user_paused:
            self.host.resume()
        else:
            self.host.pause()

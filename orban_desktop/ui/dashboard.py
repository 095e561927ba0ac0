"""The UI's shared models, made once per window: status, tasks, earnings and recent log lines.

:class:`Dashboard` builds :class:`AgentStatusModel`, :class:`TaskBoard` and
:class:`EarningsModel` on the bridge and hands them, with the session, the settings store and
the theme, to the window and the tray, so both always show the same picture.
:meth:`agent_started` re-reads the agent after a (re)start. Imports QtCore.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from orban_desktop.events import LogRecorded
from orban_desktop.ui.bridge import EventBridge
from orban_desktop.ui.earnings_model import EarningsModel
from orban_desktop.ui.session import AgentSession
from orban_desktop.ui.settings_store import SettingsStore
from orban_desktop.ui.status_model import AgentStatusModel
from orban_desktop.ui.task_model import TaskBoard
from orban_desktop.ui.theme import Theme

#: Log lines kept for the Logs page (the rotating file keeps everything).
LOG_LINES = 2000


class Dashboard(QObject):
    """What the window and the tray share; ``restarted`` fires after the agent (re)started."""

    restarted = Signal()

    def __init__(
        self,
        session: AgentSession,
        bridge: EventBridge,
        store: SettingsStore,
        theme: Theme,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.bridge, self.store, self.theme = session, bridge, store, theme
        self.status = AgentStatusModel(bridge, agent_id=session.identity.agent_id, parent=self)
        self.board = TaskBoard(bridge, parent=self)
        self.earnings = EarningsModel(
            bridge, lambda: session.parts.ledger, currency="USD", parent=self
        )
        self.log_events: deque[LogRecorded] = deque(maxlen=LOG_LINES)
        bridge.log_recorded.connect(self._keep_log)
        store.applied.connect(self._on_applied)

    def _keep_log(self, event: LogRecorded) -> None:
        self.log_events.append(event)

    @property
    def log_file(self) -> Path:
        return self.session.config.resolved(self.session.paths).log_file

    def agent_started(self) -> None:
        """Start from the agent's current state (after :meth:`AgentSession.start` or apply)."""
        self.status.reset(self.session.state, self.session.pause_reasons)
        self.earnings.refresh_soon()
        self.restarted.emit()

    def _on_applied(self, restarted: bool) -> None:
        if restarted:
            self.agent_started()

    async def close(self) -> None:
        """Stop the models' timers and their pending reads (on the GUI thread, before exit)."""
        self.earnings.stop()
        await self.earnings.tasks.cancel_all()

    def toggle_pause(self) -> None:
        if self.status.user_paused:
            self.session.resume()
        else:
            self.session.pause()

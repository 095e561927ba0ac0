"""The tray icon: the agent's state at a glance, and pause, resume, open and quit at hand.

:class:`Tray` shows one of five icons (active, paused, no GPU that can earn, offline, error) with
the state in words as tooltip. Its menu says the state and today's earnings, and offers
Pause/Resume contribution, Pause for 1 hour, Pause until tomorrow (it resumes by itself then, and
the state says until when), Open dashboard and Quit; the menu's texts are refreshed each time it
opens, so it never shows a stale state. A click on the icon opens the dashboard. Notifications
are shown as the tray's messages. Imports QtWidgets.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from orban_desktop.ui.dashboard import Dashboard
from orban_desktop.ui.formatting import money_text
from orban_desktop.ui.icons import state_icon
from orban_desktop.ui.notifications import Severity
from orban_desktop.ui.status_model import DisplayState
from orban_desktop.ui.timed_pause import PauseLength
from orban_desktop.ui.wording import headline

translate = QCoreApplication.translate
_MESSAGE_ICONS = {
    Severity.INFO: QSystemTrayIcon.MessageIcon.Information,
    Severity.WARNING: QSystemTrayIcon.MessageIcon.Warning,
    Severity.CRITICAL: QSystemTrayIcon.MessageIcon.Critical,
}


class Tray(QObject):
    """The system tray icon and its menu."""

    open_requested = Signal()
    quit_requested = Signal()

    def __init__(self, dashboard: Dashboard, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dashboard = dashboard
        self.status = dashboard.status
        self.shown_state: DisplayState | None = None
        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu()
        self.state_action = QAction(self.menu)
        self.state_action.setEnabled(False)
        self.today_action = QAction(self.menu)
        self.today_action.setEnabled(False)
        self.pause_action = QAction(self.menu)
        self.pause_action.triggered.connect(dashboard.toggle_pause)
        self.hour_action = QAction(translate("Tray", "Pause for 1 hour"), self.menu)
        self.hour_action.triggered.connect(lambda: dashboard.pause_for(PauseLength.ONE_HOUR))
        self.tomorrow_action = QAction(translate("Tray", "Pause until tomorrow"), self.menu)
        self.tomorrow_action.triggered.connect(
            lambda: dashboard.pause_for(PauseLength.UNTIL_TOMORROW)
        )
        self.open_action = QAction(translate("Tray", "Open dashboard"), self.menu)
        self.open_action.triggered.connect(self.open_requested)
        self.quit_action = QAction(translate("Tray", "Quit Orban Agent"), self.menu)
        self.quit_action.triggered.connect(self.quit_requested)
        for action in (self.state_action, self.today_action):
            self.menu.addAction(action)
        self.menu.addSeparator()
        for action in (self.pause_action, self.hour_action, self.tomorrow_action):
            self.menu.addAction(action)
        self.menu.addAction(self.open_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.menu.aboutToShow.connect(self.refresh_menu)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.status.changed.connect(self.refresh)
        dashboard.earnings.changed.connect(self.refresh_menu)
        self.refresh()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def refresh(self) -> None:
        state = self.status.display_state
        if state is not self.shown_state:
            self.icon.setIcon(state_icon(state))
            self.shown_state = state
        self.icon.setToolTip(
            translate("Tray", "Orban Agent: {state}").format(state=headline(self.status))
        )
        self.refresh_menu()

    def refresh_menu(self) -> None:
        self.state_action.setText(headline(self.status))
        today = self.dashboard.earnings.today_micros
        self.today_action.setText(
            translate("Tray", "Today: {amount}").format(amount=money_text(today))
        )
        self.pause_action.setText(
            translate("Tray", "Resume contribution")
            if self.status.user_paused
            else translate("Tray", "Pause contribution")
        )
        self.hour_action.setVisible(not self.status.user_paused)
        self.tomorrow_action.setVisible(not self.status.user_paused)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.open_requested.emit()

    def show_message(self, title: str, message: str, severity: Severity) -> None:
        if self.icon.isVisible():
            self.icon.showMessage(title, message, _MESSAGE_ICONS[severity], 8000)

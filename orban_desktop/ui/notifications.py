"""Desktop notifications: task done, payout, overheating, key rejected, offline for long.

:class:`Notifier` listens to the dashboard and calls ``show(title, message, severity)`` (the
tray's balloon in the app). Finished tasks are grouped, at most one notification per
``task_interval_s``, so a busy rig does not flood the desktop; "offline" is said once per spell,
after ``offline_after_s``. Each kind (:class:`NotificationKind`) can be turned off in Settings
(``ui.notify_*``, read at the moment of showing, so a change applies at once). Everything shown is
kept in ``shown`` (tests read it). Imports QtCore.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import QCoreApplication, QObject, QTimer

from orban_desktop.events import ConnectionState, Notice, PayoutReceived, TaskFinished
from orban_desktop.ui.dashboard import Dashboard
from orban_desktop.ui.formatting import duration_text, money_text
from orban_desktop.ui.notice_wording import notice_text
from orban_desktop.ui.wording import earning_status_text

translate = QCoreApplication.translate


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class NotificationKind(StrEnum):
    """What a notification is about; each is the ``[ui]`` setting ``notify_<kind>``."""

    TASK_DONE = "task_done"
    PAYOUT = "payout"
    OVERHEATING = "overheating"
    OFFLINE = "offline"
    PROBLEMS = "problems"


ShowNotification = Callable[[str, str, Severity], None]


class Notifier(QObject):
    """Turns what happens into a few, useful notifications."""

    def __init__(
        self,
        dashboard: Dashboard,
        show: ShowNotification,
        *,
        offline_after_s: float = 600.0,
        task_interval_s: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._show = show
        self._clock = clock
        self._host = dashboard.host
        self.status = dashboard.status
        self.offline_after_s = offline_after_s
        self.task_interval_s = task_interval_s
        self.shown: list[tuple[str, str, Severity]] = []
        self._last_task_note: float | None = None
        self._tasks_since = 0
        self._offline_told = False
        self._rejected_told = False
        bridge = dashboard.bridge
        bridge.task_finished.connect(self.on_task_finished)
        bridge.payout_received.connect(self.on_payout)
        bridge.notice.connect(self.on_notice)
        self.status.changed.connect(self.on_status)
        self._offline_check = QTimer(self, interval=30_000)
        self._offline_check.timeout.connect(self.check_offline)
        self._offline_check.start()

    def wanted(self, kind: NotificationKind) -> bool:
        """Whether the owner wants notifications of ``kind`` (the settings as they are now)."""
        return bool(getattr(self._host.config.ui, f"notify_{kind.value}", True))

    def notify(
        self,
        title: str,
        message: str,
        severity: Severity = Severity.INFO,
        kind: NotificationKind = NotificationKind.PROBLEMS,
    ) -> None:
        if not self.wanted(kind):
            return
        self.shown.append((title, message, severity))
        self._show(title, message, severity)

    def on_task_finished(self, event: TaskFinished) -> None:
        if not event.succeeded:
            return
        self._tasks_since += 1
        now = self._clock()
        if self._last_task_note is not None and now - self._last_task_note < self.task_interval_s:
            return
        if self._tasks_since == 1:
            message = translate("Notifier", "Task {task} finished in {duration}.").format(
                task=event.task_id[:18], duration=duration_text(event.duration_s)
            )
        else:
            message = translate("Notifier", "{count} tasks finished.").format(
                count=self._tasks_since
            )
        self._last_task_note, self._tasks_since = now, 0
        self.notify(translate("Notifier", "Task done"), message, kind=NotificationKind.TASK_DONE)

    def on_payout(self, event: PayoutReceived) -> None:
        self.notify(
            translate("Notifier", "Payout"),
            translate("Notifier", "Payout of {amount}: {status}.").format(
                amount=money_text(event.net_micros), status=earning_status_text(event.status)
            ),
            kind=NotificationKind.PAYOUT,
        )

    def on_notice(self, notice: Notice) -> None:
        title, message = notice_text(notice)
        hot = notice.code == "gpu_overheated"
        severity = Severity.WARNING if hot else Severity.CRITICAL
        kind = NotificationKind.OVERHEATING if hot else NotificationKind.PROBLEMS
        self.notify(title, message, severity, kind)

    def on_status(self) -> None:
        rejected = self.status.state is ConnectionState.AUTH_REJECTED
        if rejected and not self._rejected_told:
            self.notify(
                translate("Notifier", "Key rejected"),
                translate(
                    "Notifier",
                    "The platform refused this agent's key. Open the dashboard to fix it.",
                ),
                Severity.CRITICAL,
            )
        self._rejected_told = rejected
        if self.status.offline_since is None:
            self._offline_told = False

    def check_offline(self) -> None:
        offline_for = self.status.offline_for_s()
        if self._offline_told or offline_for < self.offline_after_s:
            return
        if self.status.state is ConnectionState.AUTH_REJECTED:
            return
        self._offline_told = True
        self.notify(
            translate("Notifier", "Offline"),
            translate("Notifier", "The agent has been offline for {duration}.").format(
                duration=duration_text(offline_for)
            ),
            Severity.WARNING,
            NotificationKind.OFFLINE,
        )

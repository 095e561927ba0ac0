"""The Overview page: is the agent working, what each GPU does, what it has earned.

A status card (state icon, the state in words with what to do, pause/resume, timed pauses
("Pause for 1 hour", "Pause until tomorrow") and retry buttons), tiles for today's, pending and
all-time earnings (every status, so never below today) and the tasks done, the running tasks
with their progress, and one :class:`~orban_desktop.ui.widgets.gpu_card.GpuCard` per GPU with a
live sparkline. While a reconnect is planned, the countdown ticks every second. GPU samples
and task changes are only recorded as they come; the cards and tiles are worded and repainted
once a frame while the page is on screen, and at once when it is shown again
(:class:`~orban_desktop.ui.frame_coalescer.FrameCoalescer`). Imports QtWidgets.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from orban_desktop.events import GpuSampled, RealWorkChecked
from orban_desktop.ui.dashboard import Dashboard
from orban_desktop.ui.formatting import money_text
from orban_desktop.ui.frame_coalescer import FrameCoalescer
from orban_desktop.ui.icons import state_icon
from orban_desktop.ui.status_model import DisplayState
from orban_desktop.ui.timed_pause import PauseLength
from orban_desktop.ui.widgets.gpu_card import GpuCard
from orban_desktop.ui.widgets.labels import card_frame, label
from orban_desktop.ui.widgets.stat_tile import StatTile
from orban_desktop.ui.widgets.task_list import RunningTaskList
from orban_desktop.ui.wording import advice, headline, real_work_text

translate = QCoreApplication.translate


class OverviewView(QScrollArea):
    """The first page of the window."""

    def __init__(self, dashboard: Dashboard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dashboard = dashboard
        self.host, self.status = dashboard.host, dashboard.status
        self.board, self.earnings = dashboard.board, dashboard.earnings
        self.theme = dashboard.theme
        status, board, earnings = self.status, self.board, self.earnings
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        page = QWidget()
        self.setWidget(page)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(14)
        layout.addWidget(self._status_card())
        tiles = QHBoxLayout()
        self.today = StatTile(translate("OverviewView", "Earned today"))
        self.pending = StatTile(translate("OverviewView", "Pending"))
        self.total = StatTile(translate("OverviewView", "Earned (all time)"))
        self.done = StatTile(translate("OverviewView", "Tasks done (this session)"), "0")
        for tile in (self.today, self.pending, self.total, self.done):
            tiles.addWidget(tile)
        layout.addLayout(tiles)
        tasks_card = card_frame()
        tasks_layout = QVBoxLayout(tasks_card)
        tasks_layout.addWidget(label(translate("OverviewView", "Current tasks"), "pageTitle"))
        self.tasks = RunningTaskList(board)
        self._show_capacity()
        dashboard.restarted.connect(self._show_capacity)
        dashboard.gpus_changed.connect(self._show_capacity)
        tasks_layout.addWidget(self.tasks)
        self.real_work = label("", "muted")
        self.real_work.setWordWrap(True)
        self.real_work.hide()
        tasks_layout.addWidget(self.real_work)
        dashboard.bridge.real_work_checked.connect(self._real_work)
        layout.addWidget(tasks_card)
        self.gpu_grid = QGridLayout()
        self.gpu_grid.setSpacing(12)
        layout.addLayout(self.gpu_grid)
        layout.addStretch(1)
        self.cards: dict[int, GpuCard] = {}
        self._stale_cards: set[int] = set()
        self.frames = FrameCoalescer(self, self._draw_frame)
        self._shown_state: DisplayState | None = None
        self._countdown = QTimer(self, interval=1000)
        self._countdown.timeout.connect(self.show_status)
        status.changed.connect(self.show_status)
        earnings.changed.connect(self.show_earnings)
        board.changed.connect(self._on_task_change)
        dashboard.bridge.gpu_sampled.connect(self.show_gpus)
        self.show_status()
        self.show_earnings()

    def _status_card(self) -> QFrame:
        card = card_frame()
        layout = QHBoxLayout(card)
        layout.setContentsMargins(16, 12, 16, 12)
        self.state_icon = QLabel()
        layout.addWidget(self.state_icon)
        texts = QVBoxLayout()
        self.headline = label("", "headline", wrap=True)
        self.advice = label("", "advice")
        self.advice.setWordWrap(True)
        self.identity = label("", "muted")
        self.identity.setWordWrap(True)
        for text in (self.headline, self.advice, self.identity):
            texts.addWidget(text)
        layout.addLayout(texts, 1)
        buttons = QVBoxLayout()
        self.pause_button = QPushButton()
        self.pause_button.clicked.connect(self.dashboard.toggle_pause)
        self.hour_button = QPushButton(translate("OverviewView", "Pause for 1 hour"))
        self.hour_button.clicked.connect(lambda: self.dashboard.pause_for(PauseLength.ONE_HOUR))
        self.tomorrow_button = QPushButton(translate("OverviewView", "Pause until tomorrow"))
        self.tomorrow_button.clicked.connect(
            lambda: self.dashboard.pause_for(PauseLength.UNTIL_TOMORROW)
        )
        self.retry_button = QPushButton(translate("OverviewView", "Retry now"))
        self.retry_button.clicked.connect(self.host.retry_now)
        for button in (self.pause_button, self.hour_button, self.tomorrow_button):
            buttons.addWidget(button)
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        return card

    def _show_capacity(self) -> None:
        host = self.host
        usable = sum(1 for f in host.gpu_facts() if host.gpu_enabled(f.index))
        self.tasks.set_capacity(host.config.gpu.tasks_at_once(usable))

    def show_status(self) -> None:
        status = self.status
        if status.display_state is not self._shown_state:
            self._shown_state = status.display_state
            self.state_icon.setPixmap(state_icon(status.display_state).pixmap(48, 48))
        self.headline.setText(headline(status))
        text = advice(status)
        self.advice.setText(text)
        self.advice.setVisible(bool(text))
        if self.host.embeds_platform:
            where = translate("OverviewView", "the local reference platform (inside this app)")
        else:
            where = self.host.config.agent.platform_url
        identity = translate("OverviewView", "Agent {agent_id} · platform: {platform}").format(
            agent_id=status.agent_id, platform=where
        )
        if status.simulated_gpus:
            identity += " · " + translate("OverviewView", "DEMO with SIMULATED GPUs")
        self.identity.setText(identity)
        self.pause_button.setText(
            translate("OverviewView", "Resume contribution")
            if status.user_paused
            else translate("OverviewView", "Pause contribution")
        )
        self.hour_button.setVisible(not status.user_paused)
        self.tomorrow_button.setVisible(not status.user_paused)
        offline = status.display_state in (DisplayState.OFFLINE, DisplayState.ERROR)
        self.retry_button.setVisible(offline)
        ticking = status.retry_deadline is not None
        if ticking and not self._countdown.isActive():
            self._countdown.start()
        elif not ticking:
            self._countdown.stop()

    def show_earnings(self) -> None:
        summary = self.earnings.summary
        currency = self.earnings.currency
        if summary is None:
            return
        self.today.set_value(money_text(summary.today_micros, currency))
        self.pending.set_value(money_text(summary.pending_micros, currency))
        self.total.set_value(money_text(summary.earned_micros, currency))

    def _on_task_change(self, _task_id: str) -> None:
        self.frames.request()

    def show_gpus(self, event: GpuSampled) -> None:
        """Record a sample on each GPU's card; they are worded and drawn on the next frame."""
        for status in event.statuses:
            card = self.cards.get(status.index)
            if card is None:
                card = GpuCard(status, colour=self.theme.accent)
                self.cards[status.index] = card
                position = len(self.cards) - 1
                self.gpu_grid.addWidget(card, position // 2, position % 2)
            else:
                card.record(status)
            self._stale_cards.add(status.index)
        self.frames.request()

    def _draw_frame(self) -> None:
        for index in sorted(self._stale_cards):
            self.cards[index].show_latest()
        self._stale_cards.clear()
        self.done.set_value(str(self.board.completed_count))
        self._refresh_activity()

    def catch_up(self) -> None:
        """Draw what came while the page was off screen (the window was restored)."""
        self.frames.catch_up()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.frames.catch_up()

    def _refresh_activity(self) -> None:
        busy = {row.gpu_index: row.task_id for row in self.board.running()}
        if not self.host.running:
            return
        for index, card in self.cards.items():
            card.show_activity(enabled=self.host.gpu_enabled(index), task_id=busy.get(index))

    def _real_work(self, event: RealWorkChecked) -> None:
        self.real_work.setText(real_work_text(event))
        self.real_work.setObjectName("muted" if event.where != "none" else "realWorkMissing")
        self.real_work.style().polish(self.real_work)
        self.real_work.show()

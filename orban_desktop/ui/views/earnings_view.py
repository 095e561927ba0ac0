"""The Earnings page: totals, net of electricity and the pace, a bar per day, the paged history,
payouts, what is not counted, and CSV export.

Figures come from the ledger (``get_data`` for the tiles and one history page, ``daily_totals``
for the chart, ``payouts`` for the payouts table, ``flagged_summary`` and ``flagged`` for the
"Not counted" section, shown only while the ledger holds records kept apart: reported by the
platform but in no total; ``net_summary`` and ``energy_of`` for the net figures at the owner's
price per kWh, said plainly when no price is set or a task's energy was not measured), read on
the event loop's worker thread and
redrawn when shown and, while visible, after each earning or payout. Amounts are exact integer
micro-units, written with :func:`~orban_desktop.ui.formatting.money_text`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from orban_desktop.agent.host import AgentHost
from orban_desktop.earnings import DailyTotal, EarningEntry, EarningsSummary, PayoutEntry
from orban_desktop.earnings.net import NetSummary, PriceCheck
from orban_desktop.ui.background import BackgroundTasks
from orban_desktop.ui.bridge import EventBridge
from orban_desktop.ui.formatting import money_text
from orban_desktop.ui.theme import Theme
from orban_desktop.ui.views.earnings_not_counted import NotCountedSection
from orban_desktop.ui.views.earnings_tables import HistoryTable, PayoutTable, no_payout_text
from orban_desktop.ui.widgets.daily_chart import DailyChart
from orban_desktop.ui.widgets.labels import label
from orban_desktop.ui.widgets.stat_tile import StatTile

translate = QCoreApplication.translate
PAGE_SIZE = 25
CHART_DAYS = 14
# Flagged records listed in the "Not counted" section (newest first; the title counts them all).
FLAGGED_ROWS = 50


class EarningsView(QWidget):
    """Everything the ledger knows, a page at a time."""

    def __init__(
        self,
        host: AgentHost,
        bridge: EventBridge,
        theme: Theme,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.host = host
        self.tasks = BackgroundTasks("earnings view")
        self.page = 0
        self.summary: EarningsSummary | None = None
        self.last_export: tuple[Path, int] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        header = QHBoxLayout()
        header.addWidget(label(translate("EarningsView", "Earnings"), "pageTitle"), 1)
        self.export_button = QPushButton(translate("EarningsView", "Export CSV…"))
        self.export_button.clicked.connect(self.ask_export)
        header.addWidget(self.export_button)
        layout.addLayout(header)
        tiles = QHBoxLayout()
        self.tiles = {
            "earned": StatTile(translate("EarningsView", "Earned (all time)")),
            "today": StatTile(translate("EarningsView", "Today")),
            "pending": StatTile(translate("EarningsView", "Pending")),
            "confirmed": StatTile(translate("EarningsView", "Confirmed")),
            "paid": StatTile(translate("EarningsView", "Paid out")),
            "net": StatTile(translate("EarningsView", "Net of electricity")),
            "pace": StatTile(translate("EarningsView", "Pace (last day)")),
        }
        for tile in self.tiles.values():
            tiles.addWidget(tile)
        layout.addLayout(tiles)
        grid = QGridLayout()
        self.chart = DailyChart(theme)
        grid.addWidget(self.chart, 0, 0)
        payouts = QVBoxLayout()
        self.payouts = PayoutTable()
        payouts.addWidget(self.payouts, 1)
        self.no_payout = label(no_payout_text(), "muted", wrap=True)
        payouts.addWidget(self.no_payout)
        grid.addLayout(payouts, 0, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        layout.addLayout(grid, 2)
        self.history = HistoryTable()
        layout.addWidget(self.history, 3)
        pager = QHBoxLayout()
        self.previous = QPushButton(translate("EarningsView", "‹ Newer"))
        self.previous.clicked.connect(lambda: self.go_to(self.page - 1))
        self.next = QPushButton(translate("EarningsView", "Older ›"))
        self.next.clicked.connect(lambda: self.go_to(self.page + 1))
        self.page_label = label("", "muted")
        pager.addWidget(self.previous)
        pager.addWidget(self.page_label, 1)
        pager.addWidget(self.next)
        layout.addLayout(pager)
        self.not_counted = NotCountedSection()
        layout.addWidget(self.not_counted, 1)
        self.status = label("", "muted")
        layout.addWidget(self.status)
        self._reload_timer = QTimer(self, singleShot=True, interval=500)
        self._reload_timer.timeout.connect(self.reload)
        bridge.earning_recorded.connect(self._changed)
        bridge.payout_received.connect(self._changed)

    def _changed(self, _event: object) -> None:
        if self.isVisible() and not self._reload_timer.isActive():
            self._reload_timer.start()

    def page_count(self) -> int:
        count = 0 if self.summary is None else self.summary.history_count
        return max(1, -(-count // PAGE_SIZE))

    def go_to(self, page: int) -> None:
        self.page = max(0, min(page, self.page_count() - 1))
        self.reload()

    def reload(self) -> None:
        self.tasks.spawn(self.load(), "load")

    async def load(self) -> None:
        """Read the tiles, the chart, the payouts, a history page and the records not counted."""
        if not self.host.running:
            return  # (re)starting: shown again once the agent runs
        ledger = self.host.earnings()
        summary = await ledger.get_data(page=self.page, page_size=PAGE_SIZE)
        days: list[DailyTotal] = await ledger.daily_totals(CHART_DAYS)
        payouts: list[PayoutEntry] = await ledger.payouts(0, 20)
        flagged = await ledger.flagged_summary(summary.currency)
        kept_apart: list[EarningEntry] = (
            await ledger.flagged(0, FLAGGED_ROWS) if flagged.count else []
        )
        check = self.host.electricity_price(summary.currency)
        price = check.price
        net = await ledger.net_summary(price, currency=summary.currency)
        energy = await ledger.energy_of([e.task_id for e in summary.history if e.task_id])
        self.summary = summary
        for key, micros in (
            ("earned", summary.earned_micros),
            ("today", summary.today_micros),
            ("pending", summary.pending_micros),
            ("confirmed", summary.confirmed_micros),
            ("paid", summary.paid_micros),
        ):
            self.tiles[key].set_value(money_text(micros, summary.currency))
        self._show_net(net, summary.currency, check)
        self.chart.show_days(days)
        self.payouts.show_payouts(payouts)
        self.no_payout.setVisible(not payouts)
        self.history.show_entries(summary.history, energy, price)
        self.not_counted.show_flagged(flagged, kept_apart)
        self.page_label.setText(
            translate("EarningsView", "Page {page} of {pages} · {count} records").format(
                page=self.page + 1, pages=self.page_count(), count=summary.history_count
            )
        )
        self.previous.setEnabled(self.page > 0)
        self.next.setEnabled(self.page + 1 < self.page_count())

    def _show_net(self, net: NetSummary, currency: str, check: PriceCheck) -> None:
        total, day = net.total, net.last_day
        if check.problem == "other_currency":
            self.tiles["net"].set_value(
                translate("EarningsView", "price is in {currency}").format(
                    currency=check.price_currency
                )
            )
        elif check.price is None:
            self.tiles["net"].set_value(translate("EarningsView", "set a price per kWh"))
        elif total.net_micros is None:
            self.tiles["net"].set_value(
                translate("EarningsView", "{count} not measured").format(count=total.without_energy)
            )
        else:
            self.tiles["net"].set_value(money_text(total.net_micros, currency))
        per_hour = money_text(day.gross_per_hour_micros, currency)
        month = money_text(day.gross_month_micros, currency)
        pace = translate("EarningsView", "{per_hour}/h · {month}/month").format(
            per_hour=per_hour, month=month
        )
        if day.net_month_micros is not None:
            pace += " · " + translate("EarningsView", "net {month}/month").format(
                month=money_text(day.net_month_micros, currency)
            )
        self.tiles["pace"].set_value(pace)

    def ask_export(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self,
            translate("EarningsView", "Export earnings"),
            str(Path.home() / "orban-earnings.csv"),
            translate("EarningsView", "CSV files (*.csv)"),
        )
        if path:
            self.tasks.spawn(self.export_to(Path(path)), "export")

    async def export_to(self, path: Path) -> int:
        """Write every earning to ``path`` as CSV; returns the number of rows."""
        rows = await self.host.earnings().export_csv(path)
        self.last_export = (path, rows)
        self.status.setText(
            translate("EarningsView", "Exported {rows} records to {path}").format(
                rows=rows, path=path
            )
        )
        return rows

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()

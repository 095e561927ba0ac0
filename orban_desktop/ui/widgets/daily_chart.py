"""A bar per local calendar day of earnings (pyqtgraph), with the amounts in US dollars.

:class:`DailyChart` takes the ledger's :class:`~orban_desktop.earnings.DailyTotal` rows (exact
micro-units) and draws them as bars labelled with the day (``MM-DD``); bar heights are the only
place the amounts become floats, for drawing. Imports QtWidgets and pyqtgraph.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QVBoxLayout, QWidget

from orban_desktop.earnings import DailyTotal
from orban_desktop.money import MICROS_PER_UNIT
from orban_desktop.ui.theme import Theme

translate = QCoreApplication.translate


class DailyChart(QWidget):
    """Earnings per day as bars."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setBackground(theme.card)
        self.plot_widget.setMinimumHeight(180)
        plot = self.plot_widget.getPlotItem()
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.showGrid(y=True, alpha=0.25)
        plot.setTitle(
            translate("DailyChart", "Earned per day (USD)"), color=theme.text, size="10pt"
        )
        for axis in ("left", "bottom"):
            plot.getAxis(axis).setPen(theme.grid)
            plot.getAxis(axis).setTextPen(theme.muted)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=theme.accent, pen=None)
        plot.addItem(self.bars)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)
        self.days: list[DailyTotal] = []

    def show_days(self, days: Sequence[DailyTotal]) -> None:
        """Draw one bar per day, oldest on the left."""
        self.days = sorted(days, key=lambda d: d.day)
        xs = list(range(len(self.days)))
        heights = [d.amount_micros / MICROS_PER_UNIT for d in self.days]
        self.bars.setOpts(x=xs, height=heights, width=0.7)
        ticks = [(i, d.day.strftime("%m-%d")) for i, d in enumerate(self.days)]
        step = max(1, len(ticks) // 7)
        plot = self.plot_widget.getPlotItem()
        plot.getAxis("bottom").setTicks([ticks[::-1][::step][::-1], ticks])
        plot.setXRange(-0.6, max(len(xs), 1) - 0.4, padding=0)
        top = max(heights, default=0.0)
        plot.setYRange(0, top * 1.15 if top > 0 else 0.01, padding=0)

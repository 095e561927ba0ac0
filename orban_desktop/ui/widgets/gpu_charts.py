"""Live pyqtgraph charts of one GPU: utilization, VRAM, temperature, power and fan.

:class:`GpuCharts` draws five stacked plots in one ``GraphicsLayoutWidget`` (cheaper than five
widgets) over a window of seconds, x in minutes before now. A reading the driver does not report
is a gap in the line, and a metric with no reading in the window says "not reported" instead of
drawing 0. Each plot's title carries the latest value, and a dashed line marks "now" at the right
edge (labelled on the top plot). It draws from a
:class:`~orban_desktop.ui.gpu_series.SeriesWindow` (columns of doubles, NaN where not
reported), so a redraw converts no snapshot objects. ``draw_count`` counts redraws. Imports
QtWidgets, numpy and pyqtgraph (this module is imported only with the GPUs page).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from orban_desktop.gpu.device import GIB, GPUStatus
from orban_desktop.ui.formatting import not_reported
from orban_desktop.ui.gpu_series import SeriesWindow
from orban_desktop.ui.theme import Theme

translate = QCoreApplication.translate


@dataclass(frozen=True)
class Metric:
    key: str
    unit: str
    fixed_range: tuple[float, float] | None


METRICS = (
    Metric("utilization", "%", (0.0, 100.0)),
    Metric("memory", "GiB", None),
    Metric("temperature", "°C", None),
    Metric("power", "W", None),
    Metric("fan", "%", (0.0, 100.0)),
)


def metric_caption(key: str) -> str:
    return {
        "utilization": translate("GpuCharts", "Utilization"),
        "memory": translate("GpuCharts", "VRAM used"),
        "temperature": translate("GpuCharts", "Temperature"),
        "power": translate("GpuCharts", "Power"),
        "fan": translate("GpuCharts", "Fan"),
    }[key]


class GpuCharts(QWidget):
    """Five plots of one GPU; call :meth:`show_samples` with a window of readings."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.layout_widget = pg.GraphicsLayoutWidget()
        self.layout_widget.setBackground(theme.card)
        self.layout_widget.ci.setSpacing(4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.layout_widget)
        self.plots: dict[str, pg.PlotItem] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.missing: dict[str, pg.TextItem] = {}
        self.now_lines: dict[str, pg.InfiniteLine] = {}
        self.latest: dict[str, float | None] = {}
        self._ticks_for = 0.0
        self.draw_count = 0
        for row, metric in enumerate(METRICS):
            plot = self.layout_widget.addPlot(row=row, col=0)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.showGrid(x=True, y=True, alpha=0.25)
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setPen(theme.grid)
                plot.getAxis(axis).setTextPen(theme.muted)
            plot.getAxis("left").setWidth(44)
            if metric.fixed_range is not None:
                plot.setYRange(*metric.fixed_range, padding=0.02)
            colour = theme.series[row % len(theme.series)]
            curve = plot.plot(pen=pg.mkPen(colour, width=2), connect="finite")
            curve.setClipToView(True)
            curve.setDownsampling(auto=True, method="peak")
            text = pg.TextItem(not_reported(), color=theme.muted, anchor=(0.5, 0.5))
            plot.addItem(text, ignoreBounds=True)
            text.setVisible(False)
            self.now_lines[metric.key] = self._now_line(plot, labelled=row == 0)
            self.plots[metric.key], self.curves[metric.key] = plot, curve
            self.missing[metric.key] = text
        self.plots["fan"].setLabel("bottom", translate("GpuCharts", "minutes ago"))
        self.layout_widget.setToolTip(translate("GpuCharts", "x: minutes before now"))

    def _now_line(self, plot: pg.PlotItem, *, labelled: bool) -> pg.InfiniteLine:
        """A dashed vertical line at x = 0 (now); the top plot's says "now"."""
        pen = pg.mkPen(self.theme.muted, width=1, style=Qt.PenStyle.DashLine)
        options = {"position": 0.95, "color": self.theme.muted, "anchors": [(1, 0), (1, 0)]}
        line = pg.InfiniteLine(
            pos=0.0,
            angle=90,
            pen=pen,
            movable=False,
            label=translate("GpuCharts", "now") if labelled else None,
            labelOpts=options if labelled else None,
        )
        plot.addItem(line, ignoreBounds=True)
        return line

    def show_samples(self, samples: SeriesWindow, now: float, window_s: float) -> None:
        """Draw ``samples`` (oldest first) over the ``window_s`` seconds before ``now``."""
        self.draw_count += 1
        x = (np.frombuffer(samples.times, dtype=float) - now) / 60.0
        left = -window_s / 60.0
        if window_s != self._ticks_for:
            self._set_ticks(window_s)
        for metric in METRICS:
            y = np.frombuffer(samples.values[metric.key], dtype=float)
            reported = bool(np.isfinite(y).any())
            self.curves[metric.key].setData(x, y, connect="finite")
            plot = self.plots[metric.key]
            plot.setXRange(left, 0.0, padding=0.0)
            y_range = self._y_range(metric.key, y, samples.latest)
            if y_range is not None:
                plot.setYRange(*y_range, padding=0.02)
            self.latest[metric.key] = samples.last_value(metric.key)
            text = self.missing[metric.key]
            text.setVisible(not reported)
            if not reported:
                text.setPos(left / 2, self._middle(metric))
            plot.setTitle(self._title(metric), color=self.theme.text, size="10pt")

    def _set_ticks(self, window_s: float) -> None:
        """Whole minutes before now on the x axis (every 10 minutes over an hour)."""
        minutes = max(1, round(window_s / 60))
        step = 1 if minutes <= 10 else 10
        now_text = translate("GpuCharts", "now")
        ticks = [(-m, str(m) if m else now_text) for m in range(0, minutes + 1, step)]
        for plot in self.plots.values():
            plot.getAxis("bottom").setTicks([ticks, []])
        self._ticks_for = window_s

    @staticmethod
    def _y_range(key: str, y: np.ndarray, latest: GPUStatus | None) -> tuple[float, float] | None:
        """Ranges that keep noise small: VRAM to the card's size, temperature from 20 °C,
        power from 0 W to the limit; utilization and fan are fixed at 0-100 %."""
        finite = y[np.isfinite(y)]
        top = float(finite.max()) if finite.size else 0.0
        if key == "memory" and latest is not None and latest.memory_total_bytes:
            return 0.0, latest.memory_total_bytes / GIB
        if key == "temperature":
            return 20.0, max(90.0, top + 5.0)
        if key == "power":
            limit = latest.power_limit_w if latest is not None else None
            return 0.0, max(limit or 0.0, top * 1.2, 50.0)
        return None

    def _middle(self, metric: Metric) -> float:
        low, high = metric.fixed_range or self.plots[metric.key].viewRange()[1]
        return (low + high) / 2

    def _title(self, metric: Metric) -> str:
        value = self.latest.get(metric.key)
        shown = not_reported() if value is None else f"{value:.1f} {metric.unit}"
        return f"{metric_caption(metric.key)}: {shown}"

"""The GPU readings the window keeps for its charts, filled from ``GpuSampled`` events.

:class:`GpuSampleRing` listens to the bridge's ``gpu_sampled`` signal from the moment the
window's models exist (before the agent starts), so the charts draw from what the UI itself
received and never reach back into the core's history; a restarted agent changes nothing here.
It keeps one :class:`~orban_desktop.ui.gpu_series.GpuSeries` per GPU, sized to the charts'
longest window (an hour at the 1 s rate of a shown chart) and allocated once, so its memory is
the same after a minute as after weeks. Recording a sample formats nothing and draws nothing.
Imports QtCore for the signal connection.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from orban_desktop.events import GpuSampled
from orban_desktop.gpu.device import GPUStatus
from orban_desktop.ui.bridge import EventBridge
from orban_desktop.ui.gpu_series import GpuSeries, SeriesWindow

#: Readings kept per GPU: the longest chart window (an hour) at the 1 s rate of a shown chart.
RING_SAMPLES = 3600


class GpuSampleRing(QObject):
    """The last ``max_samples`` readings of each GPU, as the bridge delivered them."""

    def __init__(
        self, bridge: EventBridge, max_samples: int = RING_SAMPLES, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.max_samples = max_samples
        self._series: dict[int, GpuSeries] = {}
        self._latest: tuple[GPUStatus, ...] = ()
        bridge.gpu_sampled.connect(self._on_sample)

    def _on_sample(self, event: GpuSampled) -> None:
        for status in event.statuses:
            series = self._series.get(status.index)
            if series is None:
                series = self._series[status.index] = GpuSeries(self.max_samples)
            series.add(status)
        self._latest = tuple(event.statuses)

    def latest(self) -> tuple[GPUStatus, ...]:
        """The most recent reading of every GPU (empty before the first)."""
        return self._latest

    def window(self, index: int, seconds: float, now_monotonic: float) -> SeriesWindow:
        """Readings of GPU ``index`` from the last ``seconds`` before ``now_monotonic``."""
        series = self._series.get(index)
        if series is None:
            return GpuSeries(1).window(seconds, now_monotonic)
        return series.window(seconds, now_monotonic)

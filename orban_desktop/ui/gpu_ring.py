"""The GPU readings the window keeps for its charts, filled from ``GpuSampled`` events.

:class:`GpuSampleRing` listens to the bridge's ``gpu_sampled`` signal from the moment the
window's models exist (before the agent starts), so the charts draw from what the UI itself
received and never reach back into the core's history; a restarted agent changes nothing here.
It keeps a bounded ring per GPU (:class:`~orban_desktop.agent.telemetry.GpuHistory`). Imports
QtCore for the signal connection.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from orban_desktop.agent.telemetry import GpuHistory
from orban_desktop.events import GpuSampled
from orban_desktop.gpu.device import GPUStatus
from orban_desktop.ui.bridge import EventBridge

#: Readings kept per GPU: an hour at the 1 s rate of a shown chart.
RING_SAMPLES = 3600


class GpuSampleRing(QObject):
    """The last ``max_samples`` readings of each GPU, as the bridge delivered them."""

    def __init__(
        self, bridge: EventBridge, max_samples: int = RING_SAMPLES, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._history = GpuHistory(max_samples)
        bridge.gpu_sampled.connect(self._on_sample)

    def _on_sample(self, event: GpuSampled) -> None:
        self._history.add(event.statuses)

    def latest(self) -> tuple[GPUStatus, ...]:
        """The most recent reading of every GPU (empty before the first)."""
        return self._history.latest()

    def window(self, index: int, seconds: float, now_monotonic: float) -> list[GPUStatus]:
        """Readings of GPU ``index`` from the last ``seconds`` before ``now_monotonic``."""
        return self._history.window(index, seconds, now_monotonic)

"""GPU telemetry for the runtime: the sampling loop, bounded per-GPU history, heartbeat mapping.

:class:`TelemetrySampler` reads every GPU off the event loop (``asyncio.to_thread``) every
``interval_s`` (every ``fast_interval_s`` while the GUI shows live charts), keeps the snapshots in
a :class:`GpuHistory` of bounded ring buffers and publishes each reading as ``GpuSampled``. The
core itself reads only the latest reading (policy, heartbeat, status file), so its history is
short (``CORE_SAMPLES_KEPT``): a window that runs for weeks keeps its own chart ring in the UI.
:func:`heartbeat_gpu_status` turns GPU-layer snapshots into HEARTBEAT's wire struct. Charts and
the policy read snapshots, never the devices. Imports nothing from Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import deque
from collections.abc import Callable, Iterable, Sequence

from orban_desktop.events import EventBus, GpuSampled
from orban_desktop.gpu.device import GIB, GPUStatus
from orban_desktop.protocol import types as wire

logger = logging.getLogger(__name__)

#: Snapshots the core keeps per GPU: a minute at 1 s (the core reads only the latest one).
CORE_SAMPLES_KEPT = 60


class GpuHistory:
    """The last ``max_samples`` snapshots of each GPU (one ring buffer per GPU index).

    Args:
        max_samples: Snapshots kept per GPU (``CORE_SAMPLES_KEPT`` by default), so the memory
            is bounded however long the agent runs.
    """

    def __init__(self, max_samples: int = CORE_SAMPLES_KEPT) -> None:
        if max_samples < 1:
            raise ValueError(f"max_samples must be at least 1 (got {max_samples})")
        self.max_samples = max_samples
        self._by_index: dict[int, deque[GPUStatus]] = {}
        self._latest: tuple[GPUStatus, ...] = ()

    def add(self, statuses: Iterable[GPUStatus]) -> None:
        """Append one reading of every GPU (the oldest snapshot of a full buffer drops out)."""
        batch = tuple(statuses)
        for status in batch:
            ring = self._by_index.get(status.index)
            if ring is None:
                ring = self._by_index[status.index] = deque(maxlen=self.max_samples)
            ring.append(status)
        self._latest = batch

    def latest(self) -> tuple[GPUStatus, ...]:
        """The most recent reading, as added (empty before the first)."""
        return self._latest

    def indices(self) -> list[int]:
        """GPU indices with history, ascending."""
        return sorted(self._by_index)

    def samples(self, index: int) -> list[GPUStatus]:
        """Every kept snapshot of GPU ``index``, oldest first."""
        return list(self._by_index.get(index, ()))

    def window(self, index: int, seconds: float, now_monotonic: float) -> list[GPUStatus]:
        """Snapshots of GPU ``index`` taken in the last ``seconds`` before ``now_monotonic``.

        Args:
            index: The GPU.
            seconds: How far back to look.
            now_monotonic: The present on ``time.monotonic``'s clock (snapshots carry it).

        Returns:
            The snapshots with ``now - seconds <= monotonic_ts <= now``, oldest first.
        """
        since = now_monotonic - seconds
        picked: list[GPUStatus] = []
        for status in reversed(self._by_index.get(index, ())):
            if status.monotonic_ts < since:
                break
            if status.monotonic_ts <= now_monotonic:
                picked.append(status)
        picked.reverse()
        return picked


class TelemetrySampler:
    """Reads every GPU on a timer, records and publishes each reading.

    Args:
        detector_read: The blocking read (``GPUDetector.get_all_status``); run in a thread.
        bus: Receives a ``GpuSampled`` per reading.
        history: Receives every reading.
        interval_s: Seconds between readings normally.
        fast_interval_s: Seconds between readings while :meth:`set_fast` is on.
    """

    def __init__(
        self,
        detector_read: Callable[[], list[GPUStatus]],
        bus: EventBus,
        history: GpuHistory,
        interval_s: float = 10.0,
        fast_interval_s: float = 1.0,
    ) -> None:
        if interval_s <= 0 or fast_interval_s <= 0:
            raise ValueError("sampling intervals must be positive")
        self._read = detector_read
        self._bus = bus
        self.history = history
        self._interval_s = interval_s
        self._fast_interval_s = fast_interval_s
        self._fast = False
        self._woken = asyncio.Event()
        self._failures_logged: set[str] = set()

    @property
    def interval_s(self) -> float:
        """The interval in use now."""
        return self._fast_interval_s if self._fast else self._interval_s

    @property
    def fast(self) -> bool:
        return self._fast

    def set_fast(self, fast: bool) -> None:
        """Sample every ``fast_interval_s`` (True) or every ``interval_s`` (False).

        Switching to fast takes a reading at once instead of finishing the slow wait. Call it
        on the event loop's thread.
        """
        if fast and not self._fast:
            self._woken.set()
        self._fast = fast

    async def sample_once(self) -> tuple[GPUStatus, ...] | None:
        """One reading: recorded and published; None when the read failed (it is logged)."""
        try:
            statuses = tuple(await asyncio.to_thread(self._read))
        except Exception as exc:
            kind = type(exc).__name__
            if kind not in self._failures_logged:
                self._failures_logged.add(kind)
                logger.warning(
                    "GPU telemetry read failed (%s); will keep trying", kind, exc_info=exc
                )
            else:
                logger.debug("GPU telemetry read failed again: %s", exc)
            return None
        if self._failures_logged:
            logger.info("GPU telemetry reads work again")
            self._failures_logged.clear()
        self.history.add(statuses)
        self._bus.publish(GpuSampled(statuses))
        return statuses

    async def _wait(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), timeout=self.interval_s)
        self._woken.clear()

    async def run(self) -> None:
        """Sample until cancelled (cancelling it is the way to stop it; nothing is left open)."""
        while True:
            await self.sample_once()
            await self._wait()


def _finite(value: float | None, scale: float = 1.0) -> float:
    if value is None or not math.isfinite(value):
        return 0.0
    return value / scale


def heartbeat_gpu_status(statuses: Sequence[GPUStatus]) -> list[wire.HeartbeatGpuStatus]:
    """HEARTBEAT's ``gpu_status`` from GPU-layer snapshots.

    Utilization percent becomes a 0..1 fraction (clamped), bytes become GiB (1024**3).
    Upstream's struct has no "not reported": a reading that is ``None`` (or not finite) is sent
    as ``0.0``; the UI reads the GPU layer, where ``None`` is kept.
    """
    return [
        wire.HeartbeatGpuStatus(
            index=status.index,
            utilization=min(1.0, max(0.0, _finite(status.utilization_pct, 100.0))),
            memory_used_gb=_finite(status.memory_used_bytes, GIB),
            memory_total_gb=_finite(status.memory_total_bytes, GIB),
            temperature_c=_finite(status.temperature_c),
            power_draw_w=_finite(status.power_w),
            fan_speed_percent=_finite(status.fan_speed_pct),
        )
        for status in statuses
    ]

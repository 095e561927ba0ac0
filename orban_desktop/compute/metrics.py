"""GPU figures for one run: utilization, peak memory and energy, from periodic GPU samples.

:class:`GpuMeter` calls the GPU layer's sampler (``sampler(gpu_index) -> GpuSample | None``, a
blocking call, so it runs in a worker thread) when the run starts, every ``interval_s`` while
it runs, and once at the end, and sums up: the mean utilization, the highest device memory in
use (the whole device's, which includes other users of the GPU), and the energy: the rise of
the GPU's own energy counter where every reading has one, else the trapezoid integral of power
over time. A sampler that fails is logged once and ignored; with no
sampler or no readings every figure is ``None``. Imports the compute task types only, nothing
from Qt.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Literal

from orban_desktop.compute.task import GpuSample

log = logging.getLogger(__name__)
JOULES_PER_KWH = 3_600_000.0
Sampler = Callable[[int], GpuSample | None]


@dataclass(frozen=True)
class GpuUsage:
    """A run's GPU figures; ``None`` where nothing was reported."""

    avg_utilization_pct: float | None
    peak_memory_bytes: int | None
    energy_kwh: float | None
    samples: int
    #: Where ``energy_kwh`` came from: the GPU's energy counter, or power integrated over time.
    energy_source: Literal["counter", "power"] | None = None


def _counter_joules(readings: list[tuple[float, GpuSample]]) -> float | None:
    """The energy counter's rise from the first to the last reading, if it counted throughout."""
    counts = [s.energy_total_mj for _t, s in readings]
    if len(counts) < 2 or any(c is None for c in counts):
        return None
    values = [c for c in counts if c is not None]
    if any(b < a for a, b in itertools.pairwise(values)):
        return None  # reset (driver reload): fall back to the power integral
    return (values[-1] - values[0]) / 1000.0


def summarize(readings: list[tuple[float, GpuSample]]) -> GpuUsage:
    """Sum up ``(monotonic seconds, sample)`` readings taken in time order."""
    utils = [s.utilization_pct for _t, s in readings if s.utilization_pct is not None]
    memory = [s.memory_used_bytes for _t, s in readings if s.memory_used_bytes is not None]
    power = [(t, s.power_w) for t, s in readings if s.power_w is not None]
    energy_j = _counter_joules(readings)
    source: Literal["counter", "power"] | None = "counter" if energy_j is not None else None
    if energy_j is None and len(power) >= 2:
        energy_j = sum(
            (p0 + p1) / 2 * (t1 - t0) for (t0, p0), (t1, p1) in itertools.pairwise(power)
        )
        source = "power"
    return GpuUsage(
        avg_utilization_pct=sum(utils) / len(utils) if utils else None,
        peak_memory_bytes=max(memory) if memory else None,
        energy_kwh=energy_j / JOULES_PER_KWH if energy_j is not None else None,
        samples=len(readings),
        energy_source=source,
    )


class GpuMeter:
    """``async with GpuMeter(...) as meter:`` around a run; read :attr:`usage` afterwards.

    Args:
        sampler: The GPU layer's reading function, or ``None`` (no figures).
        gpu_index: The GPU the task runs on.
        interval_s: Seconds between readings while the run lasts.
    """

    def __init__(self, sampler: Sampler | None, gpu_index: int, interval_s: float = 1.0) -> None:
        self._sampler = sampler
        self._index = gpu_index
        self._interval = interval_s
        self._readings: list[tuple[float, GpuSample]] = []
        self._task: asyncio.Task[None] | None = None
        self._failed = False
        self.usage = GpuUsage(None, None, None, 0)

    async def _sample(self) -> None:
        if self._sampler is None or self._failed:
            return
        try:
            sample = await asyncio.to_thread(self._sampler, self._index)
        except Exception:  # the GPU layer's failure must not fail the task
            self._failed = True
            log.warning(
                "GPU %d could not be sampled; no GPU figures for this task",
                self._index,
                exc_info=True,
            )
            return
        if sample is not None:
            self._readings.append((time.monotonic(), sample))

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self._sample()

    async def __aenter__(self) -> GpuMeter:
        await self._sample()
        if self._sampler is not None:
            self._task = asyncio.create_task(self._loop())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task])  # lets a cancellation of the caller through
        if exc_type is None:
            await self._sample()
        self.usage = summarize(self._readings)

"""Aggregates what the agent did between two METRICS_BATCH frames (every 5 minutes by default).

:class:`MetricsAggregator` counts finished tasks, sums GPU time, earnings (integer micro-units)
and energy, and keeps a running mean of GPU utilization; :meth:`MetricsAggregator.batch` turns the
window ``[end of the last batch, now]`` into a ``MetricsBatch`` and starts a new window.

Energy is an estimate, and each task's is counted once: a task's energy is what the task itself
reports (``energy_kwh``); for a task that reports none, it is the power its GPU drew, integrated
over the telemetry samples taken while that GPU was busy (trapezoids between consecutive samples,
gaps longer than ``max_sample_gap_s`` skipped). A task counts in the window in which it finished.
Call everything on one thread (the event loop). Imports nothing from Qt.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence

from orban_desktop.gpu.device import GPUStatus
from orban_desktop.money import Money
from orban_desktop.protocol.messages import MetricsBatch
from orban_desktop.protocol.timestamps import WireTime
from orban_desktop.protocol.types import AggregatedMetrics, TimeRange

_JOULES_PER_KWH = 3_600_000.0


def _no_busy_gpus() -> frozenset[int]:
    return frozenset()


class MetricsAggregator:
    """Accumulates one METRICS_BATCH window at a time.

    Args:
        busy_indices: The GPUs running a task now (``GPUDetector.busy_indices``); their power
            samples become the energy of tasks that report none. Default: none are.
        window_start: Start of the first window; default now.
        max_sample_gap_s: Two samples further apart than this are not integrated over.
    """

    def __init__(
        self,
        *,
        busy_indices: Callable[[], Collection[int]] = _no_busy_gpus,
        window_start: WireTime | None = None,
        max_sample_gap_s: float = 60.0,
    ) -> None:
        self._busy_indices = busy_indices
        self._max_gap_s = max_sample_gap_s
        self._window_start = window_start if window_start is not None else WireTime.now()
        self._reset()
        # Per busy GPU: the last sample while busy and the energy (kWh) integrated since the
        # GPU became busy. Kept across windows: they belong to tasks not yet finished.
        self._last_busy_sample: dict[int, GPUStatus] = {}
        self._sampled_kwh: dict[int, float] = {}

    def _reset(self) -> None:
        self.tasks_completed = 0
        self.tasks_failed = 0
        self.gpu_seconds = 0.0
        self.energy_kwh = 0.0
        self.earnings_micros = 0
        self._utilization_sum = 0.0
        self._utilization_count = 0

    @property
    def window_start(self) -> WireTime:
        return self._window_start

    @property
    def average_utilization(self) -> float:
        """Mean utilization (0..1) over every sample of every GPU that reported it; 0 if none."""
        if self._utilization_count == 0:
            return 0.0
        return self._utilization_sum / self._utilization_count

    def _task_energy(self, energy_kwh: float | None, gpu_index: int | None) -> float:
        sampled = 0.0
        if gpu_index is not None:  # the GPU's next busy sample starts the next task's energy
            sampled = self._sampled_kwh.pop(gpu_index, 0.0)
            self._last_busy_sample.pop(gpu_index, None)
        if energy_kwh is None:
            return sampled
        if not math.isfinite(energy_kwh) or energy_kwh < 0:
            raise ValueError(f"energy_kwh must be a finite amount >= 0 (got {energy_kwh})")
        return energy_kwh

    def task_completed(
        self, gpu_seconds: float, energy_kwh: float | None, *, gpu_index: int | None = None
    ) -> None:
        """A task finished with a result.

        Args:
            gpu_seconds: GPU time it used.
            energy_kwh: Energy it reports; None when it does not know.
            gpu_index: Its GPU, so sampled power can stand in for an unknown energy.

        Raises:
            ValueError: A negative or non-finite amount.
        """
        if not math.isfinite(gpu_seconds) or gpu_seconds < 0:
            raise ValueError(f"gpu_seconds must be a finite amount >= 0 (got {gpu_seconds})")
        self.energy_kwh += self._task_energy(energy_kwh, gpu_index)
        self.gpu_seconds += gpu_seconds
        self.tasks_completed += 1

    def task_failed(self, *, gpu_index: int | None = None, energy_kwh: float | None = None) -> None:
        """A task failed (or was cancelled); its GPU's sampled energy still counts."""
        self.energy_kwh += self._task_energy(energy_kwh, gpu_index)
        self.tasks_failed += 1

    def earning(self, micros: int) -> None:
        """An earning was credited (count each task's earning once: when first stored)."""
        self.earnings_micros += micros

    def sample(self, statuses: Sequence[GPUStatus]) -> None:
        """Take one telemetry reading into the utilization mean and the busy GPUs' energy."""
        busy = set(self._busy_indices())
        for status in statuses:
            if status.utilization_pct is not None and math.isfinite(status.utilization_pct):
                self._utilization_sum += min(1.0, max(0.0, status.utilization_pct / 100.0))
                self._utilization_count += 1
            if status.index in busy:
                self._integrate(status)
            else:
                self._last_busy_sample.pop(status.index, None)

    def _integrate(self, status: GPUStatus) -> None:
        previous = self._last_busy_sample.get(status.index)
        self._last_busy_sample[status.index] = status
        if previous is None:  # it just became busy: a new task's energy starts at zero
            self._sampled_kwh[status.index] = 0.0
            return
        elapsed = status.monotonic_ts - previous.monotonic_ts
        powers = [p for p in (previous.power_w, status.power_w) if p is not None and p >= 0]
        if not powers or not 0 < elapsed <= self._max_gap_s or not all(map(math.isfinite, powers)):
            return
        mean_power_w = sum(powers) / len(powers)
        energy_kwh = mean_power_w * elapsed / _JOULES_PER_KWH
        self._sampled_kwh[status.index] = self._sampled_kwh.get(status.index, 0.0) + energy_kwh

    def batch(self, agent_id: str, now: WireTime) -> MetricsBatch:
        """The METRICS_BATCH for ``[end of the last batch, now]``; starts the next window at now.

        Raises:
            MoneyError: The earnings sum is out of range (it cannot be on real data).
        """
        start = min(self._window_start, now)
        message = MetricsBatch(
            agent_id=agent_id,
            time_range=TimeRange(start=start, end=now),
            aggregated_metrics=AggregatedMetrics(
                tasks_completed=self.tasks_completed,
                tasks_failed=self.tasks_failed,
                total_gpu_hours=self.gpu_seconds / 3600.0,
                avg_gpu_utilization=self.average_utilization,
                total_energy_kwh=self.energy_kwh,
                earnings_usd=Money.from_micros(self.earnings_micros),
            ),
        )
        self._window_start = now
        self._reset()
        return message

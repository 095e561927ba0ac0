"""The Prometheus series read from a status snapshot: state, GPUs, tasks and the ledger's money.

:class:`SnapshotCollector` is a ``prometheus_client`` custom collector: :meth:`~SnapshotCollector.
update` takes the latest :class:`~orban_desktop.headless.status_file.StatusSnapshot` and
:meth:`~SnapshotCollector.collect` turns it into metric families at scrape time, so a GPU or a
reading that is gone is gone from the next scrape too (a value a GPU does not report is left
out, never 0). Money stays integer micro-units here; the exported value is USD, computed from the
micro-units only when a family is made (``micros / 1_000_000``, the float at the boundary).
``orban_earned_usd_total`` counts every status (pending + confirmed + paid) and never goes down:
it starts at the ledger's sum and adds each rise of that sum, so a record flagged later lowers
the status gauges but is not taken off what was earned. Imports ``status_file`` and ``money``
from the project, never Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.metrics_core import Metric

from orban_desktop.headless.status_file import GpuReading, StatusSnapshot
from orban_desktop.money import MICROS_PER_UNIT

#: Every ``ConnectionState`` value, so a dashboard sees each series from the first scrape.
STATES = ("offline", "connecting", "authenticating", "registered", "serving", "paused",
          "auth_rejected", "stopped")  # fmt: skip
GPU_LABELS = ("gpu", "simulated")


def usd(micros: int) -> float:
    """The exposition value of an amount in micro-USD (the one place money becomes a float)."""
    return micros / MICROS_PER_UNIT


def _utilization_ratio(gpu: GpuReading) -> float | None:
    return None if gpu.utilization_pct is None else gpu.utilization_pct / 100.0


#: Per-GPU gauges: name, help text, and how to read it (``None``: not reported).
GPU_GAUGES: tuple[tuple[str, str, Callable[[GpuReading], float | None]], ...] = (
    ("orban_gpu_utilization_ratio", "Share of time the GPU was busy (0..1).", _utilization_ratio),
    ("orban_gpu_temperature_celsius", "GPU temperature.", lambda g: g.temperature_c),
    ("orban_gpu_memory_used_bytes", "GPU memory in use.", lambda g: g.memory_used_bytes),
    ("orban_gpu_memory_total_bytes", "GPU memory in all.", lambda g: g.memory_total_bytes),
    ("orban_gpu_power_watts", "Power the board draws.", lambda g: g.power_w),
)


class SnapshotCollector:
    """Metric families from the latest snapshot (none before the first :meth:`update`)."""

    def __init__(self) -> None:
        self._snapshot: StatusSnapshot | None = None
        self._earned_micros: int | None = None
        self._last_sum_micros = 0

    def update(self, snapshot: StatusSnapshot) -> None:
        """Take ``snapshot`` as the agent now; its earnings (if read) move the earned counter."""
        self._snapshot = snapshot
        if snapshot.earnings is None:
            return
        totals = snapshot.earnings
        all_micros = totals.pending_micros + totals.confirmed_micros + totals.paid_micros
        if self._earned_micros is None:
            self._earned_micros = all_micros
        else:
            self._earned_micros += max(0, all_micros - self._last_sum_micros)
        self._last_sum_micros = all_micros

    def collect(self) -> Iterator[Metric]:
        snapshot = self._snapshot
        if snapshot is None:
            return
        yield GaugeMetricFamily("orban_agent_up", "1 while the agent runs.", value=1)
        yield self._states(snapshot.state)
        yield from self._gpus(snapshot.gpus)
        yield GaugeMetricFamily("orban_tasks_running", "Tasks running now.", len(snapshot.tasks))
        yield CounterMetricFamily(
            "orban_tasks_completed", "Tasks finished with a result since start.",
            value=snapshot.tasks_completed,
        )  # fmt: skip
        yield CounterMetricFamily(
            "orban_tasks_failed", "Tasks failed or handed back since start.",
            value=snapshot.tasks_failed,
        )  # fmt: skip
        if snapshot.earnings is not None and self._earned_micros is not None:
            totals = snapshot.earnings
            earnings = GaugeMetricFamily(
                "orban_earnings_usd",
                "Earnings in the ledger by status, in USD (exact micro-USD / 1e6); they move "
                "from pending to confirmed to paid.",
                labels=("status",),
            )
            for status, micros in (("pending", totals.pending_micros),
                                   ("confirmed", totals.confirmed_micros),
                                   ("paid", totals.paid_micros)):  # fmt: skip
                earnings.add_metric((status,), usd(micros))
            yield earnings
            yield CounterMetricFamily(
                "orban_earned_usd",
                "Everything earned (all statuses, gross), in USD (exact micro-USD / 1e6).",
                value=usd(self._earned_micros),
            )

    @staticmethod
    def _states(current: str) -> GaugeMetricFamily:
        family = GaugeMetricFamily(
            "orban_agent_state", "1 for the agent's current state.", labels=("state",)
        )
        for name in STATES if current in STATES else (*STATES, current):
            family.add_metric((name,), 1 if name == current else 0)
        return family

    @staticmethod
    def _gpus(gpus: tuple[GpuReading, ...]) -> Iterator[Metric]:
        if gpus:
            info = InfoMetricFamily(
                "orban_gpu", "Every GPU the agent sees, with its name.", labels=GPU_LABELS
            )
            for gpu in gpus:
                info.add_metric((str(gpu.index), str(gpu.simulated).lower()), {"name": gpu.name})
            yield info
        for name, help_text, read in GPU_GAUGES:
            values = [(gpu, read(gpu)) for gpu in gpus]
            if all(value is None for _, value in values):
                continue
            family = GaugeMetricFamily(name, help_text, labels=GPU_LABELS)
            for gpu, value in values:
                if value is not None:
                    family.add_metric((str(gpu.index), str(gpu.simulated).lower()), value)
            yield family

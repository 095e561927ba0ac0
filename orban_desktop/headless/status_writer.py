"""Snapshots of a running agent, kept in ``status.json`` while it runs.

:class:`StatusCollector` turns an :class:`~orban_desktop.agent.runtime.AgentRuntime` into
:class:`~orban_desktop.headless.status_file.StatusSnapshot` objects (state, pause reasons, the
latest GPU readings, running tasks, the ledger's sums and the tasks finished since start, which
it counts from ``TaskFinished`` events) and, on request, keeps the agent's Prometheus registry
(:meth:`StatusCollector.prometheus_metrics`). :class:`StatusFileWriter` writes one every few
seconds and soon after every state, pause, task or earning event, off the event loop's thread.
:func:`build_snapshot` is the pure part. Imports nothing from Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orban_desktop.earnings import EarningsSummary
from orban_desktop.events import (
    ConnectionStateChanged,
    EarningRecorded,
    Event,
    PauseChanged,
    PayoutReceived,
    TaskFinished,
    TaskProgressed,
)
from orban_desktop.gpu.device import GPUStatus
from orban_desktop.headless.status_file import (
    STATUS_INTERVAL_S,
    EarningsTotals,
    GpuReading,
    StatusSnapshot,
    TaskReading,
    write_status,
)

if TYPE_CHECKING:
    from orban_desktop.agent.runtime import AgentRuntime
    from orban_desktop.headless.metrics_registry import AgentMetrics

logger = logging.getLogger(__name__)

#: Events after which the status file is rewritten soon.
WAKING_EVENTS: tuple[type[Event], ...] = (
    ConnectionStateChanged, PauseChanged, TaskProgressed, TaskFinished, EarningRecorded,
    PayoutReceived,
)  # fmt: skip


def gpu_readings(statuses: Iterable[GPUStatus]) -> tuple[GpuReading, ...]:
    return tuple(
        GpuReading(
            index=s.index,
            name=s.name,
            simulated=s.simulated,
            utilization_pct=s.utilization_pct,
            temperature_c=s.temperature_c,
            memory_used_bytes=s.memory_used_bytes,
            memory_total_bytes=s.memory_total_bytes,
            power_w=s.power_w,
        )
        for s in statuses
    )


def earnings_totals(summary: EarningsSummary) -> EarningsTotals:
    return EarningsTotals(
        today_micros=summary.today_micros,
        earned_micros=summary.earned_micros,
        pending_micros=summary.pending_micros,
        confirmed_micros=summary.confirmed_micros,
        paid_micros=summary.paid_micros,
        total_micros=summary.total_micros,
        currency=summary.currency,
    )


def build_snapshot(runtime: AgentRuntime, **fields: Any) -> StatusSnapshot:
    """A snapshot of ``runtime`` now; ``fields`` fill in what the runtime does not know."""
    service, parts = runtime.service, runtime.parts
    tasks = tuple(
        TaskReading(task_id, active.stage, active.progress, active.gpu_index)
        for task_id, active in sorted(service.runner.active.items())
    )
    support = parts.runner_support.latest
    fields.setdefault("real_tasks", support.describe() if support else None)
    return StatusSnapshot(
        updated_at=time.time(),
        state=service.state.value,
        state_detail=service.state_detail,
        pause_reasons=tuple(sorted(reason.value for reason in service.pause_reasons)),
        platform_url=parts.config.agent.platform_url,
        agent_id=parts.identity.agent_id,
        gpus=gpu_readings(parts.history.latest()),
        tasks=tasks,
        **fields,
    )


class StatusCollector:
    """Takes snapshots of ``runtime``; counts finished tasks until :meth:`close`."""

    def __init__(
        self, runtime: AgentRuntime, *, started_at: float, metrics_url: str | None = None
    ) -> None:
        self.runtime = runtime
        self.started_at = started_at
        self.metrics_url = metrics_url
        self.tasks_completed = 0
        self.tasks_failed = 0
        self._earnings: EarningsTotals | None = None
        self._metrics: AgentMetrics | None = None
        runtime.parts.bus.subscribe(TaskFinished, self._on_finished)

    def _on_finished(self, event: TaskFinished) -> None:
        if event.succeeded:
            self.tasks_completed += 1
        else:
            self.tasks_failed += 1

    async def snapshot(self) -> StatusSnapshot:
        """The agent now; the earnings are the last read that worked (the ledger may be closing)."""
        try:
            summary = await self.runtime.parts.ledger.get_data(page_size=1)
            self._earnings = earnings_totals(summary)
        except Exception as exc:  # a closed or busy ledger must not stop the status
            logger.debug("status: earnings not read: %s", exc)
        return build_snapshot(
            self.runtime,
            pid=os.getpid(),
            started_at=self.started_at,
            earnings=self._earnings,
            tasks_completed=self.tasks_completed,
            tasks_failed=self.tasks_failed,
            metrics_url=self.metrics_url,
        )

    def prometheus_metrics(self) -> AgentMetrics:
        """The agent's Prometheus registry, following its bus from the first call until close."""
        if self._metrics is None:
            support = self.runtime.parts.runner_support.latest
            # prometheus-client (about 12 MB) is imported only by an agent that serves metrics
            from orban_desktop.headless.metrics_registry import AgentMetrics

            self._metrics = AgentMetrics()
            self._metrics.attach(
                self.runtime.parts.bus,
                state=self.runtime.service.state,
                runner=support.event() if support is not None else None,
            )
        return self._metrics

    def close(self) -> None:
        self.runtime.parts.bus.unsubscribe(TaskFinished, self._on_finished)
        if self._metrics is not None:
            self._metrics.detach()


class StatusFileWriter:
    """Writes ``collector``'s snapshot to ``path`` every ``interval_s`` and after each event
    (for a running task: when it moves to another stage; its percent is in the regular write).

    Args:
        collector: Where snapshots come from.
        path: The status file (its folder must exist).
        interval_s: The regular period.
        settle_s: After an event, wait this long for more before writing (coalesces bursts).
    """

    def __init__(
        self,
        collector: StatusCollector,
        path: Path,
        *,
        interval_s: float = STATUS_INTERVAL_S,
        settle_s: float = 0.2,
    ) -> None:
        self.collector = collector
        self.path = path
        self.interval_s = interval_s
        self.settle_s = settle_s
        self._wake = asyncio.Event()
        #: The stage each running task was last seen in: progress within a stage waits for the
        #: regular write.
        self._stages: dict[str, str] = {}
        self._bus = collector.runtime.parts.bus
        for event_type in WAKING_EVENTS:
            self._bus.subscribe(event_type, self._on_event)

    def _on_event(self, event: Event) -> None:
        if isinstance(event, TaskProgressed):  # a new stage, not every percent of one
            if self._stages.get(event.task_id) == event.stage:
                return
            self._stages[event.task_id] = event.stage
        elif isinstance(event, TaskFinished):
            self._stages.pop(event.task_id, None)
        self._wake.set()

    async def write_once(self) -> StatusSnapshot:
        """Write one snapshot; a cancelled call still waits for the write it started."""
        snapshot = await self.collector.snapshot()
        write = asyncio.ensure_future(asyncio.to_thread(write_status, self.path, snapshot))
        try:
            await asyncio.shield(write)
        except asyncio.CancelledError:
            # Let the thread finish: a file it wrote after the owner removed it would be left.
            await asyncio.gather(write, return_exceptions=True)
            raise
        return snapshot

    async def run(self) -> None:
        """Write until cancelled; a failed write is logged and retried next period."""
        try:
            while True:
                self._wake.clear()
                try:
                    await self.write_once()
                except OSError as exc:
                    logger.warning("cannot write the status file %s: %s", self.path, exc)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.interval_s):
                        await self._wake.wait()
                await asyncio.sleep(self.settle_s)
        finally:
            for event_type in WAKING_EVENTS:
                self._bus.unsubscribe(event_type, self._on_event)

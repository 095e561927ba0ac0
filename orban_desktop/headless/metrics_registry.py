"""One agent's Prometheus registry: the series fed by its events beside those read from snapshots.

:class:`AgentMetrics` owns a ``prometheus_client`` :class:`~prometheus_client.CollectorRegistry`
of its own (never the library's global one: a process may run several agents, and tests do).
Between :meth:`~AgentMetrics.attach` and :meth:`~AgentMetrics.detach` it follows the bus:
``TaskProgressed`` stage changes time each stage (``orban_task_stage_duration_seconds``, a
histogram by ``stage``: the time from entering a stage to entering the next, or to the task's end),
``TaskFinished`` gives the whole task's duration (``orban_task_duration_seconds`` by ``outcome``)
and, where the producer fills them in, GPU seconds, rows, bytes downloaded and energy (counters by
``gpu``: a series exists only once a task has reported it, so nothing is faked as 0);
``ConnectionStateChanged`` counts reconnects (each return to ``serving``/``paused`` after a
session was lost) and ``RealWorkChecked`` fills ``orban_agent_info`` (version, runner, runner
detail, frameworks). :meth:`~AgentMetrics.update` hands the latest snapshot to the
:class:`~orban_desktop.headless.metrics_snapshot.SnapshotCollector`; :meth:`~AgentMetrics.
exposition` renders the text format. Call everything on the event loop's thread. Imports
nothing from Qt.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeGuard

from prometheus_client import CollectorRegistry, Counter, Histogram, Info, generate_latest
from prometheus_client.metrics_core import Metric

from orban_desktop import __version__
from orban_desktop.agent.registration import CANARY_FRAMEWORK, RUNNER_FRAMEWORKS
from orban_desktop.events import (
    ConnectionState,
    ConnectionStateChanged,
    Event,
    EventBus,
    RealWorkChecked,
    TaskFinished,
    TaskProgressed,
)
from orban_desktop.headless.metrics_snapshot import SnapshotCollector
from orban_desktop.headless.status_file import StatusSnapshot

#: States in which the agent holds a session with the platform.
CONNECTED = frozenset({ConnectionState.SERVING, ConnectionState.PAUSED})
#: A stage that only marks the end (progress 1.0): no time is spent in it.
END_STAGES = frozenset({"completed"})
#: Seconds: a cached model's download (well under a second) up to an hour-long run.
DURATION_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
                    1800.0, 3600.0)  # fmt: skip
JOULES_PER_KWH = 3_600_000.0


@dataclass
class _TaskTrack:
    stage: str
    since: float
    gpu: str


class AgentMetrics:
    """The registry of one agent and the event handlers that keep its series.

    Args:
        version: The agent's version for ``orban_agent_info``.
        clock: Monotonic seconds, for stage durations (tests pass a fake).
    """

    def __init__(
        self, *, version: str = __version__, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.snapshots = SnapshotCollector()
        self.registry.register(self.snapshots)
        self._version, self._clock = version, clock
        r = self.registry
        self._info = Info("orban_agent", "The agent: version, runner and frameworks.", registry=r)
        self._stage_seconds = Histogram(
            "orban_task_stage_duration_seconds", "Time tasks spent in each stage.", ("stage",),
            buckets=DURATION_BUCKETS, registry=r,
        )  # fmt: skip
        self._task_seconds = Histogram(
            "orban_task_duration_seconds", "Whole tasks, from start to result, by outcome.",
            ("outcome",), buckets=DURATION_BUCKETS, registry=r,
        )  # fmt: skip
        self._gpu_seconds = Counter(
            "orban_gpu_seconds", "GPU time tasks used, in seconds.", ("gpu",), registry=r
        )
        self._rows = Counter("orban_rows_processed", "Rows tasks processed.", ("gpu",), registry=r)
        self._downloaded = Counter(
            "orban_downloaded_bytes", "Bytes tasks downloaded.", ("gpu",), registry=r
        )
        self._energy = Counter(
            "orban_task_energy_joules", "Energy tasks drew (kWh x 3.6e6).", ("gpu",), registry=r
        )
        self._reconnects = Counter(
            "orban_reconnects", "Sessions with the platform made again after one was lost.",
            registry=r,
        )  # fmt: skip
        self._tasks: dict[str, _TaskTrack] = {}
        self._connected_before = False
        self._state: ConnectionState | None = None
        self._bus: EventBus | None = None
        self._on_runner(None)

    def attach(
        self, bus: EventBus, *, state: ConnectionState | None = None,
        runner: RealWorkChecked | None = None,
    ) -> None:  # fmt: skip
        """Follow ``bus`` from now on; ``state`` and ``runner`` are what the agent is already at."""
        self._state = state
        self._connected_before = state in CONNECTED
        if runner is not None:
            self._on_runner(runner)
        self._bus = bus
        for event_type, handler in self._handlers():
            bus.subscribe(event_type, handler)

    def detach(self) -> None:
        """Stop following the bus (the series keep their values)."""
        bus, self._bus = self._bus, None
        if bus is not None:
            for event_type, handler in self._handlers():
                bus.unsubscribe(event_type, handler)

    def _handlers(self) -> tuple[tuple[type[Event], Callable[[Any], None]], ...]:
        return ((TaskProgressed, self._on_progress), (TaskFinished, self._on_finished),
                (ConnectionStateChanged, self._on_connection),
                (RealWorkChecked, self._on_runner))  # fmt: skip

    def update(self, snapshot: StatusSnapshot) -> None:
        """The agent now, for the series read from snapshots (call before each scrape)."""
        self.snapshots.update(snapshot)

    def exposition(self) -> bytes:
        """Every series in the text exposition format (microseconds of work: fine on the loop)."""
        return generate_latest(_WithoutCreated(self.registry))

    def _on_runner(self, event: RealWorkChecked | None) -> None:
        usable = event is not None and event.where != "none"
        frameworks = (CANARY_FRAMEWORK, *(RUNNER_FRAMEWORKS if usable else ()))
        self._info.info({
            "version": self._version,
            "runner": "unknown" if event is None else event.where,
            "runner_detail": event.detail if event is not None and usable else "",
            "frameworks": ",".join(frameworks),
        })  # fmt: skip

    def _on_connection(self, event: ConnectionStateChanged) -> None:
        if event.state in CONNECTED and self._state not in CONNECTED:
            if self._connected_before:
                self._reconnects.inc()
            self._connected_before = True
        self._state = event.state

    def _on_progress(self, event: TaskProgressed) -> None:
        now = self._clock()
        track = self._tasks.get(event.task_id)
        if track is None:
            gpu = "none" if event.gpu_index is None else str(event.gpu_index)
            self._tasks[event.task_id] = _TaskTrack(event.stage, now, gpu)
            return
        if event.gpu_index is not None:
            track.gpu = str(event.gpu_index)
        if event.stage != track.stage:
            self._close_stage(track, now)
            track.stage, track.since = event.stage, now

    def _close_stage(self, track: _TaskTrack, now: float) -> None:
        if track.stage not in END_STAGES:
            self._stage_seconds.labels(track.stage).observe(max(0.0, now - track.since))

    def _on_finished(self, event: TaskFinished) -> None:
        track = self._tasks.pop(event.task_id, None)
        if track is not None:
            self._close_stage(track, self._clock())
        outcome = "succeeded" if event.succeeded else "failed"
        if _amount(event.duration_s):
            self._task_seconds.labels(outcome).observe(event.duration_s)
        gpu = (
            str(event.gpu_index) if event.gpu_index is not None else track.gpu if track else "none"
        )
        energy_j = None if event.energy_kwh is None else event.energy_kwh * JOULES_PER_KWH
        for counter, amount in ((self._gpu_seconds, event.gpu_seconds), (self._rows, event.rows),
                                (self._downloaded, event.downloaded_bytes),
                                (self._energy, energy_j)):  # fmt: skip
            if _amount(amount):
                counter.labels(gpu).inc(amount)


class _WithoutCreated:
    """``registry``'s families less the ``_created`` samples (a start time per series that the
    library adds to counters and histograms: noise on a dashboard, doubled series in storage)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry

    def collect(self) -> Iterator[Metric]:
        for family in self._registry.collect():
            family.samples = [s for s in family.samples if not s.name.endswith("_created")]
            yield family


def _amount(value: float | None) -> TypeGuard[float]:
    """Whether ``value`` is a figure a counter or histogram may take (reported, finite, >= 0)."""
    return value is not None and math.isfinite(value) and value >= 0

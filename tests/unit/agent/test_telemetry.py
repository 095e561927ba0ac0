"""Telemetry: history, windows, the sampling loop (fast switch, failures, cancel), heartbeat."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

import pytest

from orban_desktop.agent.telemetry import GpuHistory, TelemetrySampler, heartbeat_gpu_status
from orban_desktop.events import EventBus, GpuSampled
from orban_desktop.gpu.device import GIB, GPUStatus
from orban_desktop.protocol import messages as m
from orban_desktop.protocol import types as wire
from orban_desktop.protocol.codec import decode_json, encode_json
from orban_desktop.protocol.enums import AgentStatus
from tests.unit.agent.snapshots import snapshot

WAIT_S = 5.0  # upper bound for something that should happen at once; never a speed claim
NEVER_S = 3600.0


# ---- history ----------------------------------------------------------------------------------
def test_ring_buffers_are_bounded_per_gpu() -> None:
    history = GpuHistory(max_samples=3)
    for second in range(5):
        history.add([snapshot(0, at=second), snapshot(1, at=second)])
    history.add([snapshot(1, at=5.0)])
    assert [s.monotonic_ts for s in history.samples(0)] == [2.0, 3.0, 4.0]
    assert [s.monotonic_ts for s in history.samples(1)] == [3.0, 4.0, 5.0]
    assert history.indices() == [0, 1]
    assert history.latest() == (snapshot(1, at=5.0),)
    assert history.samples(7) == []


def test_history_starts_empty_and_needs_room() -> None:
    assert GpuHistory().latest() == ()
    with pytest.raises(ValueError):
        GpuHistory(max_samples=0)


def test_window_returns_the_recent_samples_oldest_first() -> None:
    history = GpuHistory()
    for second in range(10):
        history.add([snapshot(0, at=float(second))])
    assert [s.monotonic_ts for s in history.window(0, 3.0, now_monotonic=9.0)] == [6, 7, 8, 9]
    assert [s.monotonic_ts for s in history.window(0, 2.0, now_monotonic=5.0)] == [3, 4, 5]
    assert history.window(0, 1.0, now_monotonic=100.0) == []
    assert history.window(3, 60.0, now_monotonic=9.0) == []


# ---- heartbeat mapping ------------------------------------------------------------------------
def test_heartbeat_maps_units() -> None:
    status = snapshot(
        2,
        utilization_pct=87.5,
        memory_used_bytes=6 * GIB,
        memory_total_bytes=24 * GIB,
        temperature_c=71.0,
        power_w=250.5,
        fan_speed_pct=40.0,
    )
    assert heartbeat_gpu_status([status]) == [
        wire.HeartbeatGpuStatus(
            index=2,
            utilization=0.875,
            memory_used_gb=6.0,
            memory_total_gb=24.0,
            temperature_c=71.0,
            power_draw_w=250.5,
            fan_speed_percent=40.0,
        )
    ]


def test_heartbeat_sends_unreported_readings_as_zero() -> None:
    [sent] = heartbeat_gpu_status([snapshot(0, temperature_c=55.0)])
    assert sent.temperature_c == 55.0
    assert (sent.utilization, sent.memory_used_gb, sent.memory_total_gb) == (0.0, 0.0, 0.0)
    assert (sent.power_draw_w, sent.fan_speed_percent) == (0.0, 0.0)


def test_heartbeat_clamps_utilization_and_drops_non_finite_values() -> None:
    [over, nan] = heartbeat_gpu_status(
        [snapshot(0, utilization_pct=130.0), snapshot(1, power_w=float("nan"))]
    )
    assert over.utilization == 1.0
    assert nan.power_draw_w == 0.0


def test_heartbeat_frame_round_trips() -> None:
    statuses = [snapshot(0, utilization_pct=33.3, memory_used_bytes=GIB // 3), snapshot(1)]
    frame = m.Heartbeat(
        agent_id="agent-1",
        status=AgentStatus.IDLE,
        gpu_status=heartbeat_gpu_status(statuses),
        uptime_sec=10,
    )
    decoded = decode_json(encode_json(frame))
    assert isinstance(decoded, m.Heartbeat)
    assert decoded.gpu_status == frame.gpu_status


# ---- the sampler ------------------------------------------------------------------------------
class FakeDetector:
    """Returns a snapshot of two GPUs per read; raises whatever ``failures`` holds first."""

    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.failures = list(failures or [])
        self.reads = 0
        self.gate: threading.Event | None = None  # when set, a read blocks until it is set
        self.reading = threading.Event()

    def read(self) -> list[GPUStatus]:
        self.reading.set()
        if self.gate is not None:
            self.gate.wait()
        if self.failures:
            raise self.failures.pop(0)
        self.reads += 1
        return [snapshot(0, at=float(self.reads), temperature_c=50.0), snapshot(1)]


async def _until(condition: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.005)

    await asyncio.wait_for(poll(), WAIT_S)


def _sampler(
    detector: FakeDetector, bus: EventBus, history: GpuHistory, fast_s: float = 0.01
) -> TelemetrySampler:
    return TelemetrySampler(detector.read, bus, history, interval_s=NEVER_S, fast_interval_s=fast_s)


async def test_sampler_records_and_publishes_each_reading() -> None:
    bus, history, detector = EventBus(), GpuHistory(), FakeDetector()
    events: list[GpuSampled] = []
    bus.subscribe(GpuSampled, events.append)
    sampler = _sampler(detector, bus, history)
    runner = asyncio.create_task(sampler.run())
    try:
        await _until(lambda: len(events) == 1)  # the first reading is taken at once
        assert events[0].statuses == history.latest()
        assert len(events[0].statuses) == 2 and history.indices() == [0, 1]
        await asyncio.sleep(0.1)
        assert detector.reads == 1  # the slow interval (an hour) has not passed
    finally:
        runner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await runner


async def test_set_fast_samples_at_once_and_then_often_until_switched_back() -> None:
    bus, history, detector = EventBus(), GpuHistory(), FakeDetector()
    sampler = _sampler(detector, bus, history)
    runner = asyncio.create_task(sampler.run())
    try:
        await _until(lambda: detector.reads == 1)
        sampler.set_fast(True)
        assert sampler.fast and sampler.interval_s == 0.01
        await _until(lambda: detector.reads >= 6)  # without the switch: one read per hour
        sampler.set_fast(False)
        assert sampler.interval_s == NEVER_S
        after = detector.reads
        await asyncio.sleep(0.2)
        assert detector.reads <= after + 1  # at most the read already under way
    finally:
        runner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await runner


async def test_a_failing_read_is_logged_once_per_kind_and_sampling_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    failures: list[Exception] = [OSError("nvml gone"), OSError("still"), RuntimeError("x")]
    bus, history, detector = EventBus(), GpuHistory(), FakeDetector(failures)
    sampler = _sampler(detector, bus, history)
    sampler.set_fast(True)
    caplog.set_level(logging.WARNING, logger="orban_desktop.agent.telemetry")
    runner = asyncio.create_task(sampler.run())
    try:
        await _until(lambda: detector.reads >= 2)
    finally:
        runner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await runner
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "OSError" in warnings[0] and "RuntimeError" in warnings[1]
    assert len(history.samples(0)) == detector.reads


async def test_cancel_while_a_read_is_blocked_stops_at_once() -> None:
    bus, history, detector = EventBus(), GpuHistory(), FakeDetector()
    detector.gate = threading.Event()
    sampler = _sampler(detector, bus, history)
    runner = asyncio.create_task(sampler.run())
    await _until(detector.reading.is_set)
    runner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await runner
    detector.gate.set()  # the thread finishes its read; nothing takes the result
    await asyncio.sleep(0.05)
    assert history.latest() == ()


def test_sampler_intervals_must_be_positive() -> None:
    with pytest.raises(ValueError):
        TelemetrySampler(FakeDetector().read, EventBus(), GpuHistory(), interval_s=0.0)

"""The Prometheus endpoint: an agent's own registry, fed by snapshots and events, served over HTTP.

Values are read back with ``prometheus_client``'s own parser; Debian's ``promtool check metrics``
lints the whole exposition (skipped without promtool, a failure when ``CI`` is set).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from orban_desktop import __version__
from orban_desktop.compute.runner_probe import RunnerAvailability
from orban_desktop.config import AgentConfig
from orban_desktop.events import (
    ConnectionState,
    ConnectionStateChanged,
    EventBus,
    RealWorkChecked,
    TaskFinished,
    TaskProgressed,
)
from orban_desktop.headless.metrics_registry import AgentMetrics
from orban_desktop.headless.prometheus import CONTENT_TYPE, MetricsServer, render_metrics
from orban_desktop.headless.status_file import EarningsTotals, StatusSnapshot
from orban_desktop.headless.status_writer import StatusCollector
from tests.unit.commands.fake_agent import sample_snapshot

Key = tuple[str, tuple[tuple[str, str], ...]]


def samples(text: str) -> dict[Key, float]:
    """Every sample by (name, sorted labels)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, metric: str, /, **labels: str) -> float | None:
    """The sample ``metric{labels}`` in ``text``; ``None`` when there is none."""
    return samples(text).get((metric, tuple(sorted(labels.items()))))


def promtool_check(text: str) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        message = "promtool not installed (apt-get install prometheus; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(
        [promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_exposition_names_every_snapshot_series() -> None:
    text = render_metrics(sample_snapshot(42))
    gpu0 = {"gpu": "0", "simulated": "true"}
    assert value(text, "orban_agent_up") == 1
    assert value(text, "orban_agent_state", state="serving") == 1
    assert value(text, "orban_agent_state", state="offline") == 0
    assert value(text, "orban_gpu_info", gpu="0", name="Simulated RTX 4090", simulated="true") == 1
    assert value(text, "orban_gpu_utilization_ratio", **gpu0) == 0.45
    assert value(text, "orban_gpu_temperature_celsius", **gpu0) == 61.0
    assert value(text, "orban_gpu_memory_used_bytes", **gpu0) == 3 * 1024**3
    assert value(text, "orban_gpu_power_watts", **gpu0) == 250.0
    assert value(text, "orban_tasks_running") == 1
    assert value(text, "orban_tasks_completed_total") == 5
    assert value(text, "orban_tasks_failed_total") == 1
    assert "# TYPE orban_tasks_completed_total counter" in text
    assert "_created" not in text


def test_earnings_are_gauges_by_status_and_earned_is_a_counter_in_usd() -> None:
    text = render_metrics(sample_snapshot(42))
    assert value(text, "orban_earnings_usd", status="pending") == 0.103688  # 103_688 micro-USD
    assert value(text, "orban_earnings_usd", status="confirmed") == 0.625
    assert value(text, "orban_earnings_usd", status="paid") == 0.96
    assert value(text, "orban_earned_usd_total") == 1.688688
    assert "# TYPE orban_earnings_usd gauge" in text
    assert "# TYPE orban_earned_usd_total counter" in text


def test_earned_never_goes_down_and_counts_every_rise() -> None:
    metrics = AgentMetrics()

    def earned(pending: int, confirmed: int) -> float | None:
        earnings = EarningsTotals(pending_micros=pending, confirmed_micros=confirmed)
        return value(render_metrics(replace(sample_snapshot(1), earnings=earnings), metrics),
                     "orban_earned_usd_total")  # fmt: skip

    assert earned(100_000, 0) == 0.1  # starts at the ledger's sum
    assert earned(0, 100_000) == 0.1  # confirmed: the same money
    assert earned(0, 40_000) == 0.1  # a record flagged later is not taken off
    assert earned(20_000, 40_000) == 0.12  # a new earning counts in full


def test_a_reading_a_gpu_does_not_report_is_left_out() -> None:
    text = render_metrics(sample_snapshot(42))
    quiet = [key for key in samples(text) if ("gpu", "1") in key[1]]
    assert [name for name, _ in quiet] == ["orban_gpu_info"]  # the quiet card: only its name


def test_a_series_no_gpu_reports_has_no_family() -> None:
    snapshot = sample_snapshot(42)
    snapshot = replace(snapshot, gpus=(replace(snapshot.gpus[0], power_w=None),), earnings=None)
    text = render_metrics(snapshot)
    assert "orban_gpu_power_watts" not in text
    assert "orban_earnings_usd" not in text and "orban_earned_usd" not in text
    assert "orban_gpu_temperature_celsius" in text


def test_label_values_are_escaped() -> None:
    text = render_metrics(replace(sample_snapshot(42), state='odd"state\\'))
    assert 'orban_agent_state{state="odd\\"state\\\\"} 1.0' in text


def test_events_time_stages_and_count_what_tasks_report() -> None:
    clock, bus = FakeClock(), EventBus()
    metrics = AgentMetrics(clock=clock)
    metrics.attach(bus)
    for stage, at in (("downloading", 100.0), ("downloading", 101.0), ("running", 102.0),
                      ("uploading", 107.0), ("completed", 108.0)):  # fmt: skip
        clock.now = at
        bus.publish(TaskProgressed("t1", stage, 0.5, gpu_index=1))
    clock.now = 109.0
    bus.publish(TaskFinished("t1", True, duration_s=9.0, gpu_seconds=4.5, rows=512,
                             downloaded_bytes=90_000_000))  # fmt: skip
    bus.publish(TaskProgressed("t2", "downloading", 0.0, gpu_index=0))
    clock.now = 112.0
    bus.publish(TaskFinished("t2", False, "DOWNLOAD_FAILED", duration_s=3.0))
    text = render_metrics(sample_snapshot(1), metrics)
    stage = "orban_task_stage_duration_seconds"
    assert value(text, f"{stage}_sum", stage="downloading") == 2.0 + 3.0
    assert value(text, f"{stage}_count", stage="downloading") == 2
    assert value(text, f"{stage}_sum", stage="running") == 5.0
    assert value(text, f"{stage}_bucket", stage="running", le="5.0") == 1
    assert value(text, f"{stage}_sum", stage="uploading") == 1.0
    assert value(text, f"{stage}_count", stage="completed") is None  # a marker, not a stage
    assert value(text, "orban_task_duration_seconds_sum", outcome="succeeded") == 9.0
    assert value(text, "orban_task_duration_seconds_count", outcome="failed") == 1
    assert value(text, "orban_gpu_seconds_total", gpu="1") == 4.5
    assert value(text, "orban_rows_processed_total", gpu="1") == 512
    assert value(text, "orban_downloaded_bytes_total", gpu="1") == 90_000_000
    assert value(text, "orban_gpu_seconds_total", gpu="0") is None  # t2 reported none
    assert "orban_task_energy_joules_total{" not in text  # no reading: no series, never a 0
    bus.publish(TaskFinished("t3", True, energy_kwh=0.5))
    bus.publish(TaskFinished("t4", True, gpu_seconds=1.0, gpu_index=3))  # its GPU from the event
    text = render_metrics(sample_snapshot(1), metrics)
    assert value(text, "orban_task_energy_joules_total", gpu="none") == 1_800_000
    assert value(text, "orban_gpu_seconds_total", gpu="3") == 1.0
    metrics.detach()
    assert not any(bus._handlers.values())


def test_reconnects_count_sessions_made_again() -> None:
    bus = EventBus()
    metrics = AgentMetrics()
    metrics.attach(bus, state=ConnectionState.CONNECTING)
    states = ("authenticating", "serving", "paused", "serving", "offline", "connecting",
              "authenticating", "offline", "connecting", "authenticating", "paused")  # fmt: skip
    for state in states:
        bus.publish(ConnectionStateChanged(ConnectionState(state)))
    assert value(render_metrics(sample_snapshot(1), metrics), "orban_reconnects_total") == 1
    attached_late = AgentMetrics()  # made while serving: the first loss and return counts
    attached_late.attach(bus, state=ConnectionState.SERVING)
    bus.publish(ConnectionStateChanged(ConnectionState.OFFLINE))
    bus.publish(ConnectionStateChanged(ConnectionState.SERVING))
    assert value(render_metrics(sample_snapshot(1), attached_late), "orban_reconnects_total") == 1


def test_the_info_metric_names_version_runner_and_frameworks() -> None:
    bus = EventBus()
    metrics = AgentMetrics(version="9.8.7")
    text = render_metrics(sample_snapshot(1), metrics)
    info = {"version": "9.8.7", "runner": "unknown", "runner_detail": "",
            "frameworks": "orban-demo"}  # fmt: skip
    assert value(text, "orban_agent_info", **info) == 1
    metrics.attach(bus, runner=RealWorkChecked("environment", "/opt/runner/bin/python", False))
    bus.publish(RealWorkChecked("docker", "orban/runner:0.1.0"))
    text = render_metrics(sample_snapshot(1), metrics)
    info |= {"runner": "docker", "runner_detail": "orban/runner:0.1.0",
             "frameworks": "orban-demo,pytorch"}  # fmt: skip
    assert value(text, "orban_agent_info", **info) == 1
    assert len([key for key in samples(text) if key[0] == "orban_agent_info"]) == 1


def test_two_agents_in_one_process_keep_their_own_registries() -> None:
    first, second = AgentMetrics(), AgentMetrics()
    bus = EventBus()
    first.attach(bus)
    bus.publish(TaskFinished("t", True, gpu_seconds=2.0))
    assert value(render_metrics(sample_snapshot(1), first), "orban_gpu_seconds_total", gpu="none")
    assert "orban_gpu_seconds_total{" not in render_metrics(sample_snapshot(1), second)


def test_promtool_accepts_the_whole_exposition() -> None:
    clock, bus = FakeClock(), EventBus()
    metrics = AgentMetrics(clock=clock)
    metrics.attach(bus, state=ConnectionState.SERVING, runner=RealWorkChecked("docker", "img"))
    bus.publish(TaskProgressed("t", "downloading", 0.0, gpu_index=0))
    clock.now += 2
    bus.publish(TaskFinished("t", True, duration_s=2.0, gpu_seconds=1.0, rows=3,
                             downloaded_bytes=10, energy_kwh=0.001))  # fmt: skip
    bus.publish(ConnectionStateChanged(ConnectionState.OFFLINE))
    bus.publish(ConnectionStateChanged(ConnectionState.SERVING))
    promtool_check(render_metrics(sample_snapshot(42), metrics))
    promtool_check(render_metrics(replace(sample_snapshot(42), gpus=(), earnings=None)))


async def test_the_server_answers_scrapes_on_loopback() -> None:
    scrapes = 0

    async def source() -> StatusSnapshot:
        nonlocal scrapes
        scrapes += 1
        return sample_snapshot(42)

    bus = EventBus()
    metrics = AgentMetrics()
    metrics.attach(bus)
    server = MetricsServer(source, port=0, metrics=metrics)
    await server.start()
    try:
        assert server.port != 0
        assert server.url == f"http://127.0.0.1:{server.port}/metrics"
        bus.publish(TaskFinished("t", True, gpu_seconds=2.0))
        async with aiohttp.ClientSession() as session, session.get(server.url) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == CONTENT_TYPE
            body = await response.text()
    finally:
        await server.stop()
    assert scrapes == 1
    assert value(body, "orban_tasks_completed_total") == 5  # from the snapshot
    assert value(body, "orban_gpu_seconds_total", gpu="none") == 2.0  # from the bus


async def test_the_collector_keeps_the_agents_registry_until_it_closes() -> None:
    async def no_ledger(page_size: int) -> Any:
        raise RuntimeError("closed")

    bus = EventBus()
    docker = RunnerAvailability("orban/runner:0.1.0", None, False, None)
    runtime: Any = SimpleNamespace(
        parts=SimpleNamespace(
            bus=bus, runner_support=SimpleNamespace(latest=docker), config=AgentConfig(),
            ledger=SimpleNamespace(get_data=no_ledger), history=SimpleNamespace(latest=tuple),
            identity=SimpleNamespace(agent_id="agent-1"),
        ),
        service=SimpleNamespace(
            state=ConnectionState.SERVING, state_detail=None, pause_reasons=frozenset(),
            runner=SimpleNamespace(active={}),
        ),
    )  # fmt: skip
    collector = StatusCollector(runtime, started_at=1.0)
    metrics = collector.prometheus_metrics()
    assert collector.prometheus_metrics() is metrics
    bus.publish(ConnectionStateChanged(ConnectionState.OFFLINE))
    bus.publish(ConnectionStateChanged(ConnectionState.SERVING))
    text = render_metrics(await collector.snapshot(), metrics)
    assert value(text, "orban_reconnects_total") == 1  # it was serving when asked
    info = {"version": __version__, "runner": "docker",
            "runner_detail": "orban/runner:0.1.0", "frameworks": "orban-demo,pytorch"}  # fmt: skip
    assert value(text, "orban_agent_info", **info) == 1
    collector.close()
    assert not any(bus._handlers.values())

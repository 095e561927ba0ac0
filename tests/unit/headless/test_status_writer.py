"""The status file writer: snapshots of a runtime on a timer and after events.

The runtime is a plain object with the attributes the collector reads; its parts are real: an
event bus, an SQLite ledger, the GPU history with a simulated GPU's snapshots, settings and a key.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from orban_desktop.agent.policy import PauseReason
from orban_desktop.agent.telemetry import GpuHistory
from orban_desktop.config import AgentConfig
from orban_desktop.earnings import AsyncEarningsLedger
from orban_desktop.events import (
    ConnectionState,
    ConnectionStateChanged,
    EventBus,
    TaskFinished,
    TaskProgressed,
)
from orban_desktop.gpu.simulated import SimulatedGPU
from orban_desktop.headless.status_file import read_status
from orban_desktop.headless.status_writer import StatusCollector, StatusFileWriter
from orban_desktop.network.auth import Authenticator
from tests.fixtures import DATA

UPSTREAM_EARNINGS = DATA / "upstream-data/linux-home/.local/share/orban-agent/earnings.json"


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Any]:
    ledger = await AsyncEarningsLedger.open(tmp_path / "earnings.sqlite3")
    await ledger.import_seed_json(UPSTREAM_EARNINGS)
    history = GpuHistory()
    history.add([SimulatedGPU(0).status()])
    parts = SimpleNamespace(
        runner_support=SimpleNamespace(latest=None),
        bus=EventBus(),
        ledger=ledger,
        history=history,
        config=AgentConfig(),
        identity=Authenticator.generate("agent-test-rig"),
    )
    service = SimpleNamespace(
        state=ConnectionState.SERVING,
        state_detail=None,
        pause_reasons=frozenset({PauseReason.TOO_HOT, PauseReason.USER}),
        runner=SimpleNamespace(
            active={"task-9": SimpleNamespace(stage="running", progress=0.25, gpu_index=0)}
        ),
    )
    yield SimpleNamespace(parts=parts, service=service)
    await ledger.close()


async def test_a_snapshot_describes_the_runtime(runtime: Any) -> None:
    collector = StatusCollector(runtime, started_at=1.0, metrics_url="http://127.0.0.1:1/metrics")
    runtime.parts.bus.publish(TaskFinished("a", succeeded=True))
    runtime.parts.bus.publish(TaskFinished("b", succeeded=False, error_code="TIMEOUT"))
    snapshot = await collector.snapshot()
    assert snapshot.pid == os.getpid()
    assert (snapshot.state, snapshot.pause_reasons) == ("serving", ("too_hot", "user"))
    assert snapshot.agent_id == "agent-test-rig"
    assert snapshot.platform_url == "ws://127.0.0.1:8740"
    assert [(g.index, g.simulated) for g in snapshot.gpus] == [(0, True)]
    assert snapshot.gpus[0].memory_total_bytes is not None
    assert [(t.task_id, t.progress, t.gpu_index) for t in snapshot.tasks] == [("task-9", 0.25, 0)]
    assert (snapshot.tasks_completed, snapshot.tasks_failed) == (1, 1)
    assert snapshot.earnings is not None
    assert (snapshot.earnings.pending, snapshot.earnings.total) == ("0.103688", "1.585")
    collector.close()
    runtime.parts.bus.publish(TaskFinished("c", succeeded=True))
    assert collector.tasks_completed == 1


async def test_the_last_earnings_stay_when_the_ledger_closes(runtime: Any) -> None:
    collector = StatusCollector(runtime, started_at=1.0)
    first = await collector.snapshot()
    await runtime.parts.ledger.close()
    assert (await collector.snapshot()).earnings == first.earnings


async def test_the_writer_rewrites_the_file_soon_after_a_state_change(
    runtime: Any, tmp_path: Path
) -> None:
    path = tmp_path / "status.json"
    writer = StatusFileWriter(
        StatusCollector(runtime, started_at=1.0), path, interval_s=3600, settle_s=0
    )
    task = asyncio.create_task(writer.run())
    try:
        async with asyncio.timeout(60):  # a guard against hanging, not a speed check
            while (snapshot := read_status(path)) is None:
                await asyncio.sleep(0.01)
            assert snapshot.state == "serving"
            runtime.service.state = ConnectionState.OFFLINE
            runtime.parts.bus.publish(ConnectionStateChanged(ConnectionState.OFFLINE, "retrying"))
            while (snapshot := read_status(path)) is not None and snapshot.state != "offline":
                await asyncio.sleep(0.01)
        assert snapshot is not None and snapshot.state == "offline"  # long before the hour
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert not runtime.parts.bus._handlers[ConnectionStateChanged]  # unsubscribed on the way out


async def test_progress_within_a_stage_waits_for_the_regular_write(
    runtime: Any, tmp_path: Path
) -> None:
    """A new stage rewrites the file soon; another percent of the same stage does not."""
    writer = StatusFileWriter(StatusCollector(runtime, started_at=1.0), tmp_path / "status.json")
    bus = runtime.parts.bus
    woken = []
    for event in (
        TaskProgressed("a", "downloading", 0.1),
        TaskProgressed("a", "downloading", 0.5),
        TaskProgressed("a", "running", 0.6),
        TaskProgressed("a", "running", 0.9),
        TaskFinished("a", succeeded=True),
        TaskProgressed("a", "running", 0.1),  # the same id again: a new task
    ):
        writer._wake.clear()
        bus.publish(event)
        woken.append(writer._wake.is_set())
    assert woken == [True, False, True, False, True, True]

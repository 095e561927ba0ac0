"""Real work end to end: our agent (simulated GPU, so the CPU, through the runner environment)
and the local platform sending real all-MiniLM-L6-v2 jobs, each checked and paid for its
measured compute time; the same after the platform restarts mid-job, paid once."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from orban_desktop.events import RealWorkChecked, TaskProgressed
from orban_platform.server import LocalPlatform
from tests.integration.compute.runner_fixtures import runner_python  # noqa: F401
from tests.integration.e2e.harness import platform_settings, running_agent, wait_for

pytestmark = pytest.mark.slow
REAL = ("text-embedding",)
#: The runner keeps both cores busy: a heartbeat period that tolerates it.
SLOW_HEARTBEAT = {"heartbeat_interval_s": 5.0}


def hub_tasks(root: Path) -> list[dict[str, str]]:
    """The platform's embedding tasks, read from its database (after it stopped)."""
    with sqlite3.connect(root / "platform" / "platform.sqlite3") as db:
        rows = db.execute("SELECT task_id FROM tasks WHERE workload = 'text-embedding'")
        return [{"task_id": str(row[0])} for row in rows]


def verified(platform: LocalPlatform) -> int:
    workloads = platform.status()["workloads"]
    return int(workloads.get("text-embedding", {}).get("verified", 0))


async def test_real_embedding_tasks_are_verified_and_paid(
    tmp_path: Path,
    runner_python: str,  # noqa: F811
) -> None:
    async with LocalPlatform(
        platform_settings(tmp_path, workloads=REAL, queue_target=1, **SLOW_HEARTBEAT)
    ) as hub:
        async with running_agent(tmp_path, hub.ws_url, runner_python=runner_python) as agent:
            await wait_for(lambda: verified(hub) >= 2, 240, "two verified embedding tasks")
            ledger = agent.runtime.parts.ledger
            await wait_for(lambda: len(hub.core.earnings.table.summary()) > 0, 30, "earnings")
            for _ in range(100):
                data = await ledger.get_data(page_size=10)
                if any(e.task_id.startswith("task-") and e.amount.micros for e in data.history):
                    break
                await asyncio.sleep(0.1)
        status = hub.status()
    stats = status["workloads"]["text-embedding"]
    assert stats["rejected"] == 0 and stats["rows_per_s"] > 0
    checks = [e for e in agent.events if isinstance(e, RealWorkChecked)]
    assert checks and checks[0].where == "environment" and checks[0].on_gpu is False
    running = [e for e in agent.events if isinstance(e, TaskProgressed) and e.rows_per_s]
    assert running and all(e.on_cpu for e in running)  # said plainly: this ran on the CPU
    assert running[0].work is not None and "all-MiniLM-L6-v2" in running[0].work
    embedding_tasks = {t["task_id"] for t in hub_tasks(tmp_path)}
    record = next(e for e in data.history if e.task_id in embedding_tasks)
    rate, hours = record.rate_per_hour.decimal, Decimal(str(record.gpu_hours))
    assert rate == Decimal("0.125")  # 1.25 $/h for 24 GB, × 0.1: the work ran on the CPU
    assert 0 < hours * 3600 < 120  # seconds of real compute, no 60 s minimum
    assert record.bonus_multiplier == pytest.approx(1.05)
    assert abs(rate * hours * Decimal("1.05") - record.amount.decimal) < Decimal("0.000002")


async def test_a_result_delivered_after_a_platform_restart_is_paid_once(
    tmp_path: Path,
    runner_python: str,  # noqa: F811
) -> None:
    settings = platform_settings(
        tmp_path, workloads=REAL, queue_target=1, ws_port=0, **SLOW_HEARTBEAT
    )
    first = LocalPlatform(settings)
    await first.start()
    async with running_agent(tmp_path, first.ws_url, runner_python=runner_python) as agent:
        await wait_for(lambda: bool(agent.runtime.service.runner.active), 60, "a running task")
        port, http_port = first.ws_port, first.http_port
        await first.stop()  # the platform goes away while the runner computes
        second = LocalPlatform(
            platform_settings(
                tmp_path,
                workloads=REAL,
                queue_target=0,
                ws_port=port,
                http_port=http_port,
                **SLOW_HEARTBEAT,
            )
        )
        await second.start()
        try:
            await wait_for(lambda: verified(second) >= 1, 90, "the result verified after restart")
            await wait_for(lambda: len(second.core.earnings.table.summary()) > 0, 30, "earning")
        finally:
            await agent.stop()
            earned = second.core.earnings.table.summary()
            await second.stop()
    (entry,) = earned.values()
    assert entry["tasks"] == 1  # paid once
    assert json.dumps(entry)  # plain data

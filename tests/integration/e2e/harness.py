"""Run our real agent (AgentRuntime on simulated GPUs, process sandbox) against a LocalPlatform."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from orban_desktop.agent.components import build_components
from orban_desktop.agent.runtime import AgentRuntime
from orban_desktop.config import AgentConfig
from orban_desktop.config.paths import AppPaths
from orban_desktop.events import Event
from orban_desktop.network.auth import Authenticator
from orban_desktop.network.handshake import ALL_EXTENSIONS
from orban_desktop.protocol.enums import Extension
from orban_platform.server import LocalPlatform
from orban_platform.settings import PlatformSettings


def platform_settings(root: Path, **overrides: Any) -> PlatformSettings:
    base = PlatformSettings(
        workloads=("checksum",),  # canaries: fast; real work has its own tests
        data_dir=root / "platform",
        ws_port=0,
        http_port=0,
        heartbeat_interval_s=0.5,
        tick_interval_s=0.05,
        queue_target=2,
        job_rate_per_s=50.0,
        job_seed=7,
        checksum_max_bytes=4096,
        confirm_delay_s=0.3,
        payout_interval_s=0,
        pow_difficulty=8,
        pow_mean_interval_s=0,
        assign_timeout_s=10.0,
    )
    return replace(base, **overrides)


def agent_config(
    platform_url: str, *, gpus: int = 1, concurrent: int = 1, runner_python: str | None = None
) -> AgentConfig:
    sandbox: dict[str, Any] = {"preference": "process"}
    if runner_python is not None:
        sandbox["runner_python"] = runner_python
    return AgentConfig.from_toml_data(
        {
            "agent": {"platform_url": platform_url},
            "gpu": {"simulate_gpus": gpus, "max_concurrent_tasks": concurrent},
            "network": {"heartbeat_interval_secs": 5, "metrics_batch_interval_secs": 60},
            "sandbox": sandbox,
        }
    )


@dataclass
class RunningAgent:
    runtime: AgentRuntime
    task: asyncio.Task[None]
    events: list[Event]

    async def stop(self) -> None:
        await self.runtime.stop()
        await asyncio.wait_for(self.task, 30)


@asynccontextmanager
async def running_agent(
    root: Path,
    platform_url: str,
    *,
    identity: Authenticator | None = None,
    extensions: frozenset[Extension] = ALL_EXTENSIONS,
    gpus: int = 1,
    concurrent: int = 1,
    runner_python: str | None = None,
) -> AsyncIterator[RunningAgent]:
    paths = AppPaths.under(root / "agent")
    config = agent_config(
        platform_url, gpus=gpus, concurrent=concurrent, runner_python=runner_python
    )
    files = config.resolved(paths)
    identity = identity or Authenticator.generate()
    parts = await build_components(config, files, identity=identity, extensions=extensions)
    parts.progress_interval_s = 0.2
    parts.reconnect_base_delay_s = 0.05
    parts.reconnect_max_delay_s = 0.2
    parts.reconnect_min_stable_s = 0.5
    events: list[Event] = []
    parts.bus.subscribe(Event, events.append)
    runtime = AgentRuntime(parts, sample_interval_s=0.2)
    task = asyncio.create_task(runtime.run())
    agent = RunningAgent(runtime, task, events)
    try:
        yield agent
    finally:
        if not task.done():
            await agent.stop()


async def wait_for(condition: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def platform(root: Path, **overrides: Any) -> AsyncIterator[LocalPlatform]:
    async with LocalPlatform(platform_settings(root, **overrides)) as server:
        yield server

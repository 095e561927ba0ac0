"""Settings applied live: a task running on one GPU finishes while the owner changes settings.

A real :class:`AgentHost` (two simulated GPUs, the process sandbox) serves a real local
platform. The executor is held inside its first task, so the test knows a task runs on one GPU
while it changes the schedule, switches the other GPU off, or changes the sandbox; then it lets
the task go on and checks that the platform recorded its result (the task was not handed back)
and that the agent was never rebuilt.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from orban_desktop.agent.components import AgentComponents
from orban_desktop.agent.host import AgentHost
from orban_desktop.compute.executor import TaskExecutor
from orban_desktop.config import AgentConfig
from orban_desktop.config.paths import AppPaths
from orban_desktop.events import ConnectionState, Event, EventBus, SettingsApplied, TaskFinished
from orban_desktop.network.auth import Authenticator
from orban_platform.server import LocalPlatform
from tests.integration.e2e.harness import agent_config, platform, wait_for


class HeldExecutor:
    """Holds every task at the start of its run until :meth:`release` (a patch of execute)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.released = asyncio.Event()
        self.entered = 0
        original = TaskExecutor.execute

        async def held(executor: TaskExecutor, *args: Any, **kwargs: Any) -> Any:
            self.entered += 1
            await self.released.wait()
            return await original(executor, *args, **kwargs)

        monkeypatch.setattr(TaskExecutor, "execute", held)

    def release(self) -> None:
        self.released.set()


def quick(parts: AgentComponents) -> None:
    parts.progress_interval_s = 0.2
    parts.reconnect_base_delay_s = 0.05
    parts.reconnect_max_delay_s = 0.2


@asynccontextmanager
async def hosted_agent(root: Path, server: LocalPlatform) -> AsyncIterator[AgentHost]:
    paths = AppPaths.under(root / "agent")
    config = agent_config(server.ws_url, gpus=2, concurrent=1)
    identity = Authenticator.generate()
    bus = EventBus()
    host = AgentHost(
        paths=paths, config=config, bus=bus, identity=identity, tune_parts=quick,
        sample_interval_s=0.2,
    )  # fmt: skip
    await host.start()
    try:
        yield host
    finally:
        await host.stop()


async def one_task_running(host: AgentHost, held: HeldExecutor) -> tuple[str, int]:
    """Wait for the first task to be held in the executor; its id and its GPU."""
    runtime = host.runtime
    await wait_for(lambda: runtime.service.state is ConnectionState.SERVING, what="serving")
    await wait_for(lambda: held.entered >= 1, timeout=60, what="a task in the executor")
    [(task_id, active)] = runtime.service.runner.active.items()
    [gpu_index] = runtime.parts.detector.busy_indices()
    assert active.assign.task_id == task_id
    return task_id, gpu_index


def recorded_state(server: LocalPlatform, task_id: str) -> str | None:
    record = server.core.store.task(task_id)
    return None if record is None else record.state.value


def with_gpu(config: AgentConfig, **changes: Any) -> AgentConfig:
    return config.model_copy(update={"gpu": config.gpu.model_copy(update=changes)})


def with_hours(config: AgentConfig, hours: list[str]) -> AgentConfig:
    schedule = config.schedule.model_copy(update={"allowed_hours": hours})
    return config.model_copy(update={"schedule": schedule})


def with_sandbox(config: AgentConfig, **changes: Any) -> AgentConfig:
    return config.model_copy(update={"sandbox": config.sandbox.model_copy(update=changes)})


CHANGES: dict[str, Callable[[AgentConfig, int], AgentConfig]] = {
    "untick-the-other-gpu": lambda c, busy: with_gpu(c, disabled_gpu_indices=[1 - busy]),
    "untick-the-busy-gpu": lambda c, busy: with_gpu(c, disabled_gpu_indices=[busy]),
    "allowed-hours": lambda c, _busy: with_hours(c, ["00:00-00:01"]),
    "temperature-limit": lambda c, _busy: with_gpu(c, temperature_limit_c=60),
    "sandbox": lambda c, _busy: with_sandbox(c, task_timeout_secs=600),
}


@pytest.mark.parametrize("change", list(CHANGES))
async def test_a_running_task_finishes_and_is_paid_while_settings_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    held = HeldExecutor(monkeypatch)
    events: list[Event] = []
    async with platform(tmp_path) as server, hosted_agent(tmp_path, server) as host:
        host.bus.subscribe(Event, events.append)
        task_id, busy = await one_task_running(host, held)
        runtime = host.runtime
        applied = await host.apply(CHANGES[change](host.config, busy))
        assert isinstance(applied, SettingsApplied) and not applied.restarted
        assert applied in events  # published on the bus for the window
        assert host.runtime is runtime  # applied live: the agent was not rebuilt
        assert task_id in runtime.service.runner.active  # not handed back
        held.release()
        await wait_for(
            lambda: recorded_state(server, task_id) == "completed",
            timeout=60,
            what="the platform to record the task's result",
        )
        finished = [e for e in events if isinstance(e, TaskFinished) and e.task_id == task_id]
        assert [e.succeeded for e in finished] == [True]
        if change.startswith("untick"):
            disabled = host.config.gpu.disabled_gpu_indices[0]
            assert not host.gpu_enabled(disabled) and host.gpu_enabled(1 - disabled)
        if change == "sandbox":
            await wait_for(lambda: not runtime.executor_swap_pending, what="the executor swap")
            assert runtime.parts.executor is not None


async def test_a_new_platform_address_reconnects_without_a_rebuild(tmp_path: Path) -> None:
    async with (
        platform(tmp_path / "one") as first,
        platform(tmp_path / "two") as second,
        hosted_agent(tmp_path, first) as host,
    ):
        runtime = host.runtime
        await wait_for(lambda: runtime.service.state is ConnectionState.SERVING, what="serving")
        agent = host.config.agent.model_copy(update={"platform_url": second.ws_url})
        await host.apply(host.config.model_copy(update={"agent": agent}))
        assert host.runtime is runtime
        await wait_for(
            lambda: any(a["online"] for a in second.status()["agents"]),
            timeout=30,
            what="the agent to register with the new platform",
        )

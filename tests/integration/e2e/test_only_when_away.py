"""'Only when I'm away' end to end: a real agent on a real local platform pauses while the owner
is at the computer and works once they are away.

The first test reads real idle time from an Xvfb server and moves its mouse with xdotool (CI
installs both with ``.ci/ui-deps.sh``; elsewhere it is skipped without them). The others script
the idle clock, to check both choices for a returning owner: the running task handed back at
once, or left to finish.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from orban_desktop.agent.components import AgentComponents
from orban_desktop.agent.host import AgentHost
from orban_desktop.agent.policy import PauseReason
from orban_desktop.config import AgentConfig
from orban_desktop.config.paths import AppPaths
from orban_desktop.events import ConnectionState, EventBus, TaskFinished
from orban_desktop.network.auth import Authenticator
from orban_desktop.presence.idle import IdleClock
from orban_platform.server import LocalPlatform
from tests.integration.e2e.harness import agent_config, platform, wait_for
from tests.xserver import need_tools, xvfb

AWAY_AFTER_S = 1.5


def away_config(url: str, on_return: str = "hand_back") -> AgentConfig:
    data = agent_config(url, gpus=1).to_toml_data()
    data["schedule"] = {"only_when_away": True, "on_return": on_return}
    return AgentConfig.from_toml_data(data)


@asynccontextmanager
async def away_agent(
    root: Path, server: LocalPlatform, clock: IdleClock, on_return: str = "hand_back"
) -> AsyncIterator[tuple[AgentHost, list[TaskFinished]]]:
    def tune(parts: AgentComponents) -> None:
        parts.progress_interval_s = 0.2
        parts.reconnect_base_delay_s = 0.05
        parts.idle_clock_factory = lambda: clock
        parts.presence_poll_s = 0.1
        parts.away_after_s = AWAY_AFTER_S

    bus = EventBus()
    finished: list[TaskFinished] = []
    bus.subscribe(TaskFinished, finished.append)
    host = AgentHost(
        paths=AppPaths.under(root / "agent"), config=away_config(server.ws_url, on_return),
        bus=bus, identity=Authenticator.generate(), tune_parts=tune, sample_interval_s=0.2,
    )  # fmt: skip
    await host.start()
    try:
        yield host, finished
    finally:
        await host.stop()


def reasons(host: AgentHost) -> frozenset[PauseReason]:
    return frozenset(host.runtime.service.pause_reasons)


# ---------------------------------------------------------------- on a real X server
@pytest.fixture
def display() -> Iterator[str]:
    need_tools("Xvfb", "xdotool")
    with xvfb() as name:
        yield name


async def move_mouse(display: str, x: int) -> None:
    process = await asyncio.create_subprocess_exec(
        "xdotool", "mousemove", str(x), "100", env={**os.environ, "DISPLAY": display}
    )
    assert await process.wait() == 0


async def test_work_pauses_when_the_mouse_moves_and_resumes_after_the_idle_time(
    tmp_path: Path, display: str
) -> None:
    from orban_desktop.presence.x11 import X11IdleClock

    clock = X11IdleClock(display)
    async with platform(tmp_path) as server, away_agent(tmp_path, server, clock) as (host, done):
        jiggling = True

        async def owner_at_the_computer() -> None:
            x = 10
            while jiggling:
                x = 10 if x > 300 else x + 17
                await move_mouse(display, x)
                await asyncio.sleep(0.3)

        jiggle = asyncio.create_task(owner_at_the_computer())
        await wait_for(
            lambda: (
                host.state is ConnectionState.PAUSED and PauseReason.OWNER_PRESENT in reasons(host)
            ),
            what="paused while the owner is at the computer",
        )
        await asyncio.sleep(AWAY_AFTER_S + 0.5)  # still moving: still paused, nothing taken
        assert host.state is ConnectionState.PAUSED and not done
        jiggling = False
        await jiggle
        await wait_for(lambda: host.state is ConnectionState.SERVING, what="away: serving")
        await wait_for(lambda: any(f.succeeded for f in done), timeout=60, what="a task done")
        await move_mouse(display, 5)  # the owner is back
        await wait_for(
            lambda: PauseReason.OWNER_PRESENT in reasons(host), timeout=2, what="back: paused"
        )


# ---------------------------------------------------------------- with a scripted clock
@dataclass
class ScriptedClock:
    idle_s: float = 0.0
    name: str = "scripted clock"

    def idle_seconds(self) -> float | None:
        return self.idle_s

    def close(self) -> None:
        pass


@pytest.mark.parametrize("on_return", ["hand_back", "finish"])
async def test_a_returning_owner_gets_the_gpu_back_as_chosen(
    tmp_path: Path, on_return: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.integration.e2e.test_live_settings import HeldExecutor

    held = HeldExecutor(monkeypatch)
    clock = ScriptedClock(idle_s=3600.0)  # away from the start
    async with (
        platform(tmp_path) as server,
        away_agent(tmp_path, server, clock, on_return) as (host, done),
    ):
        await wait_for(lambda: held.entered >= 1, timeout=60, what="a task running")
        clock.idle_s = 0.0  # the owner is back
        await wait_for(lambda: PauseReason.OWNER_PRESENT in reasons(host), what="paused")
        if on_return == "hand_back":
            await wait_for(lambda: bool(done), what="the task handed back")
            assert done[0].succeeded is False and done[0].error_code == "TASK_CANCELLED"
            held.release()
        else:
            await asyncio.sleep(0.5)
            assert not done  # still running
            held.release()
            await wait_for(lambda: bool(done), timeout=60, what="the task finished")
            assert done[0].succeeded
        assert host.state is ConnectionState.PAUSED  # and nothing new is taken


async def test_no_idle_clock_keeps_work_paused_and_says_why(tmp_path: Path) -> None:
    from orban_desktop.presence.idle import NoIdleClock

    clock = NoIdleClock("Idle time is not available here: no display.")
    async with platform(tmp_path) as server, away_agent(tmp_path, server, clock) as (host, done):
        await wait_for(lambda: PauseReason.PRESENCE_UNKNOWN in reasons(host), what="unknown")
        await wait_for(lambda: host.state is ConnectionState.PAUSED, what="paused")
        reading = host.runtime.away.reading
        assert reading is not None and reading.reason == clock.reason
        assert not done

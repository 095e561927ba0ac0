"""The agent the window shows: an optional embedded local platform, the agent's parts, the runtime.

:class:`AgentSession` is the GUI's composition of the core (``app.py`` builds one; the screenshot
tool, the bench and the UI tests build the same one): it starts the local reference platform
in-process when the settings name it (``LOCAL_PLATFORM_URL``; on ephemeral ports, its data under
``<data_dir>/local-platform``), builds the agent's parts on a shared :class:`EventBus` and runs
:class:`AgentRuntime` as a task on the running loop (qasync's, in the app). :meth:`apply`
restarts the agent with new settings; the bus, and so every view, stays. It imports no Qt.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from orban_desktop.agent.components import AgentComponents, build_components
from orban_desktop.agent.runtime import AgentRuntime
from orban_desktop.config import LOCAL_PLATFORM_URL, AgentConfig, normalize_platform_url
from orban_desktop.config.paths import AppPaths
from orban_desktop.errors import OrbanError
from orban_desktop.events import ConnectionState, EventBus, Notice
from orban_desktop.gpu.device import GPUFacts
from orban_desktop.network.auth import Authenticator

if TYPE_CHECKING:
    from orban_desktop.local_platform.server import LocalPlatform
    from orban_desktop.local_platform.settings import PlatformSettings

logger = logging.getLogger(__name__)
#: Seconds the agent gets to hand its tasks back when it stops.
STOP_TIMEOUT_S = 15.0


def uses_local_platform(config: AgentConfig) -> bool:
    """Whether the settings name the local reference platform (then the app embeds it)."""
    return normalize_platform_url(config.agent.platform_url) == LOCAL_PLATFORM_URL


def demo_platform_settings(data_dir: Path) -> PlatformSettings:
    """The embedded platform of a try-out: ephemeral ports, quick confirmations and payouts."""
    from orban_desktop.local_platform.settings import PlatformSettings

    return PlatformSettings(
        data_dir=data_dir / "local-platform",
        ws_port=0,
        http_port=0,
        confirm_delay_s=20.0,
        payout_interval_s=300.0,
    )


class AgentSession:
    """Starts, restarts and stops the agent (and the embedded platform) on the running loop.

    Args:
        paths: Where the agent's files live.
        config: The settings as saved.
        identity: The agent's key (made by the first run or loaded by the app).
        bus: The bus every part publishes on (the window's bridge listens to it).
        simulate_gpus: Use this many simulated GPUs instead of the settings' choice.
        platform_settings: Embed a local platform with these settings, whatever the URL says
            (tests and demos); ``None``: embed :func:`demo_platform_settings` only when the
            settings name ``LOCAL_PLATFORM_URL``.
        sample_interval_s: GPU sampling period while no chart is shown (1 s while one is).
    """

    def __init__(
        self,
        *,
        paths: AppPaths,
        config: AgentConfig,
        identity: Authenticator,
        bus: EventBus,
        simulate_gpus: int | None = None,
        platform_settings: PlatformSettings | None = None,
        sample_interval_s: float = 10.0,
    ) -> None:
        self.paths = paths
        self.config = config
        self.identity = identity
        self.bus = bus
        self.simulate_gpus = simulate_gpus
        self._platform_settings = platform_settings
        self._sample_interval_s = sample_interval_s
        self.platform: LocalPlatform | None = None
        self._runtime: AgentRuntime | None = None
        self._run_task: asyncio.Task[None] | None = None
        self._fast = False

    # ------------------------------------------------------------ what the views read
    @property
    def runtime(self) -> AgentRuntime:
        if self._runtime is None:
            raise RuntimeError("the agent session is not started")
        return self._runtime

    @property
    def parts(self) -> AgentComponents:
        return self.runtime.parts

    @property
    def running(self) -> bool:
        return self._run_task is not None and not self._run_task.done()

    @property
    def state(self) -> ConnectionState:
        return self.runtime.service.state

    @property
    def pause_reasons(self) -> frozenset[str]:
        return frozenset(reason.value for reason in self.runtime.service.pause_reasons)

    def gpu_facts(self) -> list[GPUFacts]:
        return self.parts.detector.facts()

    # ------------------------------------------------------------ control
    def pause(self) -> None:
        self.runtime.service.pause()

    def resume(self) -> None:
        self.runtime.service.resume()

    def retry_now(self) -> None:
        self.runtime.service.retry_now()

    def set_fast_sampling(self, fast: bool) -> None:
        """Sample every second while a chart is on screen, every ``sample_interval_s`` otherwise."""
        self._fast = fast
        if self._runtime is not None:
            self._runtime.sampler.set_fast(fast)

    # ------------------------------------------------------------ life cycle
    async def start(self) -> None:
        """Start the embedded platform (if any) and the agent.

        Raises:
            OrbanError: The ledger, key or GPU layer cannot be opened.
            OSError: The embedded platform cannot listen.
        """
        embed = self._platform_settings is not None or uses_local_platform(self.config)
        if embed and self.platform is None:
            await self._start_platform()
        await self._start_agent()

    async def _start_platform(self) -> None:
        from orban_desktop.local_platform.server import LocalPlatform

        settings = self._platform_settings or demo_platform_settings(self.paths.data_dir)
        platform = LocalPlatform(settings)
        await platform.start()
        self.platform = platform
        logger.info("embedded local platform started", extra={"ws_url": platform.ws_url})

    def effective_config(self) -> AgentConfig:
        """The settings the agent runs with: the embedded platform's real address filled in."""
        if self.platform is None:
            return self.config
        agent = self.config.agent.model_copy(update={"platform_url": self.platform.ws_url})
        return self.config.model_copy(update={"agent": agent})

    async def _start_agent(self) -> None:
        config = self.effective_config()
        files = config.resolved(self.paths)
        parts = await build_components(
            config, files, identity=self.identity, simulate_gpus=self.simulate_gpus
        )
        parts = replace(parts, bus=self.bus)
        runtime = AgentRuntime(parts, sample_interval_s=self._sample_interval_s)
        runtime.sampler.set_fast(self._fast)
        self._runtime = runtime
        self._run_task = asyncio.create_task(runtime.run(), name="agent-runtime")
        self._run_task.add_done_callback(self._on_run_done)

    def _on_run_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        logger.error("the agent stopped unexpectedly", exc_info=error)
        message = error.message if isinstance(error, OrbanError) else str(error)
        self.bus.publish(Notice("agent_stopped", {"message": message}))

    async def _stop_agent(self) -> None:
        runtime, task = self._runtime, self._run_task
        if runtime is None or task is None:
            return
        await runtime.stop()  # also ends a connect still in progress
        await asyncio.wait({task}, timeout=STOP_TIMEOUT_S)
        if not task.done():
            logger.warning("the agent did not stop in %.0f s; cancelling it", STOP_TIMEOUT_S)
            task.cancel()
        await asyncio.gather(task, return_exceptions=True)  # a failure was logged already
        self._run_task = None

    async def apply(self, config: AgentConfig) -> None:
        """Restart the agent with ``config`` (running tasks are handed back to the platform)."""
        embed_before = self.platform is not None
        await self._stop_agent()
        self.config = config
        embed_now = self._platform_settings is not None or uses_local_platform(config)
        if embed_before and not embed_now:
            await self._stop_platform()
        elif embed_now and not embed_before:
            await self._start_platform()
        await self._start_agent()

    async def _stop_platform(self) -> None:
        if self.platform is not None:
            platform, self.platform = self.platform, None
            await platform.stop()

    async def stop(self) -> None:
        """Hand running tasks back, close the agent's parts, stop the embedded platform."""
        await self._stop_agent()
        await self._stop_platform()

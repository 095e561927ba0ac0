"""AgentHost: the one composition of the running agent that both faces (window, headless) use.

It loads the identity once (never creating one, see ``host_rules.load_identity``), runs the
local reference platform in-process when the settings name it (or when told to), fills the
embedded platform's real address into the settings the agent runs with, builds the agent's
parts on the caller's :class:`EventBus` and runs :class:`AgentRuntime` as a task on the running
loop. :meth:`apply` takes new settings section by section (``host_rules.plan_apply``) and
publishes ``SettingsApplied``; only an identity or data-folder change rebuilds the agent. The
views read the agent through the narrow API below (state, GPU facts and switches, the ledger's
queries) and never through the parts. Imports nothing from Qt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from orban_desktop.agent.components import AgentComponents, build_components
from orban_desktop.agent.host_rules import load_identity, plan_apply, uses_local_platform
from orban_desktop.agent.runtime import AgentRuntime
from orban_desktop.config import AgentConfig
from orban_desktop.config.paths import AppPaths
from orban_desktop.earnings import AsyncEarningsLedger
from orban_desktop.earnings.net import PriceCheck, usable_price
from orban_desktop.errors import error_details
from orban_desktop.events import ConnectionState, EventBus, Notice, NoticeCode, SettingsApplied
from orban_desktop.gpu.device import GPUFacts
from orban_desktop.network.auth import Authenticator

if TYPE_CHECKING:
    from orban_platform.server import LocalPlatform
    from orban_platform.settings import PlatformSettings

logger = logging.getLogger(__name__)
#: Seconds the agent gets to hand its tasks back when it stops.
STOP_TIMEOUT_S = 15.0


class AgentHost:
    """Starts, reconfigures and stops the agent (and the embedded platform) on the running loop.

    Args:
        paths: Where the agent's files live.
        config: The settings as saved.
        bus: The bus every part publishes on (the window's bridge, headless logging).
        identity: The key, when the caller has it (the first run just made it); ``None``: read
            from the settings' key file at :meth:`start`.
        simulate_gpus: Use this many simulated GPUs instead of the settings' choice.
        platform_settings: Embed a local platform with these settings, whatever the URL says.
        platform_for: The embedded platform's settings when the URL names the local platform
            (``None``: never embed for the URL; headless connects to it instead).
        sample_interval_s: GPU sampling period while no chart is shown (1 s while one is).
        tune_parts: Called with the new parts before the agent runs (tests shrink timers).
    """

    def __init__(
        self,
        *,
        paths: AppPaths,
        config: AgentConfig,
        bus: EventBus,
        identity: Authenticator | None = None,
        simulate_gpus: int | None = None,
        platform_settings: PlatformSettings | None = None,
        platform_for: Callable[[AppPaths], PlatformSettings] | None = None,
        sample_interval_s: float = 10.0,
        tune_parts: Callable[[AgentComponents], None] | None = None,
    ) -> None:
        self.paths, self.config, self.bus, self.identity = paths, config, bus, identity
        self.simulate_gpus = simulate_gpus
        self._platform_settings, self._platform_for = platform_settings, platform_for
        self._sample_interval_s, self._tune_parts = sample_interval_s, tune_parts
        self.platform: LocalPlatform | None = None
        self._runtime: AgentRuntime | None = None
        self._run_task: asyncio.Task[None] | None = None
        self._fast = False

    # ------------------------------------------------------------ what the views read
    @property
    def runtime(self) -> AgentRuntime:
        """The running agent (the headless status file and tests look inside; views do not)."""
        if self._runtime is None:
            raise RuntimeError("the agent is not started")
        return self._runtime

    @property
    def running(self) -> bool:
        return self._run_task is not None and not self._run_task.done()

    @property
    def agent_id(self) -> str:
        if self.identity is None:
            raise RuntimeError("the agent's identity is not loaded yet")
        return self.identity.agent_id

    @property
    def state(self) -> ConnectionState:
        return self.runtime.service.state

    @property
    def pause_reasons(self) -> frozenset[str]:
        return frozenset(reason.value for reason in self.runtime.service.pause_reasons)

    @property
    def embeds_platform(self) -> bool:
        return self.platform is not None

    def gpu_facts(self) -> list[GPUFacts]:
        """The detected GPUs (empty before the agent started)."""
        return self._runtime.parts.detector.facts() if self._runtime is not None else []

    def gpu_enabled(self, index: int) -> bool:
        """Whether GPU ``index`` is offered for tasks (the settings' switches)."""
        return self.runtime.parts.detector.is_enabled(index)

    def earnings(self) -> AsyncEarningsLedger:
        """The ledger, for its queries and exports (raises ``RuntimeError`` while stopped)."""
        return self.runtime.parts.ledger

    def electricity_price(self, currency: str) -> PriceCheck:
        """The owner's price per kWh usable against ``currency`` earnings, or why there is none."""
        energy = self.config.energy
        return usable_price(energy.electricity_price_per_kwh, energy.currency, currency)

    @property
    def fast_sampling(self) -> bool:
        return self._fast

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
        """Load the identity, start the embedded platform (if any) and the agent.

        Raises:
            KeyFileError: The settings' key file is missing (nothing is created) or unusable.
            OrbanError: The ledger or GPU layer cannot be opened.
            OSError: The embedded platform cannot listen.
        """
        if self.identity is None:
            key_file = self.config.resolved(self.paths).key_file
            agent_id = self.config.agent.agent_id
            self.identity = await asyncio.to_thread(load_identity, key_file, agent_id)
        await self._follow_platform()
        await self._start_agent()

    def _platform_wanted(self) -> PlatformSettings | None:
        if self._platform_settings is not None:
            return self._platform_settings
        if self._platform_for is not None and uses_local_platform(self.config):
            return self._platform_for(self.paths)
        return None

    async def _follow_platform(self) -> None:
        """Start or stop the embedded platform as the settings now say."""
        wanted = self._platform_wanted()
        if wanted is None and self.platform is not None:
            platform, self.platform = self.platform, None
            await platform.stop()
        elif wanted is not None and self.platform is None:
            from orban_platform.server import LocalPlatform

            platform = LocalPlatform(wanted)
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
        parts = await build_components(
            config,
            config.resolved(self.paths),
            identity=self.identity,
            simulate_gpus=self.simulate_gpus,
        )
        parts = replace(parts, bus=self.bus)
        if self._tune_parts is not None:
            self._tune_parts(parts)
        runtime = AgentRuntime(parts, sample_interval_s=self._sample_interval_s)
        runtime.sampler.set_fast(self._fast)
        self._runtime = runtime
        self._run_task = asyncio.create_task(runtime.run(), name="agent-runtime")
        self._run_task.add_done_callback(self._on_run_done)

    def _on_run_done(self, task: asyncio.Task[None]) -> None:
        error = None if task.cancelled() else task.exception()
        if error is None:
            return
        logger.error("the agent stopped unexpectedly", exc_info=error)
        self.bus.publish(Notice(NoticeCode.AGENT_STOPPED, error_details(error)))

    async def wait(self) -> None:
        """Until the agent's run ends (re-raising what ended it); at once when not started."""
        if self._run_task is not None:
            await self._run_task

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

    async def apply(self, config: AgentConfig) -> SettingsApplied:
        """Use ``config`` section by section, publish and return ``SettingsApplied``.

        Raises:
            KeyFileError: A rebuild for a new key file found none (the agent stays stopped).
        """
        plan = plan_apply(self.config, config)
        self.config = config
        waiting = False
        if plan.rebuild or not self.running:
            await self._stop_agent()
            if plan.rebuild:
                self.identity = None
            await self.start()
        else:
            await self._follow_platform()
            runtime, effective = self.runtime, self.effective_config()
            runtime.reconfigure(effective)
            if plan.swap_executor:
                waiting = bool(runtime.service.runner.active)
                files = effective.resolved(self.paths)
                runtime.swap_executor_when_idle(
                    effective, files, then_reconnect=plan.reregister_after_swap
                )
            if plan.reconnect:
                await runtime.reconnect()
        applied = SettingsApplied(
            sections=frozenset(s.value for s in plan.sections),
            restarted=plan.rebuild,
            waiting_for_idle=waiting,
            next_start=frozenset(s.value for s in plan.next_start),
        )
        logger.info("settings applied", extra={"sections": sorted(applied.sections)})
        self.bus.publish(applied)
        return applied

    async def stop(self) -> None:
        """Hand running tasks back, close the agent's parts, stop the embedded platform."""
        await self._stop_agent()
        if self.platform is not None:
            platform, self.platform = self.platform, None
            await platform.stop()

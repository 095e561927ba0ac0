"""AgentRuntime: the service plus the loops around it (GPU sampling, contribution policy).

Both faces run this (through ``agent/host.py``): the GUI on the event loop it shares with Qt,
and ``orban-agent run --headless`` on a plain asyncio loop. It starts the telemetry sampler
(10 s, or 1 s while a window shows charts) and the heap trimmer (:mod:`orban_desktop.heap`),
checks the contribution policy after each sample (a game on the GPU, a GPU past its temperature
limit, outside the allowed hours) and after each change of the owner's presence ("Only when
I'm away", :class:`AwayMode`), and runs :class:`AgentService` until :meth:`stop`. New
settings reach it without a restart: :meth:`reconfigure` (schedule, GPU switches, temperature,
concurrency: at once, and no running task is handed back), :meth:`reconnect` (platform and
network: a new session, tasks go on) and
:meth:`swap_executor_when_idle` (sandbox and cache: once no task runs). Imports nothing from Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from orban_desktop.agent.away_mode import AwayMode
from orban_desktop.agent.components import (
    AgentComponents,
    build_executor,
    build_runner_support,
)
from orban_desktop.agent.energy_recorder import EnergyRecorder
from orban_desktop.agent.policy import ContributionPolicy, PauseReason
from orban_desktop.agent.service import AgentService
from orban_desktop.agent.telemetry import TelemetrySampler
from orban_desktop.config import AgentConfig, ResolvedPaths
from orban_desktop.events import GpuSampled, Notice, NoticeCode
from orban_desktop.heap import HeapTrimmer, glibc, trimmer_of
from orban_desktop.presence.away import Presence, PresenceReading

logger = logging.getLogger(__name__)
#: How often a pending executor swap looks whether the last task has ended.
IDLE_POLL_S = 0.2


class AgentRuntime:
    """Runs an agent made of ``parts`` until stopped."""

    def __init__(self, parts: AgentComponents, *, sample_interval_s: float = 10.0) -> None:
        self.parts = parts
        self.service = AgentService(parts)
        config = parts.config
        self.policy = ContributionPolicy(
            allows_time=config.schedule.allows,
            temperature_limit_c=config.gpu.temperature_limit_c,
            pause_on_foreign_process=config.schedule.pause_when_foreign_process,
        )
        self.sampler = TelemetrySampler(
            parts.detector.get_all_status, parts.bus, parts.history, interval_s=sample_interval_s
        )
        self.heap = HeapTrimmer(trimmer_of(glibc()))  # weeks of running: memory given back
        self._tasks: list[asyncio.Task[None]] = []
        self._swap: asyncio.Task[None] | None = None
        self._hot: frozenset[int] = frozenset()
        parts.bus.subscribe(GpuSampled, self._on_sample)
        self._policy_lock = asyncio.Lock()
        self.away = AwayMode(
            self._on_presence,
            clock_factory=parts.idle_clock_factory,
            poll_s=parts.presence_poll_s,
            away_after_s=parts.away_after_s,
        )

    async def run(self) -> None:
        """Sample, apply the policy and serve until :meth:`stop`; then close every part."""
        self._tasks.append(asyncio.create_task(self.sampler.run(), name="gpu-sampler"))
        self._tasks.append(asyncio.create_task(self.heap.run(), name="heap-trimmer"))
        self._configure_away(self.parts.config)
        energy = EnergyRecorder(self.parts.bus, self.parts.ledger)
        try:
            await self.service.run()
        finally:
            self.parts.bus.unsubscribe(GpuSampled, self._on_sample)
            await self.away.close()
            await energy.close()
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self.parts.close()

    async def stop(self) -> None:
        await self.service.stop()

    # ------------------------------------------------------------ live settings
    def reconfigure(self, config: AgentConfig) -> None:
        """Use ``config``'s schedule and GPU settings now; every running task goes on.

        A GPU switched off takes no new task; a task already running on it finishes. Allowed
        hours and the temperature limit are checked against the latest reading at once.
        """
        self.parts.config = config
        gpu, schedule = config.gpu, config.schedule
        self.policy.reconfigure(
            allows_time=schedule.allows,
            temperature_limit_c=gpu.temperature_limit_c,
            pause_on_foreign_process=schedule.pause_when_foreign_process,
        )
        self.parts.detector.configure(
            reserved_vram_gb=gpu.reserved_vram_gb,
            temperature_limit_c=gpu.temperature_limit_c,
            allowed_indices=gpu.allowed_gpu_indices,
            disabled_indices=gpu.disabled_gpu_indices,
        )
        self.service.handlers.ctx.max_concurrent_tasks = gpu.max_concurrent_tasks
        latest = self.parts.history.latest()
        if latest:
            self._check_policy(GpuSampled(latest))
        self._configure_away(config)

    # ------------------------------------------------------------ only when away
    def _configure_away(self, config: AgentConfig) -> None:
        async def configure() -> None:
            await self.away.configure(config.schedule)
            await self._apply_policy(GpuSampled(self.parts.history.latest()))

        task = asyncio.get_running_loop().create_task(configure(), name="away-configure")
        self._tasks.append(task)
        task.add_done_callback(self._forget)

    async def _on_presence(self, reading: PresenceReading) -> None:
        """A change of the owner's presence: pause or resume, and hand tasks back if chosen."""
        if reading.presence is Presence.UNKNOWN:
            logger.warning("only when away: cannot tell whether the owner is away: %s",
                           reading.reason)  # fmt: skip
            self.parts.bus.publish(Notice(NoticeCode.PRESENCE_UNKNOWN, {"reason": reading.reason}))
        else:
            logger.info("only when away: the owner is %s",
                        "away" if reading.presence is Presence.AWAY else "back")  # fmt: skip
        back = reading.presence is not Presence.AWAY
        if (
            back
            and self.parts.config.schedule.on_return == "hand_back"
            and self.service.runner.active
        ):
            await self.service.runner.cancel_all(
                "The owner is back at the computer; the task is handed back."
            )
        await self._apply_policy(GpuSampled(self.parts.history.latest()))

    async def reconnect(self) -> None:
        """Open a new session with ``parts.config``'s platform and network settings."""
        await self.service.reconnect()

    def swap_executor_when_idle(
        self, config: AgentConfig, files: ResolvedPaths, *, then_reconnect: bool
    ) -> None:
        """Make the executor anew for ``config`` once no task runs (an earlier wait is dropped).

        Args:
            config: The settings to build the executor and the runner check from.
            files: ``config``'s resolved paths (the model cache folder may have moved).
            then_reconnect: Re-register afterwards, so the platform hears whether real tasks
                can run here now.
        """
        if self._swap is not None:
            self._swap.cancel()
        self._swap = asyncio.create_task(
            self._swap_when_idle(config, files, then_reconnect), name="executor-swap"
        )
        self._tasks.append(self._swap)
        self._swap.add_done_callback(self._forget)

    @property
    def executor_swap_pending(self) -> bool:
        return self._swap is not None and not self._swap.done()

    async def _swap_when_idle(
        self, config: AgentConfig, files: ResolvedPaths, then_reconnect: bool
    ) -> None:
        while self.service.runner.active:
            await asyncio.sleep(IDLE_POLL_S)
        parts = self.parts
        old = parts.executor
        parts.files = files
        self.service.use_executor(build_executor(config, files, parts.detector))
        parts.runner_support = build_runner_support(config, files, parts.detector)
        logger.info("sandbox and cache settings applied (no task was running)")
        await old.aclose()
        if then_reconnect:
            await self.reconnect()

    # ------------------------------------------------------------ sampling and policy
    def _on_sample(self, event: GpuSampled) -> None:
        self.parts.metrics.sample(list(event.statuses))
        self._check_policy(event)

    def _check_policy(self, event: GpuSampled) -> None:
        if not self._policy_lock.locked():
            task = asyncio.get_running_loop().create_task(self._apply_policy(event))
            self._tasks.append(task)
            task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        with contextlib.suppress(ValueError):
            self._tasks.remove(task)

    async def _apply_policy(self, event: GpuSampled) -> None:
        async with self._policy_lock:
            foreign = 0
            if self.policy.pause_on_foreign_process:
                try:
                    foreign = len(await asyncio.to_thread(self.parts.detector.foreign_processes))
                except Exception:
                    logger.warning("cannot list GPU processes", exc_info=True)
            reasons = self.policy.evaluate(
                now=datetime.now().time(),
                statuses=list(event.statuses),
                foreign_process_count=foreign,
                user_paused=self.service.user_paused,
                presence=self.away.presence,
            )
            hot = frozenset(self.policy.hot_gpus)
            for index in hot - self._hot:
                self.parts.bus.publish(Notice(NoticeCode.GPU_OVERHEATED, {"gpu_index": index}))
            self._hot = hot
            if PauseReason.USER in self.service.pause_reasons:
                reasons = reasons | {PauseReason.USER}
            self.service.update_pause_reasons(frozenset(reasons))

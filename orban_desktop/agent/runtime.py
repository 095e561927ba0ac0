"""AgentRuntime: the service plus the loops around it (GPU sampling, contribution policy).

Both faces run this: the GUI on the event loop it shares with Qt, and
``orban-agent run --headless`` on a plain asyncio loop. It starts the telemetry sampler (10 s,
or 1 s while a window shows charts), checks the contribution policy after each sample (a game on
the GPU, a GPU past its temperature limit, outside the allowed hours) and runs
:class:`AgentService` until :meth:`stop`. Imports nothing from Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from orban_desktop.agent.components import AgentComponents
from orban_desktop.agent.policy import ContributionPolicy, PauseReason
from orban_desktop.agent.service import AgentService
from orban_desktop.agent.telemetry import TelemetrySampler
from orban_desktop.events import GpuSampled, Notice

logger = logging.getLogger(__name__)


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
        self._tasks: list[asyncio.Task[None]] = []
        self._hot: frozenset[int] = frozenset()
        parts.bus.subscribe(GpuSampled, self._on_sample)
        self._policy_lock = asyncio.Lock()

    async def run(self) -> None:
        """Sample, apply the policy and serve until :meth:`stop`; then close every part."""
        self._tasks = [asyncio.create_task(self.sampler.run(), name="gpu-sampler")]
        try:
            await self.service.run()
        finally:
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self.parts.close()

    async def stop(self) -> None:
        await self.service.stop()

    def _on_sample(self, event: GpuSampled) -> None:
        self.parts.metrics.sample(list(event.statuses))
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
            )
            hot = frozenset(self.policy.hot_gpus)
            for index in hot - self._hot:
                self.parts.bus.publish(Notice("gpu_overheated", {"gpu_index": index}))
            self._hot = hot
            if PauseReason.USER in self.service.pause_reasons:
                reasons = reasons | {PauseReason.USER}
            self.service.update_pause_reasons(frozenset(reasons))

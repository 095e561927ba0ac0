"""The agent's parts, built once from the settings: the composition the GUI and headless share.

:func:`build_components` opens the identity key, the GPU layer, the ledger, the outbox and the
executor (:func:`build_executor` and :func:`build_runner_support` make those two again when the
sandbox, cache or network settings change); :class:`AgentComponents` hands them to
``AgentService`` and closes them at the end.
After a crash, tasks the journal says were running are reported failed (retryable) and their
leftover workspaces removed. Imports nothing from Qt.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from orban_desktop.agent.metrics import MetricsAggregator
from orban_desktop.agent.outbox import OutboxItem
from orban_desktop.agent.outbox_async import AsyncResultOutbox
from orban_desktop.agent.telemetry import GpuHistory
from orban_desktop.compute import (
    GpuSample,
    ModelCache,
    SandboxPolicy,
    TaskExecutor,
    remove_stale_task_folders,
)
from orban_desktop.compute.http import TransferSettings
from orban_desktop.compute.runner_probe import RunnerSupport
from orban_desktop.config import AgentConfig, ResolvedPaths
from orban_desktop.earnings import AsyncEarningsLedger
from orban_desktop.errors import TaskCancelled
from orban_desktop.events import EventBus
from orban_desktop.gpu.detector import GPUDetector
from orban_desktop.gpu.device import GPUStatus
from orban_desktop.network.auth import Authenticator
from orban_desktop.network.handshake import ALL_EXTENSIONS
from orban_desktop.presence.idle import IdleClock
from orban_desktop.protocol import messages as m
from orban_desktop.protocol import types as t
from orban_desktop.protocol.codec import encode_json
from orban_desktop.protocol.enums import Extension, GPUVendor

logger = logging.getLogger(__name__)

WORK_FOLDER = "work"


@dataclass
class AgentComponents:
    """Everything ``AgentService`` works with (constructed by :func:`build_components`)."""

    config: AgentConfig
    files: ResolvedPaths
    identity: Authenticator
    detector: GPUDetector
    executor: TaskExecutor
    ledger: AsyncEarningsLedger
    outbox: AsyncResultOutbox
    runner_support: RunnerSupport
    bus: EventBus = field(default_factory=EventBus)
    metrics: MetricsAggregator = field(default_factory=MetricsAggregator)
    history: GpuHistory = field(default_factory=GpuHistory)
    extensions: frozenset[Extension] = ALL_EXTENSIONS
    rng: random.Random | None = None
    progress_interval_s: float = 10.0
    #: Reconnect backoff (docs/orban-protocol.md §8); tests shrink it.
    reconnect_base_delay_s: float = 1.0
    reconnect_max_delay_s: float = 300.0
    reconnect_min_stable_s: float = 60.0
    #: "Only when I'm away": the idle clock (default: the first this session offers), how
    #: often it is read, and a threshold in seconds instead of the setting's minutes (tests).
    idle_clock_factory: Callable[[], IdleClock] | None = None
    presence_poll_s: float = 2.0
    away_after_s: float | None = None

    @property
    def data_dir(self) -> Path:
        return self.files.data_dir

    @property
    def work_root(self) -> Path:
        return self.files.data_dir / WORK_FOLDER

    def latest_statuses(self) -> list[GPUStatus]:
        return list(self.history.latest())

    def latest_status(self, index: int) -> GPUStatus | None:
        return next((s for s in self.history.latest() if s.index == index), None)

    async def recover_after_crash(self) -> None:
        """Report tasks that were running when the agent last died, and clean their leftovers."""
        for running in await self.outbox.running_tasks():
            error = TaskCancelled(
                "The agent stopped unexpectedly while running this task; it is handed back."
            )
            failed = m.TaskFailed(
                task_id=running.task_id,
                error=t.TaskErrorInfo(code=error.code, message=error.title, details=error.message),
            )
            await self.outbox.put(
                OutboxItem(
                    task_id=running.task_id,
                    message_id=failed.message_id,
                    message_type=failed.TYPE.value,
                    frame_json=encode_json(failed),
                    created_at=time.time(),
                )
            )
            await self.outbox.task_finished(running.task_id)
            logger.warning(
                "task %s was interrupted by a crash; reporting it failed", running.task_id
            )
        removed = await asyncio.to_thread(remove_stale_task_folders, self.work_root)
        if removed:
            logger.info("removed %d task folder(s) left by an earlier run", removed)

    async def close(self) -> None:
        await self.executor.aclose()
        await self.ledger.close()
        await self.outbox.close()
        await asyncio.to_thread(self.detector.close)


async def build_components(
    config: AgentConfig,
    files: ResolvedPaths,
    *,
    identity: Authenticator | None = None,
    extensions: frozenset[Extension] = ALL_EXTENSIONS,
    simulate_gpus: int | None = None,
) -> AgentComponents:
    """Open every part the agent needs (blocking work happens in threads)."""
    if identity is None:
        identity = await asyncio.to_thread(
            Authenticator.from_private_key_file, files.key_file, config.agent.agent_id
        )
    gpu = config.gpu
    detector = GPUDetector(
        simulate_gpus=gpu.simulate_gpus if simulate_gpus is None else simulate_gpus,
        reserved_vram_gb=gpu.reserved_vram_gb,
        temperature_limit_c=gpu.temperature_limit_c,
        allowed_indices=gpu.allowed_gpu_indices,
        disabled_indices=gpu.disabled_gpu_indices,
    )
    await asyncio.to_thread(detector.detect_all)
    files.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    ledger = await AsyncEarningsLedger.open(files.ledger_db)
    outbox = await AsyncResultOutbox.open(files.outbox_db)
    executor = build_executor(config, files, detector)
    runner_support = build_runner_support(config, files, detector)
    return AgentComponents(
        config=config,
        files=files,
        identity=identity,
        detector=detector,
        executor=executor,
        ledger=ledger,
        outbox=outbox,
        runner_support=runner_support,
        extensions=extensions,
        metrics=MetricsAggregator(busy_indices=detector.busy_indices),
    )


def _sandbox_policy(config: AgentConfig, files: ResolvedPaths) -> SandboxPolicy:
    return replace(
        SandboxPolicy.from_section(config.sandbox),
        runner_python=str(files.runner_python) if files.runner_python else None,
    )


def build_executor(
    config: AgentConfig, files: ResolvedPaths, detector: GPUDetector
) -> TaskExecutor:
    """The executor for ``config``'s sandbox, cache and transfer settings (also made anew when
    those settings change while the agent runs)."""

    def sample_gpu(index: int) -> GpuSample | None:
        status = detector.device(index).status()
        return GpuSample(
            status.utilization_pct,
            status.memory_used_bytes,
            status.power_w,
            status.energy_total_mj,
        )

    return TaskExecutor(
        cache=ModelCache(files.model_cache_dir, max_bytes=int(config.cache.max_size_gb * 1024**3)),
        work_root=files.data_dir / WORK_FOLDER,
        sandbox_policy=_sandbox_policy(config, files),
        gpu_sampler=sample_gpu,
        transfer_settings=TransferSettings.from_network(config.network),
    )


def build_runner_support(
    config: AgentConfig, files: ResolvedPaths, detector: GPUDetector
) -> RunnerSupport:
    """Where runner tasks can run under ``config``'s sandbox settings; its probe is started."""
    has_nvidia = any(not d.simulated and d.vendor is GPUVendor.NVIDIA for d in detector.devices)
    support = RunnerSupport(_sandbox_policy(config, files), has_nvidia_gpu=has_nvidia)
    support.start()
    return support

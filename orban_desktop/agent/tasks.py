"""Run accepted tasks through the executor and turn each ending into a durable result frame.

:class:`TaskRunner` owns the asyncio task of every running job, independent of the connection:
a task keeps running while the agent reconnects. Progress goes out when connected (dropped
otherwise: it is only progress); the result (TASK_COMPLETE or TASK_FAILED) is written to the
outbox *before* it is sent and re-sent until delivered, so nothing is lost. Cancelling a task
(TASK_CANCEL, or the agent stopping) stops its sandbox and reports ``TASK_CANCELLED``, which
hands the task back to the platform. Which tasks run and which finished is kept in the
:class:`~orban_desktop.agent.task_book.TaskBook` it shares with the message handlers. Imports
nothing from Qt.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orban_desktop.agent.earning_check import priced_ceiling_micros
from orban_desktop.agent.metrics import MetricsAggregator
from orban_desktop.agent.outbox import JournaledTask, OutboxItem
from orban_desktop.agent.outbox_async import AsyncResultOutbox
from orban_desktop.agent.task_book import ActiveTask, TaskBook
from orban_desktop.compute import GpuAssignment, PreparedTask, TaskExecutor, TaskOutcome
from orban_desktop.compute.runner_task import device_for
from orban_desktop.errors import OrbanError, TaskCancelled, TaskExecutionFailed
from orban_desktop.events import EventBus, TaskFinished, TaskProgressed
from orban_desktop.gpu.detector import GPUDetector
from orban_desktop.gpu.device import GPUDevice, GPUStatus
from orban_desktop.protocol import messages as m
from orban_desktop.protocol import types as t
from orban_desktop.protocol.codec import encode_json
from orban_desktop.protocol.enums import GPUVendor
from orban_desktop.protocol.timestamps import WireTime

logger = logging.getLogger(__name__)

Send = Callable[[m.Message], Coroutine[Any, Any, bool]]


@dataclass
class LastProof:
    """The latest answered POW_CHALLENGE, quoted in TASK_COMPLETE's ``proof_of_work``."""

    challenge_id: str = ""
    response: bytes = b""


class TaskRunner:
    """Starts, tracks and cancels tasks; writes every result to the outbox then sends it."""

    def __init__(
        self,
        *,
        book: TaskBook,
        executor: TaskExecutor,
        detector: GPUDetector,
        outbox: AsyncResultOutbox,
        bus: EventBus,
        metrics: MetricsAggregator,
        send: Send,
        deliver: Callable[[OutboxItem], Awaitable[None]],
        latest_status: Callable[[int], GPUStatus | None],
        progress_interval_s: float = 10.0,
    ) -> None:
        self._executor = executor
        self._detector = detector
        self._outbox = outbox
        self._bus = bus
        self._metrics = metrics
        self._send = send
        self._deliver = deliver
        self._latest_status = latest_status
        self._progress_interval_s = progress_interval_s
        self.book = book
        self.proof = LastProof()

    @property
    def active(self) -> dict[str, ActiveTask]:
        """The running tasks by id (the book's)."""
        return self.book.running

    def start(self, assign: m.TaskAssign, prepared: PreparedTask, gpu_index: int) -> ActiveTask:
        """Run an accepted task on a GPU the caller has already acquired."""
        task = ActiveTask(assign=assign, gpu_index=gpu_index, started_at=WireTime.now())
        self.book.started(task)
        task.handle = asyncio.create_task(self._run(task, prepared), name=assign.task_id)
        return task

    def cancel(self, task_id: str, reason: str) -> bool:
        task = self.active.get(task_id)
        if task is None or task.handle is None:
            return False
        task.cancel_reason = reason
        task.handle.cancel()
        return True

    async def cancel_all(self, reason: str) -> None:
        """Hand every running task back (used when the agent stops); waits for their reports."""
        handles = [t.handle for t in self.active.values() if t.handle is not None]
        for task_id in list(self.active):
            self.cancel(task_id, reason)
        await asyncio.gather(*handles, return_exceptions=True)

    async def _run(self, task: ActiveTask, prepared: PreparedTask) -> None:
        task_id = task.assign.task_id
        began = time.monotonic()
        last_sent = 0.0
        gpu = await asyncio.to_thread(gpu_assignment, self._detector.device(task.gpu_index))
        work = work_summary(prepared)
        canary = prepared.spec.runner is None
        on_cpu = canary or device_for(gpu)[0] == "cpu"
        rate: list[float | None] = [None]

        def publish() -> None:
            self._bus.publish(
                TaskProgressed(
                    task_id,
                    task.stage,
                    task.progress,
                    task.gpu_index,
                    work,
                    on_cpu,
                    rate[0],
                    canary,
                )
            )

        def on_progress(stage: str, progress: float) -> None:
            nonlocal last_sent
            task.stage, task.progress = str(stage), max(0.0, min(1.0, progress))
            publish()
            now = time.monotonic()
            if now - last_sent >= self._progress_interval_s or progress >= 1.0:
                last_sent = now
                asyncio.get_running_loop().create_task(self._send(self._progress_frame(task)))

        def on_rows(done: int, _total: int, seconds: float) -> None:
            if seconds > 0 and done > 0:
                rate[0] = done / seconds
                publish()

        if on_cpu and not canary:
            logger.info(
                "task %s (%s) runs on the CPU: GPU %d is simulated", task_id, work, gpu.index
            )
        outcome: TaskOutcome | None = None
        try:
            outcome = await self._executor.execute(prepared, gpu, on_progress, on_rows)
            result: m.Message = self._complete_frame(task, outcome)
            if outcome.runner is not None:
                report = outcome.runner
                work += (
                    f" on {report.device} ({report.device_name}), {report.rows_per_s:.1f} rows/s,"
                    f" {report.infer_s:.2f} s of compute"
                )
            self._metrics.task_completed(
                outcome.gpu_seconds, outcome.energy_kwh, gpu_index=task.gpu_index
            )
        except asyncio.CancelledError:
            error: OrbanError = TaskCancelled(task.cancel_reason or "The agent stopped the task.")
            result = self._failed_frame(task_id, error)
            self._metrics.task_failed(gpu_index=task.gpu_index)
        except OrbanError as exc:
            result = self._failed_frame(task_id, exc)
            self._metrics.task_failed(gpu_index=task.gpu_index)
        except Exception as exc:  # a bug: report it rather than lose the task
            logger.exception("task %s failed unexpectedly", task_id)
            result = self._failed_frame(task_id, TaskExecutionFailed(f"Internal error: {exc}"))
            self._metrics.task_failed(gpu_index=task.gpu_index)
        finally:
            self._detector.release(task.gpu_index)
        log_ending(task_id, work, time.monotonic() - began, result)
        await self._finish(task, result, time.monotonic() - began, outcome)

    async def _finish(
        self,
        task: ActiveTask,
        result: m.Message,
        duration_s: float,
        outcome: TaskOutcome | None = None,
    ) -> None:
        task_id = task.assign.task_id
        item = OutboxItem(
            task_id=task_id,
            message_id=result.message_id,
            message_type=result.TYPE.value,
            frame_json=encode_json(result),
            created_at=time.time(),
        )
        await self._outbox.put(item)
        self.book.finished(task_id, item)
        await self._outbox.task_finished(task_id)
        error_code = result.error.code if isinstance(result, m.TaskFailed) else None
        self._bus.publish(finished_event(task, error_code, duration_s, outcome))
        await self._deliver(item)

    def _progress_frame(self, task: ActiveTask) -> m.TaskProgress:
        status = self._latest_status(task.gpu_index)
        utilization = (status.utilization_pct or 0.0) / 100 if status else 0.0
        used = (status.memory_used_bytes or 0) / 1024**3 if status else 0.0
        return m.TaskProgress(
            task_id=task.assign.task_id,
            progress=task.progress,
            stage=task.stage,
            metrics=t.TaskMetrics(gpu_utilization=utilization, memory_used_gb=used),
        )

    def _complete_frame(self, task: ActiveTask, outcome: TaskOutcome) -> m.TaskComplete:
        device = self._detector.device(task.gpu_index)
        return m.TaskComplete(
            task_id=task.assign.task_id,
            result=outcome.result,
            proof_of_work=t.ProofOfWork(
                method="gpu_hash_challenge",
                challenge_id=self.proof.challenge_id,
                response=self.proof.response,
                gpu_signature=device.uuid() or f"gpu-{task.gpu_index}",
            ),
            metrics=outcome.metrics,
        )

    @staticmethod
    def _failed_frame(task_id: str, error: OrbanError) -> m.TaskFailed:
        return m.TaskFailed(
            task_id=task_id,
            error=t.TaskErrorInfo(code=error.code, message=error.title, details=error.message),
        )

    def journal_entry(self, task: ActiveTask) -> JournaledTask:
        return JournaledTask(
            task_id=task.assign.task_id,
            assign_json=encode_json(task.assign),
            gpu_index=task.gpu_index,
            workspace=None,
            started_at=time.time(),
            priced_ceiling_micros=priced_ceiling_micros(task.assign),
        )


def gpu_assignment(device: GPUDevice) -> GpuAssignment:
    """What the sandbox is told of a task's GPU (blocking: it may read the driver).

    Only a real NVIDIA device is handed over by UUID, a real AMD card by its render node; a
    simulated GPU has nothing to hand over (its tasks run on the CPU).
    """
    if device.simulated:
        return GpuAssignment(index=device.index, uuid=None, vendor="simulated")
    vendor = device.vendor
    if vendor is GPUVendor.NVIDIA:
        return GpuAssignment(device.index, device.uuid(), "nvidia", device.name())
    if vendor is GPUVendor.AMD:
        card = getattr(device, "card_dir", None)
        nodes = sorted(Path(card, "device", "drm").glob("renderD*")) if card else []
        render = f"/dev/dri/{nodes[0].name}" if nodes else None
        return GpuAssignment(device.index, None, "amd", device.name(), render)
    return GpuAssignment(device.index, None, vendor.value.lower(), device.name())


def log_ending(task_id: str, work: str, duration_s: float, result: m.Message) -> None:
    """One line per ended task: what it did, how long it took, and how it ended."""
    if not isinstance(result, m.TaskFailed):
        logger.info("task %s done in %.1f s: %s", task_id, duration_s, work)
    elif result.error.code == TaskCancelled.code:
        logger.info(
            "task %s handed back after %.1f s: %s (%s)",
            task_id, duration_s, work, result.error.details,
        )  # fmt: skip
    else:
        logger.warning(
            "task %s failed after %.1f s: %s: %s: %s",
            task_id, duration_s, work, result.error.message, result.error.details,
        )  # fmt: skip


def work_summary(prepared: PreparedTask) -> str:
    """What a task does, in a few words: "512 sentences · all-MiniLM-L6-v2" or "checksum"."""
    job = prepared.spec.runner
    if job is None:
        return f"{prepared.spec.workload.split('/')[-1].split(':')[0]} (canary)"
    model = job.model_name.rsplit("/", 1)[-1]
    return f"{job.rows} sentences · {model} · {job.precision}"


def finished_event(
    task: ActiveTask, error_code: str | None, duration_s: float, outcome: TaskOutcome | None
) -> TaskFinished:
    """The event of a finished task, with the figures its run measured (``None`` if not run)."""
    report = None if outcome is None else outcome.runner
    return TaskFinished(
        task.assign.task_id,
        error_code is None,
        error_code,
        duration_s,
        gpu_seconds=None if outcome is None else outcome.gpu_seconds,
        rows=None if report is None else report.rows,
        downloaded_bytes=None if outcome is None else outcome.downloaded_bytes,
        energy_kwh=None if outcome is None else outcome.energy_kwh,
        energy_source=None if outcome is None else outcome.energy_source,
        gpu_index=task.gpu_index,
    )

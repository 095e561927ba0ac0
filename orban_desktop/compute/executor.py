"""The task executor: a TASK_ASSIGN in, a verified result uploaded, a TaskOutcome out.

:meth:`TaskExecutor.prepare` validates an assignment (job spec, model hash, URLs, timeout) with
no side effects. :meth:`TaskExecutor.execute` then: picks the sandbox (before downloading, so a
task that cannot run fails fast); downloads the model through the cache (hash-verified, shared
between tasks) and the input, concurrently; runs the shipped workload in the sandbox while
sampling the GPU; turns a timeout, an out-of-memory kill, a flood or a failure into the
matching error; copies the result out without following links; uploads it with its hash; and
reports metrics. The task's folder is removed in every case, and cancelling ``execute`` kills
the workload before the ``CancelledError`` goes on. Imports the compute modules, the job spec,
the protocol types and the error tree, and nothing from Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

from orban_desktop.compute.cache import ModelCache
from orban_desktop.compute.http import TransferSettings, create_http_session
from orban_desktop.compute.metrics import GpuMeter, Sampler
from orban_desktop.compute.outputs import collect_output
from orban_desktop.compute.reporting import StageProgress, raise_for_ending
from orban_desktop.compute.runner_task import (
    ProgressTail,
    RowsCallback,
    launch_for,
    read_manifest,
)
from orban_desktop.compute.sandbox.base import (
    OUTPUT_DIR,
    GpuAssignment,
    Sandbox,
    SandboxJob,
    SandboxRun,
)
from orban_desktop.compute.sandbox.images import check_runner_image
from orban_desktop.compute.sandbox.select import SandboxPolicy, SandboxSelector
from orban_desktop.compute.task import PreparedTask, TaskOutcome, TaskStage
from orban_desktop.compute.upload import upload
from orban_desktop.compute.urlpolicy import UrlRefused, check_url
from orban_desktop.compute.workspace import TaskFolder, fetch_artifacts
from orban_desktop.errors import TaskExecutionFailed, ValidationFailed
from orban_desktop.protocol.jobspec import WORKLOAD_CHECKSUM, JobSpecError, parse_job_config
from orban_desktop.protocol.messages import TaskAssign
from orban_desktop.protocol.types import ExecutionMetrics, TaskResult

log = logging.getLogger(__name__)

#: The shipped workload scripts (package data), by JobSpec workload name.
WORKLOADS_DIR = Path(__file__).resolve().parent / "workloads"
WORKLOAD_SCRIPTS = {WORKLOAD_CHECKSUM: "checksum.sh"}
_MODEL_HASH = re.compile(r"sha256:([0-9a-fA-F]{64})")
GIB = 1024**3


class TaskExecutor:
    """Runs assigned tasks; one per agent, safe for several concurrent tasks.

    Args:
        cache: The model cache.
        work_root: Folder for per-task working folders (created as needed).
        sandbox_policy: The owner's sandbox settings.
        http: A session for transfers; ``None``: the executor makes one with the address guard
            (close it with :meth:`aclose`). A session given here is checked per response only.
        gpu_sampler: The GPU layer's ``sampler(gpu_index)``, blocking; ``None``: no GPU figures.
        workloads_dir: Where the workload scripts are (tests); the shipped ones by default.
        transfer_settings: Retries, buffering and the rate floor for downloads and uploads;
            ``TransferSettings.from_network(config.network)`` applies the owner's settings.
        sandbox_selector: Picks the sandbox (tests); made from ``sandbox_policy`` by default.
        sample_interval_s: Seconds between GPU samples during a run.
    """

    def __init__(
        self,
        *,
        cache: ModelCache,
        work_root: Path,
        sandbox_policy: SandboxPolicy,
        http: aiohttp.ClientSession | None = None,
        gpu_sampler: Sampler | None = None,
        workloads_dir: Path | None = None,
        transfer_settings: TransferSettings | None = None,
        sandbox_selector: SandboxSelector | None = None,
        sample_interval_s: float = 1.0,
    ) -> None:
        self._cache = cache
        self._work_root = work_root
        self._policy = sandbox_policy
        self._http = http
        self._own_http: aiohttp.ClientSession | None = None
        self._sampler = gpu_sampler
        self._workloads = workloads_dir or WORKLOADS_DIR
        self._transfer = transfer_settings or TransferSettings()
        self._selector = sandbox_selector or SandboxSelector(sandbox_policy)
        self._sample_interval = sample_interval_s

    def prepare(self, assign: TaskAssign) -> PreparedTask:
        """Validate ``assign``; nothing is created, downloaded or started.

        Raises:
            ValidationFailed: A bad config, model hash, URL or timeout; the message says which.
        """
        task_id, payload = assign.task_id, assign.payload
        try:
            spec = parse_job_config(payload.config)
        except JobSpecError as exc:
            raise ValidationFailed(f"Task {task_id} cannot run here: {exc}") from exc
        match = _MODEL_HASH.fullmatch(payload.model_hash)
        if match is None:
            raise ValidationFailed(
                f"Task {task_id}: model_hash must be sha256:<64 hex digits>, "
                f"not {payload.model_hash[:80]!r}"
            )
        try:
            model_url = check_url(payload.model_url, what="model URL")
            input_url = check_url(payload.input_data_url, what="input URL")
            output_url = check_url(payload.output_url, what="output URL")
        except UrlRefused as exc:
            raise ValidationFailed(f"Task {task_id}: {exc}") from exc
        if spec.runner is not None:
            check_runner_image(spec.runner.image, self._policy.allowed_runner_images)
        if spec.timeout_sec > self._policy.max_timeout_secs:
            raise ValidationFailed(
                f"Task {task_id} asks for {spec.timeout_sec} s; this agent allows at most "
                f"{self._policy.max_timeout_secs} s (sandbox.task_timeout_secs)."
            )
        return PreparedTask(
            task_id=task_id,
            spec=spec,
            model_url=model_url,
            model_sha256=match.group(1).lower(),
            input_url=input_url,
            output_url=output_url,
            timeout_s=spec.timeout_sec,
        )

    async def execute(
        self,
        prepared: PreparedTask,
        gpu: GpuAssignment,
        on_progress: Callable[[TaskStage, float], None],
        on_rows: RowsCallback | None = None,
    ) -> TaskOutcome:
        """Run a prepared task to its uploaded result.

        ``on_rows(done, total, seconds)`` follows a runner task's batches.

        Raises:
            DownloadFailed, UploadFailed, TaskTimeout, OutOfMemory, SandboxError,
            TaskExecutionFailed: With a message saying what happened and what to do.
            asyncio.CancelledError: The caller cancelled; the workload was stopped and the
                task's folder removed.
        """
        started = time.monotonic()
        progress = StageProgress(on_progress)
        try:
            async with TaskFolder(self._work_root, prepared.task_id) as folder:
                return await self._execute_in(folder, prepared, gpu, progress, started, on_rows)
        except OSError as exc:
            raise TaskExecutionFailed(
                f"A local file operation failed for task {prepared.task_id}: {exc}. "
                f"Check the free space and permissions of {self._work_root}."
            ) from exc

    async def _execute_in(
        self,
        folder: TaskFolder,
        prepared: PreparedTask,
        gpu: GpuAssignment,
        progress: StageProgress,
        started: float,
        on_rows: RowsCallback | None,
    ) -> TaskOutcome:
        spec = prepared.spec
        script = self._workloads / WORKLOAD_SCRIPTS.get(spec.workload, "checksum.sh")
        sandbox = await self._selector.choose(spec)
        session = self._session()
        progress.enter(TaskStage.DOWNLOADING)
        download_started = time.monotonic()
        lease = await fetch_artifacts(
            session, self._cache, prepared, folder.workspace, progress, self._transfer
        )
        download_s = time.monotonic() - download_started
        launch = (
            launch_for(
                prepared,
                gpu,
                runner_python=self._policy.runner_python,
                threads=max(1, int(self._policy.cpu_limit)),
            )
            if spec.runner is not None
            else None
        )
        try:
            progress.enter(TaskStage.RUNNING)
            job = SandboxJob(
                task_id=prepared.task_id,
                script=script,
                model=lease.path,
                workspace=folder.workspace,
                private_dir=folder.private,
                timeout_s=prepared.timeout_s,
                limits=self._policy.limits(spec.max_output_bytes, runner=launch is not None),
                gpu=gpu,
                env={"ORBAN_TASK_ID": prepared.task_id, "ORBAN_WORKLOAD": spec.workload},
                kill_grace_s=self._policy.kill_grace_s,
                runner=launch,
            )
            async with GpuMeter(self._sampler, gpu.index, self._sample_interval) as meter:
                ending = await self._run_watched(sandbox, job, progress, on_rows)
        finally:
            await self._cache.release(lease)
        raise_for_ending(ending, job, spec.workload)
        progress.enter(TaskStage.UPLOADING)
        collected = await asyncio.to_thread(
            collect_output,
            folder.workspace / OUTPUT_DIR,
            job.output_name,
            folder.private / "result",
            spec.max_output_bytes,
        )
        report = None
        if launch is not None and spec.runner is not None:
            report = await asyncio.to_thread(
                read_manifest, collected.path, launch, spec.runner.rows
            )
        uploaded = await upload(
            session,
            prepared.output_url,
            collected.path,
            sha256_hex=collected.sha256_hex,
            size_bytes=collected.size_bytes,
            on_progress=lambda sent: progress.within(sent / max(1, collected.size_bytes)),
            settings=self._transfer,
        )
        progress.enter(TaskStage.COMPLETED)
        usage = meter.usage
        total_s = time.monotonic() - started
        gpu_seconds = ending.duration_s if report is None else report.infer_s
        return TaskOutcome(
            result=TaskResult(
                output_url=prepared.output_url,
                output_hash=f"sha256:{collected.sha256_hex}",
                execution_time_sec=math.ceil(total_s),
                gpu_time_sec=math.ceil(gpu_seconds),
            ),
            metrics=ExecutionMetrics(
                avg_gpu_utilization=(usage.avg_utilization_pct or 0.0) / 100.0,
                peak_memory_gb=(usage.peak_memory_bytes or 0) / GIB,
                energy_kwh=usage.energy_kwh or 0.0,
            ),
            download_s=download_s,
            exec_s=ending.duration_s,
            upload_s=uploaded.seconds,
            gpu_seconds=gpu_seconds,
            peak_vram_bytes=usage.peak_memory_bytes,
            energy_kwh=usage.energy_kwh,
            energy_source=usage.energy_source,
            downloaded_bytes=spec.input_size_bytes
            + (0 if lease.was_cached else spec.model_size_bytes),
            sandbox=ending.sandbox,
            model_was_cached=lease.was_cached,
            runner=report,
        )

    @staticmethod
    async def _run_watched(
        sandbox: Sandbox, job: SandboxJob, progress: StageProgress, on_rows: RowsCallback | None
    ) -> SandboxRun:
        """Run ``job``; for a runner task, relay its batches as progress while it runs."""
        if job.runner is None:
            return await sandbox.run(job)

        def rows(done: int, total: int, seconds: float) -> None:
            progress.within(done / total)
            if on_rows is not None:
                on_rows(done, total, seconds)

        tail = ProgressTail(job.progress_path, rows)
        follower = asyncio.create_task(tail.follow())
        try:
            ran = await sandbox.run(job)
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower
        await tail.finish()
        return ran

    def _session(self) -> aiohttp.ClientSession:
        if self._http is not None:
            return self._http
        if self._own_http is None or self._own_http.closed:
            self._own_http = create_http_session()
        return self._own_http

    async def aclose(self) -> None:
        """Close the executor's own HTTP session and Docker connection."""
        if self._own_http is not None:
            await self._own_http.close()
            self._own_http = None
        await self._selector.close()

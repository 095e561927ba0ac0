"""The executor's public data: a validated task, its stages, the GPU it runs on, its outcome.

:class:`PreparedTask` is what ``TaskExecutor.prepare`` makes of a TASK_ASSIGN (validated, no
side effects); :class:`TaskStage` names the stages reported as TASK_PROGRESS ``stage``;
:class:`GpuSample` is one reading the GPU layer hands the executor; :class:`TaskOutcome` is
what a finished task reports (the wire ``TaskResult`` and ``ExecutionMetrics`` plus local
figures). Imports the protocol types and the job spec only, and nothing from Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from orban_desktop.compute.sandbox.base import GpuAssignment
from orban_desktop.protocol.jobspec import JobSpec
from orban_desktop.protocol.types import ExecutionMetrics, TaskResult

__all__ = [
    "GpuAssignment",
    "GpuSample",
    "PreparedTask",
    "RunnerReport",
    "TaskOutcome",
    "TaskStage",
]


class TaskStage(StrEnum):
    """A task's stage, sent as TASK_PROGRESS ``stage``."""

    DOWNLOADING = "downloading"
    RUNNING = "running"
    UPLOADING = "uploading"
    COMPLETED = "completed"


@dataclass(frozen=True)
class GpuSample:
    """One reading of the task's GPU; ``None`` where the GPU does not report it.

    Attributes:
        utilization_pct: Busy percentage, 0 to 100.
        memory_used_bytes: Device memory in use (the whole device, not only this task).
        power_w: Power draw in watts.
        energy_total_mj: The GPU's total energy counter (millijoules since the driver loaded;
            NVML on Volta and later), the most exact energy figure where it exists.
    """

    utilization_pct: float | None
    memory_used_bytes: int | None
    power_w: float | None
    energy_total_mj: int | None = None


@dataclass(frozen=True)
class PreparedTask:
    """A TASK_ASSIGN the agent can run, validated.

    Attributes:
        task_id: The platform's task id.
        spec: The job spec read from ``payload.config``.
        model_url: Checked URL of the model.
        model_sha256: The model's expected SHA-256, lowercase hex (no ``sha256:`` prefix).
        input_url: Checked URL of the input data.
        output_url: Checked URL the result is PUT to.
        timeout_s: The run's wall-clock limit in seconds.
    """

    task_id: str
    spec: JobSpec
    model_url: str
    model_sha256: str
    input_url: str
    output_url: str
    timeout_s: int


@dataclass(frozen=True)
class RunnerReport:
    """What the runner's manifest says of a finished runner task.

    Attributes:
        rows: Rows embedded.
        infer_s: Seconds of compute (the GPU time reported as ``gpu_time_sec``).
        load_s: Seconds spent loading the model onto the device.
        rows_per_s: Throughput of the compute.
        device: Where it ran: ``cpu``, ``cuda:0`` or ``mps``.
        device_name: The device's name as the framework reports it.
        peak_device_memory_bytes: Peak device memory the framework allocated (``None`` on CPU).
    """

    rows: int
    infer_s: float
    load_s: float
    rows_per_s: float
    device: str
    device_name: str
    peak_device_memory_bytes: int | None

    @property
    def on_cpu(self) -> bool:
        return self.device == "cpu"


@dataclass(frozen=True)
class TaskOutcome:
    """A finished task.

    Attributes:
        result: TASK_COMPLETE ``result``: upload URL, ``sha256:<hex>`` of the uploaded bytes,
            ``execution_time_sec`` (whole task, rounded up) and ``gpu_time_sec`` (the run).
        metrics: TASK_COMPLETE ``metrics`` (utilization 0 to 1, peak memory in GiB, kWh; 0 when
            the GPU layer reported nothing).
        download_s: Seconds spent getting the model (0 on a cache hit) and the input.
        exec_s: Seconds the workload ran.
        upload_s: Seconds spent uploading the result.
        gpu_seconds: Seconds the GPU was held by the run.
        peak_vram_bytes: Highest device memory use seen during the run, if reported.
        energy_kwh: Energy the GPU drew during the run, if power was reported.
        sandbox: ``"docker"`` or ``"process"``.
        model_was_cached: Whether the model came from the local cache.
        runner: The runner's report, for a runner task.
    """

    result: TaskResult
    metrics: ExecutionMetrics
    download_s: float
    exec_s: float
    upload_s: float
    gpu_seconds: float
    peak_vram_bytes: int | None
    energy_kwh: float | None
    sandbox: str
    #: Where ``energy_kwh`` came from (the GPU's energy counter, or power over time).
    energy_source: Literal["counter", "power"] | None = None
    #: Bytes fetched for the task: the input, plus the model unless it came from the cache.
    downloaded_bytes: int | None = None
    model_was_cached: bool = False
    runner: RunnerReport | None = None

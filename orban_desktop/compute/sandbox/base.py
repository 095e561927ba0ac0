"""The one interface every sandbox implements, and the data that goes in and comes out.

A :class:`SandboxJob` says what to run (a shipped workload script with the model file, the
input file and where to write the output, all host paths), under which limits
(:class:`ResourceLimits`), on which GPU and for how long. :meth:`Sandbox.run` runs it to the end,
kills it at the deadline, and returns a :class:`SandboxRun` that says how it ended; it raises
only for a sandbox that cannot be used (:class:`~orban_desktop.errors.SandboxError`). Turning an
ending into a task error is the executor's job. Cancelling ``run`` kills the workload before the
``CancelledError`` goes on. Imports the error tree only, and nothing from Qt.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from orban_desktop.compute.sandbox.runner_launch import (
    RUNNER_OUTPUT_NAME,
    RUNNER_PROGRESS_NAME,
    RunnerLaunch,
)
from orban_desktop.errors import ValidationFailed

#: Names inside a job's workspace: the input file, and the folder the workload writes into.
INPUT_NAME = "input"
OUTPUT_DIR = "out"
OUTPUT_NAME = "result"
#: The unprivileged user a sandbox runs as when the agent itself runs as root.
NOBODY_UID = 65534
NOBODY_GID = 65534
#: How much of stdout/stderr a run keeps for the report (the end of each).
LOG_TAIL_BYTES = 16 * 1024
_FORBIDDEN_ENV_PREFIXES = ("LD_", "NVIDIA_")


@dataclass(frozen=True)
class GpuAssignment:
    """The GPU a task runs on.

    Attributes:
        index: The agent's index of the GPU.
        uuid: Its UUID (``None`` or ``SIM-...``: nothing physical to hand over).
        vendor: ``nvidia``, ``amd``, ``apple`` or ``simulated``.
        name: The model name the driver reports (what a runner compares when there is no UUID).
        render_node: An AMD card's ``/dev/dri/renderD*`` node (ROCm), else ``None``.
    """

    index: int
    uuid: str | None = None
    vendor: str = "nvidia"
    name: str | None = None
    render_node: str | None = None

    @property
    def is_real(self) -> bool:
        """Whether there is a physical NVIDIA device to hand to the sandbox by UUID."""
        return bool(self.uuid) and not str(self.uuid).startswith("SIM-")

    @property
    def is_amd(self) -> bool:
        """Whether it is a real AMD card whose render node can be handed over (ROCm)."""
        return self.vendor == "amd" and self.render_node is not None


@dataclass(frozen=True)
class ResourceLimits:
    """Limits for one run. Sizes in bytes, CPU in cores.

    Attributes:
        memory_bytes: RAM (Docker: memory = memory+swap; process: address space or data size).
        cpu_cores: CPU share (Docker: nano_cpus; process: CPU seconds = cores x timeout).
        pids: Processes and threads (Docker: pids limit; process: RLIMIT_NPROC on top of the
            user's current count).
        max_output_bytes: Largest file the workload may write (RLIMIT_FSIZE / ulimit fsize).
        tmpfs_bytes: Size of the in-memory ``/tmp`` (Docker only).
        log_bytes: stdout+stderr kept by the engine (Docker json-file ``max-size``).
        open_files: RLIMIT_NOFILE.
        nice: CPU priority, as a nice value: 19 (the lowest, the default: the owner's own work
            always goes first, as BOINC does) to 0 (normal). Process: the workload's nice
            value; Docker: the container's CPU weight (``cpu_shares``), the kernel's weight of
            that nice value.
    """

    memory_bytes: int
    cpu_cores: float
    pids: int
    max_output_bytes: int
    tmpfs_bytes: int = 64 * 1024 * 1024
    log_bytes: int = 1024 * 1024
    open_files: int = 256
    nice: int = 19


@dataclass(frozen=True)
class SandboxJob:
    """One workload run. Paths are on the host.

    Attributes:
        task_id: For labels and logs.
        script: The canary workload script (``sh script model input output``); unused by a
            runner task.
        model: The verified model file, or a runner task's unpacked model folder (read-only).
        workspace: Holds :data:`INPUT_NAME` and the folder :data:`OUTPUT_DIR`; read-write.
        private_dir: A folder only the agent uses (the process sandbox's log files).
        timeout_s: Wall-clock limit of the run.
        limits: Resource limits.
        gpu: The GPU to expose; ``None`` or simulated: none.
        env: Extra environment for the workload (no ``LD_*``, no ``NVIDIA_*``).
        kill_grace_s: Seconds between SIGTERM and SIGKILL at the deadline.
        runner: How to start the runner, for a runner task; ``None``: a canary script.
    """

    task_id: str
    script: Path
    model: Path
    workspace: Path
    private_dir: Path
    timeout_s: float
    limits: ResourceLimits
    gpu: GpuAssignment | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    kill_grace_s: float = 5.0
    runner: RunnerLaunch | None = None

    @property
    def output_name(self) -> str:
        return OUTPUT_NAME if self.runner is None else RUNNER_OUTPUT_NAME

    @property
    def input_path(self) -> Path:
        return self.workspace / INPUT_NAME

    @property
    def output_path(self) -> Path:
        return self.workspace / OUTPUT_DIR / self.output_name

    @property
    def progress_path(self) -> Path:
        """Where a runner writes its progress lines (in the workspace)."""
        return self.workspace / RUNNER_PROGRESS_NAME


@dataclass(frozen=True)
class SandboxRun:
    """How a run ended.

    Attributes:
        sandbox: ``"docker"`` or ``"process"``.
        exit_code: The workload's exit status; ``None`` when it was killed by a signal.
        signal: The signal that ended it, when one did (process sandbox).
        timed_out: It ran past its deadline (or its CPU-time limit) and was killed.
        oom_killed: It ran out of memory.
        file_limit_hit: It wrote more than the file size limit.
        duration_s: Wall-clock seconds from start to end.
        stdout_tail: The end of its standard output (at most :data:`LOG_TAIL_BYTES`).
        stderr_tail: The end of its standard error.
    """

    sandbox: str
    exit_code: int | None
    signal: int | None
    timed_out: bool
    oom_killed: bool
    file_limit_hit: bool
    duration_s: float
    stdout_tail: str
    stderr_tail: str

    @property
    def succeeded(self) -> bool:
        return self.exit_code == 0 and not (self.timed_out or self.oom_killed)


class Sandbox(ABC):
    """Runs a :class:`SandboxJob`; one implementation per file."""

    name: ClassVar[str]

    @abstractmethod
    async def run(self, job: SandboxJob) -> SandboxRun:
        """Run ``job`` to its end or its deadline.

        Raises:
            SandboxError: The sandbox could not start or watch the workload.
            asyncio.CancelledError: The caller cancelled; the workload was killed first.
        """


def check_task_env(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` as a plain dict, refusing loader and driver variables.

    Raises:
        ValidationFailed: A name starting with ``LD_`` or ``NVIDIA_``, or not a plain name.
    """
    for name in env:
        if name.upper().startswith(_FORBIDDEN_ENV_PREFIXES):
            raise ValidationFailed(f"a task may not set {name} (LD_* and NVIDIA_* are reserved)")
        if not name or "=" in name or "\0" in name or "\0" in env[name]:
            raise ValidationFailed(f"{name!r} is not a valid environment variable name")
    return dict(env)


def sandbox_user() -> tuple[int, int]:
    """The uid and gid a workload runs as: nobody when the agent is root, else the agent's own."""
    if os.geteuid() == 0:
        return NOBODY_UID, NOBODY_GID
    return os.getuid(), os.getgid()


def grant_workspace(job: SandboxJob, uid: int, gid: int) -> None:
    """Let ``uid:gid`` write the output folder and read the input (blocking; run in a thread)."""
    out_dir = job.workspace / OUTPUT_DIR
    out_dir.mkdir(mode=0o700, exist_ok=True)
    os.chmod(job.workspace, 0o755)
    if job.input_path.exists():
        os.chmod(job.input_path, 0o644)
    if os.geteuid() == 0:
        os.chown(job.workspace, uid, gid)
        os.chown(out_dir, uid, gid)


def read_tail(path: Path, limit: int = LOG_TAIL_BYTES) -> str:
    """The last ``limit`` bytes of a file as text ("" when missing). Blocking."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            handle.seek(max(0, size - limit))
            return handle.read(limit).decode("utf-8", "replace")
    except FileNotFoundError:
        return ""

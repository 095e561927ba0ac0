"""The process sandbox: the workload as a child process under rlimits, for hosts without Docker.

The child runs ``/bin/sh <script> <model> input out/result`` (a canary), or the runner
environment's ``python -m orban_runner embed ...`` (a runner task, offline, with
``CUDA_VISIBLE_DEVICES`` naming only its GPU, empty on the CPU, and, when it runs as ``nobody``,
a private scratch folder in the system's temporary folder as its home), in its own session and
process group, in the task's workspace (input and output relative to it), with a scrubbed
environment (``PATH``, ``HOME``, ``TMPDIR``, ``LC_ALL=C`` and the task's variables only), stdin
from ``/dev/null`` and stdout/stderr written to files in the agent's private folder. Limits set
before the workload's ``exec`` (by util-linux's ``prlimit``, and ``setpriv`` for the user, so
that the agent is never forked whole; see ``limits_exec``): CPU seconds, file size (this also
caps stdout/stderr: a flood is killed by SIGXFSZ), open files, no core files, processes
(RLIMIT_NPROC = the user's current count + the pids limit), and memory: the address space when
no real GPU is used, else only the data segment (CUDA reserves huge address ranges, so RLIMIT_AS
would break it). When the agent runs as root the child runs as ``nobody`` (the kernel ignores
RLIMIT_NPROC for root) and gets the model and script as inherited file descriptors. At the
deadline the whole group gets SIGTERM, then SIGKILL after the grace period; leftover group
members are killed when the run ends. The workload runs at the nice value of its limits
(``sandbox.task_nice``, 19 by default), set by coreutils' ``nice`` in the same wrappers.

What it does NOT isolate, plainly: the network (the workload can reach anything the agent can);
the file system (it can read every file its user can, and write wherever its user may, e.g.
the agent user's home when the agent is not root); other processes (it can see them, and
signal those of its own user); the GPUs (all are visible; only ``CUDA_VISIBLE_DEVICES`` hints
which to use); the memory limit is per process, not for the group; a process that starts its
own session escapes the group kill. Use Docker for work you do not trust. Imports the sandbox
base and the error tree only, and nothing from Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from orban_desktop.compute.sandbox.base import (
    Sandbox,
    SandboxJob,
    SandboxRun,
    check_task_env,
    grant_workspace,
    read_tail,
    sandbox_user,
)
from orban_desktop.compute.sandbox.limits_exec import (
    Limits,
    LimitTools,
    apply_in_child,
    clamp_to_own_limits,
    nice_increment,
)
from orban_desktop.compute.sandbox.runner_launch import (
    RUNNER_ENV,
    RUNNER_OUTPUT_NAME,
    RUNNER_PROGRESS_NAME,
)
from orban_desktop.errors import SandboxError

_OOM_TEXT = re.compile(
    r"out of memory|cannot allocate|memoryerror|bad_alloc|memory exhausted", re.I
)
_FSIZE_TEXT = re.compile(r"file too large|file size limit", re.I)


@dataclass(frozen=True)
class _Launch:
    argv: list[str]
    env: dict[str, str]
    stdout_fd: int
    stderr_fd: int
    pass_fds: tuple[int, ...]
    workload: str  # the workload's program, for messages (argv may start with the wrappers)
    preexec_limits: Limits | None  # set: the fallback, limits set by a preexec_fn
    preexec_nice_by: int  # with preexec_limits: the nice increment the preexec_fn applies
    drop_to: tuple[int, int] | None  # with preexec_limits: the user given to subprocess
    scratch: Path | None = None


def tasks_of_user(uid: int) -> int:
    """Processes plus threads whose real uid is ``uid`` (what RLIMIT_NPROC counts). Blocking."""
    if not os.path.isdir("/proc"):
        return 0
    count = 0
    with os.scandir("/proc") as scan:
        for entry in scan:
            if entry.name.isdigit():
                with contextlib.suppress(OSError, ValueError):
                    count += _threads_if_owned(entry.path, uid)
    return count


def _threads_if_owned(proc_dir: str, uid: int) -> int:
    fd = os.open(f"{proc_dir}/status", os.O_RDONLY | os.O_CLOEXEC)
    try:
        status = os.read(fd, 8192)
    finally:
        os.close(fd)
    start = status.index(b"\nUid:\t") + 6  # real, effective, saved, fs uid
    if int(status[start : status.index(b"\t", start)]) != uid:
        return 0
    threads = status.find(b"\nThreads:\t")
    if threads < 0:
        return 1
    return int(status[threads + 10 : status.index(b"\n", threads + 1)])


class ProcessSandbox(Sandbox):
    """Runs workloads as rlimited child processes; see the module docstring for its limits.

    Args:
        shell: The POSIX shell that runs the workload scripts.
        path_env: ``PATH`` for the workload.
        limit_tools: The programs that set the limits and the user before the workload's
            ``exec`` (default: util-linux's, looked up at the first run); without them a
            ``preexec_fn`` does, at the cost of a full fork of the agent (see
            :mod:`~orban_desktop.compute.sandbox.limits_exec`).
    """

    name = "process"

    def __init__(
        self,
        *,
        shell: str = "/bin/sh",
        path_env: str = "/usr/bin:/bin",
        limit_tools: LimitTools | None = None,
    ) -> None:
        self._shell = shell
        self._path_env = path_env
        self._limit_tools = limit_tools

    def _prepare_sync(self, job: SandboxJob) -> _Launch:
        if job.runner is not None and not job.runner.python:
            raise SandboxError(
                "This task needs the runner, and no runner environment is set: set "
                "sandbox.runner_python to a Python that has orban_runner (make runner-env), "
                "or start Docker with the runner image."
            )
        uid, gid = sandbox_user()
        drop = os.geteuid() == 0
        grant_workspace(job, uid, gid)
        limits = job.limits
        memory_kind = resource.RLIMIT_DATA if job.gpu and job.gpu.is_real else resource.RLIMIT_AS
        cpu_seconds = math.ceil(job.timeout_s * max(1.0, limits.cpu_cores)) + 1
        file_bytes = max(limits.max_output_bytes, limits.log_bytes)
        nproc = tasks_of_user(uid) + limits.pids
        rlimits: Limits = clamp_to_own_limits(
            (
                (resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 2),
                (resource.RLIMIT_FSIZE, file_bytes, file_bytes),
                (resource.RLIMIT_NOFILE, limits.open_files, limits.open_files),
                (resource.RLIMIT_CORE, 0, 0),
                (resource.RLIMIT_NPROC, nproc, nproc),
                (memory_kind, limits.memory_bytes, limits.memory_bytes),
            )
        )
        home = "." if drop else str(job.workspace)  # nobody may not traverse the agent's dirs
        env = {
            "PATH": self._path_env,
            "HOME": home,
            "TMPDIR": home,
            "LC_ALL": "C",
            "LANG": "C",
            **check_task_env(job.env),
        }
        if job.gpu is not None and job.gpu.is_real:
            env["CUDA_VISIBLE_DEVICES"] = str(job.gpu.uuid)
        elif job.runner is not None:
            env["CUDA_VISIBLE_DEVICES"] = ""  # no GPU of this task: the runner sees none
        scratch = None
        if job.runner is not None:
            env.update(RUNNER_ENV)
            if drop:  # nobody cannot reach the workspace by its absolute path: a /tmp of its own
                scratch = Path(tempfile.mkdtemp(prefix="orban-runner-"))
                os.chown(scratch, uid, gid)
                env["HOME"] = env["TMPDIR"] = str(scratch)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
        stdout_fd = os.open(job.private_dir / "stdout.log", flags, 0o600)
        stderr_fd = os.open(job.private_dir / "stderr.log", flags, 0o600)
        script, model = str(job.script), str(job.model)
        pass_fds: tuple[int, ...] = ()
        if drop:  # nobody may not reach the agent's folders: hand over open descriptors
            model_fd = os.open(job.model, os.O_RDONLY | os.O_CLOEXEC)
            model, pass_fds = f"/dev/fd/{model_fd}", (model_fd,)
            if job.runner is None:
                script_fd = os.open(job.script, os.O_RDONLY | os.O_CLOEXEC)
                script, pass_fds = f"/dev/fd/{script_fd}", (script_fd, model_fd)
        relative_output = str(job.output_path.relative_to(job.workspace))
        if job.runner is None:
            argv = [self._shell, script, model, job.input_path.name, relative_output]
        else:
            argv = self._runner_argv(job, model)
        program = argv[0]
        if shutil.which(program) is None:  # found here: past the wrappers it is an exit code
            for fd in (stdout_fd, stderr_fd, *pass_fds):
                os.close(fd)
            raise SandboxError(f"Could not start the workload: {program} is not an executable.")
        if self._limit_tools is None:
            self._limit_tools = LimitTools.find()
        drop_to = (uid, gid) if drop else None
        nice_by = nice_increment(limits.nice)
        files = (stdout_fd, stderr_fd, pass_fds)
        if self._limit_tools.can_wrap(drop_to, nice_by):  # all set by the wrappers
            wrapped = self._limit_tools.wrap(argv, rlimits, drop_to, nice_by)
            return _Launch(wrapped, env, *files, program, None, 0, None, scratch)
        return _Launch(argv, env, *files, program, rlimits, nice_by, drop_to, scratch)

    @staticmethod
    def _runner_argv(job: SandboxJob, model: str) -> list[str]:
        assert job.runner is not None and job.runner.python
        return [
            job.runner.python,
            *job.runner.argv(
                model_dir=model,
                input_path=job.input_path.name,
                output_path=f"{job.output_path.parent.name}/{RUNNER_OUTPUT_NAME}",
                progress_path=RUNNER_PROGRESS_NAME,
            ),
        ]

    async def run(self, job: SandboxJob) -> SandboxRun:
        try:
            launch = await asyncio.to_thread(self._prepare_sync, job)
        except OSError as exc:
            raise SandboxError(f"Could not prepare the process sandbox: {exc}") from exc
        started = time.monotonic()
        fallback: dict[str, object] = {}  # what forbids vfork: only without the wrappers
        if launch.preexec_limits is not None:
            fallback["preexec_fn"] = apply_in_child(launch.preexec_limits, launch.preexec_nice_by)
        if launch.drop_to is not None:
            fallback |= {"user": launch.drop_to[0], "group": launch.drop_to[1], "extra_groups": []}
        try:
            process = await asyncio.create_subprocess_exec(
                *launch.argv,
                stdin=subprocess.DEVNULL,
                stdout=launch.stdout_fd,
                stderr=launch.stderr_fd,
                cwd=job.workspace,
                env=launch.env,
                start_new_session=True,
                pass_fds=launch.pass_fds,
                **fallback,  # type: ignore[arg-type]
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise SandboxError(
                f"Could not start the workload with {launch.workload}: {exc}"
            ) from exc
        finally:
            for fd in (launch.stdout_fd, launch.stderr_fd, *launch.pass_fds):
                os.close(fd)
        timed_out = False
        try:
            try:
                await asyncio.wait_for(process.wait(), job.timeout_s)
            except TimeoutError:
                timed_out = True
                await _stop_group(process, job.kill_grace_s)
        finally:
            if process.returncode is None:  # cancelled or failed while waiting
                await asyncio.shield(_stop_group(process, 0.0))
            _signal_group(process.pid, signal.SIGKILL)  # members left behind by the leader
            if launch.scratch is not None:
                await asyncio.to_thread(shutil.rmtree, launch.scratch, True)
        seconds = time.monotonic() - started
        return await asyncio.to_thread(_ending, job, process.returncode, timed_out, seconds)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


async def _stop_group(process: asyncio.subprocess.Process, grace_s: float) -> None:
    """SIGTERM the group, SIGKILL it after ``grace_s`` seconds, and reap the leader."""
    if grace_s > 0:
        _signal_group(process.pid, signal.SIGTERM)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), grace_s)
    _signal_group(process.pid, signal.SIGKILL)
    await process.wait()


def _ending(job: SandboxJob, returncode: int | None, timed_out: bool, seconds: float) -> SandboxRun:
    stdout = read_tail(job.private_dir / "stdout.log")
    stderr = read_tail(job.private_dir / "stderr.log")
    signum = -returncode if returncode is not None and returncode < 0 else None
    shell_signal = returncode - 128 if returncode is not None and returncode > 128 else None
    ended_by = {signum, shell_signal}
    failed = returncode != 0
    return SandboxRun(
        sandbox=ProcessSandbox.name,
        exit_code=None if signum is not None else returncode,
        signal=signum,
        timed_out=timed_out or signal.SIGXCPU in ended_by,
        oom_killed=failed and not timed_out and bool(_OOM_TEXT.search(stderr)),
        file_limit_hit=failed and (signal.SIGXFSZ in ended_by or bool(_FSIZE_TEXT.search(stderr))),
        duration_s=seconds,
        stdout_tail=stdout,
        stderr_tail=stderr,
    )

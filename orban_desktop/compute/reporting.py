"""What a task reports: its progress through the stages, and the error for a run that failed.

:class:`StageProgress` turns stage changes and per-stage fractions into one overall fraction
(downloading 0-45 %, running 45-90 %, uploading 90-100 %) that never goes backwards, calls the
runtime's ``on_progress(stage, fraction)`` at most once per percent, and never lets an error in
that callback fail the task. :func:`raise_for_ending` maps how a sandbox run ended to the
error tree, as the seed's recovery table says: a timeout is :class:`TaskTimeout` (the agent
reports it and takes new work), a memory kill :class:`OutOfMemory`, everything else
:class:`TaskExecutionFailed`, each with a reason. Imports compute task types, the sandbox base
and the error tree, and nothing from Qt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from orban_desktop.compute.sandbox.base import SandboxJob, SandboxRun
from orban_desktop.compute.task import TaskStage
from orban_desktop.errors import OutOfMemory, TaskExecutionFailed, TaskTimeout

log = logging.getLogger(__name__)

#: The overall fraction each stage covers.
STAGE_SPANS: dict[TaskStage, tuple[float, float]] = {
    TaskStage.DOWNLOADING: (0.0, 0.45),
    TaskStage.RUNNING: (0.45, 0.9),
    TaskStage.UPLOADING: (0.9, 1.0),
    TaskStage.COMPLETED: (1.0, 1.0),
}
_STEP = 0.01
_DETAIL_CHARS = 600


class StageProgress:
    """Reports ``(stage, overall fraction 0..1)`` to ``callback``."""

    def __init__(self, callback: Callable[[TaskStage, float], None]) -> None:
        self._callback = callback
        self._stage = TaskStage.DOWNLOADING
        self._last = -1.0

    @property
    def stage(self) -> TaskStage:
        return self._stage

    def enter(self, stage: TaskStage) -> None:
        """A new stage begins (always reported)."""
        self._stage = stage
        self._emit(STAGE_SPANS[stage][0], force=True)

    def within(self, fraction: float) -> None:
        """The current stage is ``fraction`` (0..1) done."""
        start, end = STAGE_SPANS[self._stage]
        self._emit(start + (end - start) * min(1.0, max(0.0, fraction)), force=False)

    def _emit(self, value: float, *, force: bool) -> None:
        value = max(value, self._last, 0.0)
        if not force and value - self._last < _STEP:
            return
        self._last = value
        try:
            self._callback(self._stage, value)
        except Exception:  # a broken listener must not fail the task
            log.exception("the task progress listener failed")


def _last_lines(text: str) -> str:
    text = text.strip()
    return text[-_DETAIL_CHARS:] if text else "(nothing on stderr)"


def raise_for_ending(ending: SandboxRun, job: SandboxJob, workload: str) -> None:
    """Return when the run succeeded; raise the error that says how it failed.

    Raises:
        TaskTimeout: It ran past its deadline (or CPU limit) and was stopped.
        OutOfMemory: It was killed for using more memory than its limit.
        TaskExecutionFailed: It wrote past the file-size limit or exited with an error.
    """
    context = {
        "sandbox": ending.sandbox,
        "exit_code": ending.exit_code,
        "signal": ending.signal,
        "seconds": round(ending.duration_s, 3),
        "stderr": ending.stderr_tail[-_DETAIL_CHARS:],
    }
    if ending.timed_out:
        raise TaskTimeout(
            f"The {workload} task ran past its {job.timeout_s:g} s limit and was stopped "
            f"({ending.sandbox} sandbox). The agent goes on with other tasks.",
            context=context,
        )
    if ending.oom_killed:
        raise OutOfMemory(
            f"The {workload} task used more than its {job.limits.memory_bytes // 2**20} MiB "
            f"memory limit and was stopped ({ending.sandbox} sandbox). Raise "
            "sandbox.task_memory_limit_mb if this computer has memory to spare.",
            context=context,
        )
    if ending.file_limit_hit:
        limit = max(job.limits.max_output_bytes, job.limits.log_bytes)
        raise TaskExecutionFailed(
            f"The {workload} task wrote more than {limit} bytes to one file or to its log and "
            f"was stopped ({ending.sandbox} sandbox).",
            context=context,
        )
    if ending.exit_code != 0 and job.runner is not None:
        _raise_for_runner(ending, workload, context)
    if ending.exit_code != 0:
        how = (
            f"was killed by signal {ending.signal}"
            if ending.signal is not None
            else f"exited with status {ending.exit_code}"
        )
        raise TaskExecutionFailed(
            f"The {workload} task {how} ({ending.sandbox} sandbox): "
            f"{_last_lines(ending.stderr_tail)}",
            context=context,
        )


#: The runner's exit codes (docs/runner.md) and what they mean for the owner.
_RUNNER_EXITS = {
    2: "the task's input is not valid",
    3: "the assigned device cannot be used",
    4: "the model folder is not one the runner can run",
    5: "the device ran out of memory",
}


def _raise_for_runner(ending: SandboxRun, workload: str, context: dict[str, Any]) -> None:
    """A runner that exited non-zero: its own last line says why (``orban-runner: ...``)."""
    lines = [line for line in ending.stderr_tail.splitlines() if line.strip()]
    said = next((ln for ln in reversed(lines) if ln.startswith("orban-runner:")), None)
    why = said.removeprefix("orban-runner:").strip() if said else _last_lines(ending.stderr_tail)
    meaning = _RUNNER_EXITS.get(ending.exit_code or -1, "the runner failed")
    message = f"The {workload} task failed: {meaning} ({ending.sandbox} sandbox): {why}"
    if ending.exit_code == 5:
        raise OutOfMemory(message, context=context)
    raise TaskExecutionFailed(message, context=context)

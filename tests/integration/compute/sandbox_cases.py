"""Hostile workloads and the checks shared by the process and Docker sandbox tests.

Each script is run exactly like a shipped workload (``sh script model input out/result``).
:class:`AgentHealth` records the agent's own state before a run and checks it after: its
resource limits, user and CPU priority are unchanged, the event loop kept running other work
during the run, and no process the workload started is left; the tests then run a plain workload
again.
"""

from __future__ import annotations

import asyncio
import os
import resource
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from orban_desktop.compute.sandbox.base import (
    OUTPUT_DIR,
    GpuAssignment,
    ResourceLimits,
    Sandbox,
    SandboxJob,
)

T = TypeVar("T")

#: A marker in the command lines of processes the hostile workloads start.
MARKER = "20.4242"

HAPPY = """
set -eu
model_hash=$(sha256sum < "$1"); input_hash=$(sha256sum < "$2")
printf '%s\\n%s\\n' "${model_hash%% *}" "${input_hash%% *}" > "$3"
echo "done"
"""
WRITES_TO_ROOT = """
echo owned > /orban-sandbox-escape && echo "WROTE /" && exit 0
echo owned > /etc/orban-sandbox-escape && echo "WROTE /etc" && exit 0
exit 3
"""
TRIES_THE_NETWORK = """
for target in http://172.17.0.1:$ORBAN_PROBE_PORT/ http://1.1.1.1/ http://example.com/; do
    if wget -q -T 2 -O /dev/null "$target"; then echo "REACHED $target"; exit 0; fi
done
ls /sys/class/net > "$3"
exit 3
"""
FORK_BOMB = f"""
started=0
while :; do sleep {MARKER} & started=$((started + 1)); echo "$started" > "$3"; done
"""
MEMORY_HOG = """
awk 'BEGIN { s = "x"; while (1) { s = s s } }'
"""
FLOOD = """
yes "flooding the log with gigabytes of output"
"""
PAST_DEADLINE = f"""
sleep {MARKER}
"""
IGNORES_SIGTERM = f"""
trap '' TERM
while :; do sleep {MARKER}; done
"""
SYMLINK_OUTPUT = """
ln -s /etc/passwd "$3"
"""


def small_limits(**changes: object) -> ResourceLimits:
    values: dict[str, object] = {
        "memory_bytes": 96 << 20, "cpu_cores": 1.0, "pids": 32, "max_output_bytes": 1 << 20,
        "tmpfs_bytes": 8 << 20, "log_bytes": 256 << 10, "open_files": 64,
    }  # fmt: skip
    values.update(changes)
    return ResourceLimits(**values)  # type: ignore[arg-type]


def make_job(
    root: Path,
    script: str,
    *,
    timeout_s: float = 10,
    limits: ResourceLimits | None = None,
    env: dict[str, str] | None = None,
    model: bytes = b"model weights\n",
    data: bytes = b"input data\n",
) -> SandboxJob:
    """A job for ``script`` with its own workloads folder, model file and workspace."""
    workloads = root / "workloads"
    workloads.mkdir(parents=True, exist_ok=True)
    (workloads / "w.sh").write_text(script)
    (root / "model").write_bytes(model)
    os.chmod(root / "model", 0o444)
    workspace = root / "task" / "workspace"
    (workspace / OUTPUT_DIR).mkdir(parents=True)
    (workspace / "input").write_bytes(data)
    (root / "task" / "private").mkdir()
    return SandboxJob(
        task_id="task-hostile",
        script=workloads / "w.sh",
        model=root / "model",
        workspace=workspace,
        private_dir=root / "task" / "private",
        timeout_s=timeout_s,
        limits=limits or small_limits(),
        gpu=GpuAssignment(0, "SIM-0"),
        env=env or {},
        kill_grace_s=0.5,
    )


def processes_with_marker() -> list[int]:
    """Pids whose command line contains :data:`MARKER` (left-over workload processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if MARKER.encode() in cmdline and int(entry.name) != os.getpid():
                found.append(int(entry.name))
    return found


_LIMITS = ("RLIMIT_AS", "RLIMIT_DATA", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NOFILE",
           "RLIMIT_NPROC", "RLIMIT_CORE")  # fmt: skip


@dataclass
class AgentHealth:
    """The agent's own state around one hostile run."""

    limits: dict[str, tuple[int, int]] = field(default_factory=dict)
    ids: tuple[int, int] = (0, 0)
    nice: int = 0
    ticks: int = 0

    @classmethod
    def before(cls) -> AgentHealth:
        return cls(
            {name: resource.getrlimit(getattr(resource, name)) for name in _LIMITS},
            (os.geteuid(), os.getegid()),
            os.getpriority(os.PRIO_PROCESS, 0),
        )

    async def watch(self, run: Awaitable[T]) -> T:
        """Await ``run`` while a ticker counts how often the event loop got to run it."""

        async def tick() -> None:
            while True:
                self.ticks += 1
                await asyncio.sleep(0.05)

        ticker = asyncio.create_task(tick())
        try:
            return await run
        finally:
            ticker.cancel()

    async def assert_healthy(self, sandbox: Sandbox, root: Path) -> None:
        after = {name: resource.getrlimit(getattr(resource, name)) for name in _LIMITS}
        assert after == self.limits
        assert (os.geteuid(), os.getegid()) == self.ids
        assert os.getpriority(os.PRIO_PROCESS, 0) == self.nice
        assert self.ticks >= 1  # the loop ran other work while the sandbox ran
        for _ in range(50):  # killed processes may take a moment to be gone from /proc
            if not processes_with_marker():
                break
            await asyncio.sleep(0.05)
        assert processes_with_marker() == []
        again = await sandbox.run(make_job(root / "after", HAPPY))
        assert again.succeeded, again.stderr_tail

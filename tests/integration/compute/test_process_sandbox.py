"""The process sandbox with real child processes: a real workload, then hostile ones.

Each test runs twice: with the limits and the user set by util-linux's ``prlimit``/``setpriv``
before the workload's exec (the agent is spawned with vfork), and with the fallback that sets
them in a ``preexec_fn`` (hosts without those tools).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os
from pathlib import Path

import pytest

from orban_desktop.compute.executor import WORKLOADS_DIR
from orban_desktop.compute.outputs import collect_output
from orban_desktop.compute.sandbox.base import OUTPUT_DIR, OUTPUT_NAME
from orban_desktop.compute.sandbox.limits_exec import LimitTools
from orban_desktop.compute.sandbox.process import ProcessSandbox
from orban_desktop.errors import SandboxError, TaskExecutionFailed
from tests.integration.compute import sandbox_cases as cases
from tests.integration.compute.sandbox_cases import AgentHealth, make_job, small_limits
from tests.unit.compute.test_runner_launch import LAUNCH

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs Linux /proc")
_TOOLS = LimitTools.find()


@pytest.fixture(
    params=[
        pytest.param(
            _TOOLS,
            id="prlimit",
            marks=pytest.mark.skipif(not _TOOLS.can_wrap((0, 0)), reason="needs util-linux"),
        ),
        pytest.param(LimitTools(None, None), id="preexec_fn"),
    ]
)
def sandbox(request: pytest.FixtureRequest) -> ProcessSandbox:
    return ProcessSandbox(limit_tools=request.param)


async def test_the_checksum_workload_runs(tmp_path: Path, sandbox: ProcessSandbox) -> None:
    job = make_job(tmp_path, (WORKLOADS_DIR / "checksum.sh").read_text())
    ending = await sandbox.run(job)
    assert ending.succeeded, ending.stderr_tail
    lines = job.output_path.read_text().splitlines()
    assert lines[0] == hashlib.sha256(b"model weights\n").hexdigest()
    assert lines[3:] == ["11", "1"]


async def test_the_workload_sees_a_scrubbed_environment(
    tmp_path: Path, sandbox: ProcessSandbox
) -> None:
    os.environ["ORBAN_TEST_SECRET"] = "agent-only"
    try:
        job = make_job(tmp_path, 'env > "$3"', env={"ORBAN_TASK_ID": "t-1"})
        ending = await sandbox.run(job)
    finally:
        del os.environ["ORBAN_TEST_SECRET"]
    assert ending.succeeded
    names = {line.split("=", 1)[0] for line in job.output_path.read_text().splitlines()}
    assert "ORBAN_TEST_SECRET" not in names
    assert {"PATH", "HOME", "LC_ALL", "ORBAN_TASK_ID"} <= names


async def test_the_workload_runs_in_its_own_session_unprivileged(
    tmp_path: Path, sandbox: ProcessSandbox
) -> None:
    job = make_job(tmp_path, 'id -u > "$3"; ps -o sid= -p $$ >> "$3" 2>/dev/null || true')
    ending = await sandbox.run(job)
    assert ending.succeeded
    lines = job.output_path.read_text().split()
    assert int(lines[0]) == (65534 if os.geteuid() == 0 else os.getuid())
    if len(lines) > 1:
        assert int(lines[1]) != os.getsid(0)


async def test_writing_to_the_root_folder_is_refused(
    tmp_path: Path, sandbox: ProcessSandbox
) -> None:
    health = AgentHealth.before()
    ending = await health.watch(sandbox.run(make_job(tmp_path, cases.WRITES_TO_ROOT)))
    assert ending.exit_code == 3, ending.stdout_tail
    assert "WROTE" not in ending.stdout_tail
    assert not Path("/orban-sandbox-escape").exists()
    assert not Path("/etc/orban-sandbox-escape").exists()
    await health.assert_healthy(sandbox, tmp_path)


async def test_a_fork_bomb_is_held_by_the_process_limit(
    tmp_path: Path, sandbox: ProcessSandbox
) -> None:
    health = AgentHealth.before()
    job = make_job(tmp_path, cases.FORK_BOMB, timeout_s=2, limits=small_limits(pids=24))
    ending = await health.watch(sandbox.run(job))
    assert not ending.succeeded
    assert ending.timed_out or "fork" in ending.stderr_tail.lower()
    # forks stopped near the limit (24 above what the user already runs, counted at the start)
    assert 1 <= int(job.output_path.read_text()) < 48
    await health.assert_healthy(sandbox, tmp_path)


async def test_unbounded_allocation_is_reported_as_out_of_memory(
    tmp_path: Path, sandbox: ProcessSandbox
) -> None:
    health = AgentHealth.before()
    ending = await health.watch(sandbox.run(make_job(tmp_path, cases.MEMORY_HOG)))
    assert ending.oom_killed, ending.stderr_tail
    assert not ending.timed_out
    await health.assert_healthy(sandbox, tmp_path)


async def test_a_flood_of_output_is_stopped_at_the_file_size_limit(
    tmp_path: Path, sandbox: ProcessSandbox
) -> None:
    health = AgentHealth.before()
    job = make_job(tmp_path, cases.FLOOD, timeout_s=30)
    ending = await health.watch(sandbox.run(job))
    assert ending.file_limit_hit
    assert not ending.timed_out
    assert (job.private_dir / "stdout.log").stat().st_size <= 1 << 20
    assert len(ending.stdout_tail) <= 16 * 1024
    await health.assert_healthy(sandbox, tmp_path)


async def test_a_run_past_its_deadline_is_killed(tmp_path: Path, sandbox: ProcessSandbox) -> None:
    health = AgentHealth.before()
    job = make_job(tmp_path, cases.PAST_DEADLINE, timeout_s=0.5)
    ending = await health.watch(sandbox.run(job))
    assert ending.timed_out
    await health.assert_healthy(sandbox, tmp_path)


async def test_a_workload_ignoring_sigterm_is_killed_after_the_grace(
    tmp_path: Path, sandbox: ProcessSandbox
) -> None:
    health = AgentHealth.before()
    job = make_job(tmp_path, cases.IGNORES_SIGTERM, timeout_s=0.5)
    ending = await health.watch(sandbox.run(job))
    assert ending.timed_out
    assert ending.signal == 9  # SIGTERM was ignored, so SIGKILL ended it
    await health.assert_healthy(sandbox, tmp_path)


async def test_a_symlink_left_as_output_is_not_followed(
    tmp_path: Path, sandbox: ProcessSandbox
) -> None:
    health = AgentHealth.before()
    job = make_job(tmp_path, cases.SYMLINK_OUTPUT)
    ending = await health.watch(sandbox.run(job))
    assert ending.succeeded
    with pytest.raises(TaskExecutionFailed, match="symbolic link"):
        collect_output(job.workspace / OUTPUT_DIR, OUTPUT_NAME, tmp_path / "copy", 1 << 20)
    assert not (tmp_path / "copy").exists()
    await health.assert_healthy(sandbox, tmp_path)


async def test_cancelling_the_run_kills_the_workload(
    tmp_path: Path, sandbox: ProcessSandbox
) -> None:
    health = AgentHealth.before()
    job = make_job(tmp_path, cases.IGNORES_SIGTERM, timeout_s=60)
    run = asyncio.create_task(health.watch(sandbox.run(job)))
    for _ in range(100):
        if cases.processes_with_marker():
            break
        await asyncio.sleep(0.02)
    assert cases.processes_with_marker()
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    await health.assert_healthy(sandbox, tmp_path)


def _limits_seen(text: str) -> dict[str, tuple[str, str]]:
    """``/proc/<pid>/limits`` as {name: (soft, hard)}."""
    seen = {}
    for line in text.splitlines()[1:]:
        words = line.split()
        names = [w for w in words if not w.isdigit() and w != "unlimited"]
        values = [w for w in words if w.isdigit() or w == "unlimited"]
        seen[" ".join(names[:-1] if len(names) > 2 else names)] = (values[0], values[1])
    return seen


async def test_the_workload_runs_under_its_limits(tmp_path: Path, sandbox: ProcessSandbox) -> None:
    job = make_job(tmp_path, 'cat /proc/self/limits > "$3"', timeout_s=10)
    ending = await sandbox.run(job)
    assert ending.succeeded, ending.stderr_tail
    seen = _limits_seen(job.output_path.read_text())
    assert seen["Max cpu time"] == ("11", "13")  # the timeout in CPU seconds, one core
    assert seen["Max file size"] == (str(1 << 20), str(1 << 20))
    assert seen["Max open files"] == ("64", "64")
    assert seen["Max core file size"] == ("0", "0")
    assert seen["Max address space"] == (str(96 << 20), str(96 << 20))
    soft, hard = seen["Max processes"]
    assert soft == hard and int(soft) >= 32  # what the user runs already, plus the pids limit


async def test_a_missing_runner_program_is_a_sandbox_error(
    tmp_path: Path, sandbox: ProcessSandbox
) -> None:
    job = make_job(tmp_path, cases.HAPPY)
    runner = dataclasses.replace(LAUNCH, python=str(tmp_path / "no-such-python"))
    job = dataclasses.replace(job, runner=runner)
    with pytest.raises(SandboxError, match="no-such-python is not an executable"):
        await sandbox.run(job)


@pytest.mark.parametrize("nice", [19, 5, 0])
async def test_the_workload_runs_at_its_cpu_priority(
    tmp_path: Path, sandbox: ProcessSandbox, nice: int
) -> None:
    health = AgentHealth.before()
    job = make_job(
        tmp_path, 'cut -d " " -f 19 /proc/self/stat > "$3"', limits=small_limits(nice=nice)
    )
    ending = await health.watch(sandbox.run(job))
    assert ending.succeeded, ending.stderr_tail
    assert int(job.output_path.read_text()) == max(nice, os.getpriority(os.PRIO_PROCESS, 0))
    assert os.getpriority(os.PRIO_PROCESS, 0) == health.nice  # the agent's own is unchanged

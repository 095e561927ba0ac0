"""The Docker sandbox on a real engine: the container's settings, a real workload, hostile ones."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from docker.errors import NotFound

from orban_desktop.compute.executor import WORKLOADS_DIR
from orban_desktop.compute.outputs import collect_output
from orban_desktop.compute.sandbox.base import OUTPUT_DIR, OUTPUT_NAME
from orban_desktop.compute.sandbox.docker import DockerSandbox
from orban_desktop.compute.sandbox.docker_config import AGENT_LABEL, AGENT_PID_LABEL, TASK_LABEL
from orban_desktop.errors import TaskExecutionFailed
from tests.integration.compute import sandbox_cases as cases
from tests.integration.compute.sandbox_cases import AgentHealth, make_job, small_limits


@pytest.fixture
async def sandbox(docker_client: Any, test_image: str) -> AsyncIterator[DockerSandbox]:
    yield await DockerSandbox.connect(test_image, client_factory=lambda: docker_client)


def task_containers(client: Any) -> list[Any]:
    """The test's task containers; a container removed while being listed is left out (the SDK
    inspects each one after listing, and an earlier test's container may just be going)."""
    found = []
    for sparse in client.containers.list(
        all=True, sparse=True, filters={"label": f"{TASK_LABEL}=task-hostile"}
    ):
        try:
            found.append(client.containers.get(sparse.id))
        except NotFound:
            continue
    return found


async def wait_for_container(client: Any) -> Any:
    for _ in range(200):
        found = await asyncio.to_thread(task_containers, client)
        if found and found[0].status == "running":
            return found[0]
        await asyncio.sleep(0.02)
    raise AssertionError("the task container never started")


async def test_the_checksum_workload_runs_in_a_container(
    sandbox: DockerSandbox, docker_client: Any, tmp_path: Path
) -> None:
    job = make_job(tmp_path, (WORKLOADS_DIR / "checksum.sh").read_text())
    ending = await sandbox.run(job)
    assert ending.succeeded, ending.stderr_tail
    assert ending.sandbox == "docker"
    lines = job.output_path.read_text().splitlines()
    assert lines[0] == hashlib.sha256(b"model weights\n").hexdigest()
    assert lines[2] == hashlib.sha256(b"model weights\ninput data\n").hexdigest()
    assert lines[3:] == ["11", "1"]
    assert task_containers(docker_client) == []  # removed after the run


async def test_the_created_container_has_every_hardening_flag(
    sandbox: DockerSandbox, docker_client: Any, tmp_path: Path
) -> None:
    script = (
        'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status > "$3"; id -u >> "$3"; sleep 1'
    )
    job = make_job(tmp_path, script, limits=small_limits(cpu_cores=0.5))
    run = asyncio.create_task(sandbox.run(job))
    container = await wait_for_container(docker_client)
    host, config = container.attrs["HostConfig"], container.attrs["Config"]
    assert host["NetworkMode"] == "none"
    assert host["ReadonlyRootfs"] is True
    assert host["Tmpfs"] == {"/tmp": f"rw,nosuid,nodev,noexec,size={8 << 20},mode=1777"}
    assert host["Memory"] == host["MemorySwap"] == 96 << 20
    assert host["NanoCpus"] == 500_000_000
    assert host["PidsLimit"] == 32
    assert host["CapDrop"] == ["ALL"] and not host["CapAdd"]
    assert host["SecurityOpt"] == ["no-new-privileges"]  # no seccomp=unconfined: the default
    assert host["Privileged"] is False
    assert host["Init"] is True
    log_config = {"max-size": str(256 << 10), "max-file": "1"}
    assert host["LogConfig"] == {"Type": "json-file", "Config": log_config}
    assert {u["Name"]: u["Hard"] for u in host["Ulimits"]} == {
        "nofile": 64, "fsize": 1 << 20, "core": 0,
    }  # fmt: skip
    assert not host.get("DeviceRequests")
    assert config["User"] not in ("", "0", "root", "0:0")
    assert config["Labels"][AGENT_LABEL] == "1"
    mounts = {m["Destination"]: m for m in container.attrs["Mounts"]}
    assert mounts["/model/model"]["RW"] is False
    assert mounts["/opt/orban/workloads"]["RW"] is False
    assert mounts["/workspace"]["RW"] is True
    ending = await run
    assert ending.succeeded, ending.stderr_tail
    status = dict(line.split(":\t") for line in job.output_path.read_text().splitlines()[:3])
    assert int(status["CapEff"], 16) == 0
    assert status["NoNewPrivs"] == "1"
    assert status["Seccomp"] == "2"  # a seccomp filter is active
    assert job.output_path.read_text().splitlines()[3] != "0"


@pytest.fixture
def probe_port() -> Iterator[int]:
    """A TCP server on every host address: what an unisolated workload could reach."""
    with socket.socket() as listener:
        listener.bind(("0.0.0.0", 0))
        listener.listen()
        yield listener.getsockname()[1]


async def test_a_workload_cannot_reach_the_network(
    sandbox: DockerSandbox, tmp_path: Path, probe_port: int
) -> None:
    health = AgentHealth.before()
    job = make_job(tmp_path, cases.TRIES_THE_NETWORK, env={"ORBAN_PROBE_PORT": str(probe_port)})
    ending = await health.watch(sandbox.run(job))
    assert ending.exit_code == 3, ending.stdout_tail
    assert "REACHED" not in ending.stdout_tail
    assert job.output_path.read_text().split() == ["lo"]
    await health.assert_healthy(sandbox, tmp_path)


async def test_writing_to_the_root_folder_fails(sandbox: DockerSandbox, tmp_path: Path) -> None:
    health = AgentHealth.before()
    ending = await health.watch(sandbox.run(make_job(tmp_path, cases.WRITES_TO_ROOT)))
    assert ending.exit_code == 3, ending.stdout_tail
    assert "Read-only file system" in ending.stderr_tail
    await health.assert_healthy(sandbox, tmp_path)


async def test_a_fork_bomb_is_held_by_the_pids_limit(
    sandbox: DockerSandbox, tmp_path: Path
) -> None:
    health = AgentHealth.before()
    job = make_job(tmp_path, cases.FORK_BOMB, timeout_s=3, limits=small_limits(pids=24))
    ending = await health.watch(sandbox.run(job))
    assert not ending.succeeded
    assert 1 <= int(job.output_path.read_text()) < 24
    await health.assert_healthy(sandbox, tmp_path)


async def test_unbounded_allocation_is_killed_as_out_of_memory(
    sandbox: DockerSandbox, tmp_path: Path
) -> None:
    health = AgentHealth.before()
    ending = await health.watch(sandbox.run(make_job(tmp_path, cases.MEMORY_HOG, timeout_s=30)))
    assert ending.oom_killed, ending
    assert not ending.timed_out
    await health.assert_healthy(sandbox, tmp_path)


async def test_a_flood_of_output_keeps_only_a_capped_log(
    sandbox: DockerSandbox, docker_client: Any, tmp_path: Path
) -> None:
    health = AgentHealth.before()
    run = asyncio.create_task(
        health.watch(sandbox.run(make_job(tmp_path, cases.FLOOD, timeout_s=2)))
    )
    container = await wait_for_container(docker_client)
    await asyncio.sleep(1)
    log_path = Path(container.attrs["LogPath"])
    if os.access(log_path, os.R_OK):
        assert log_path.stat().st_size <= 2 * (256 << 10)  # json-file max-size (with framing)
    ending = await run
    assert ending.timed_out
    assert 0 < len(ending.stdout_tail) <= 16 * 1024
    await health.assert_healthy(sandbox, tmp_path)


async def test_a_run_past_its_deadline_is_killed(sandbox: DockerSandbox, tmp_path: Path) -> None:
    health = AgentHealth.before()
    ending = await health.watch(sandbox.run(make_job(tmp_path, cases.PAST_DEADLINE, timeout_s=1)))
    assert ending.timed_out
    await health.assert_healthy(sandbox, tmp_path)


async def test_a_workload_ignoring_sigterm_is_killed_after_the_grace(
    sandbox: DockerSandbox, tmp_path: Path
) -> None:
    health = AgentHealth.before()
    job = make_job(tmp_path, cases.IGNORES_SIGTERM, timeout_s=1)
    ending = await health.watch(sandbox.run(job))
    assert ending.timed_out
    assert ending.exit_code == 137  # SIGKILL after the grace period
    await health.assert_healthy(sandbox, tmp_path)


async def test_a_symlink_left_as_output_is_not_followed(
    sandbox: DockerSandbox, tmp_path: Path
) -> None:
    health = AgentHealth.before()
    job = make_job(tmp_path, cases.SYMLINK_OUTPUT)
    ending = await health.watch(sandbox.run(job))
    assert ending.succeeded, ending.stderr_tail
    with pytest.raises(TaskExecutionFailed, match="symbolic link"):
        collect_output(job.workspace / OUTPUT_DIR, OUTPUT_NAME, tmp_path / "copy", 1 << 20)
    await health.assert_healthy(sandbox, tmp_path)


async def test_cancelling_the_run_kills_and_removes_the_container(
    sandbox: DockerSandbox, docker_client: Any, tmp_path: Path
) -> None:
    run = asyncio.create_task(sandbox.run(make_job(tmp_path, cases.IGNORES_SIGTERM, timeout_s=60)))
    await wait_for_container(docker_client)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert task_containers(docker_client) == []
    assert cases.processes_with_marker() == []


def dead_pid() -> int:
    """The pid of a process that has ended (and was reaped)."""
    done = subprocess.run(["/bin/sh", "-c", "echo $$"], capture_output=True, text=True, check=True)
    return int(done.stdout)


async def test_leftover_containers_of_a_gone_agent_are_removed_at_start(
    docker_client: Any, test_image: str
) -> None:
    def labelled(pid: str | None) -> Any:
        labels = {AGENT_LABEL: "1", TASK_LABEL: "crashed-run"}
        if pid is not None:
            labels[AGENT_PID_LABEL] = pid
        return docker_client.containers.run(test_image, ["sleep", "60"], labels=labels, detach=True)

    gone = labelled(str(dead_pid()))
    unlabelled = labelled(None)
    alive = labelled(str(os.getpid()))  # an agent that still runs (here: this test process)
    try:
        sandbox = await DockerSandbox.connect(test_image, client_factory=lambda: docker_client)
        ids = {c.id for c in docker_client.containers.list(all=True)}
        assert gone.id not in ids and unlabelled.id not in ids
        assert alive.id in ids
        assert sandbox.image == test_image
    finally:
        alive.remove(force=True)

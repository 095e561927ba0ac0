"""Choosing the sandbox when Docker is not running: fall back only when both sides allow it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import docker
import pytest

from orban_desktop.compute.sandbox.docker import DockerSandbox
from orban_desktop.compute.sandbox.docker_client import DockerUnavailable
from orban_desktop.compute.sandbox.process import ProcessSandbox
from orban_desktop.compute.sandbox.select import SandboxPolicy, SandboxSelector
from orban_desktop.config import SandboxSection
from orban_desktop.errors import SandboxError, ValidationFailed
from orban_desktop.protocol.jobspec import WORKLOAD_CHECKSUM, JobSpec, RunnerJob

SPEC = JobSpec(WORKLOAD_CHECKSUM, 1, 1)
DOCKER_ONLY_SPEC = JobSpec(WORKLOAD_CHECKSUM, 1, 1, allow_process_sandbox=False)


def no_engine(tmp_path: Path) -> Any:
    """A Docker client pointed at a socket nobody listens on: an engine that is not running."""
    return lambda: docker.DockerClient(base_url=f"unix://{tmp_path}/docker.sock", version="1.41")


async def test_connecting_without_an_engine_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(DockerUnavailable, match=r"start it .*systemctl start docker") as caught:
        await DockerSandbox.connect("img", client_factory=no_engine(tmp_path))
    assert "Details:" in caught.value.message


async def test_auto_falls_back_to_the_process_sandbox_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    selector = SandboxSelector(SandboxPolicy(), docker_client_factory=no_engine(tmp_path))
    with caplog.at_level(logging.WARNING):
        sandbox = await selector.choose(SPEC)
    assert isinstance(sandbox, ProcessSandbox)
    assert "so they run in the process sandbox, which does not isolate" in caplog.text
    assert "allow the process sandbox" not in caplog.text  # no advice to do what it does
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        await selector.choose(SPEC)
    assert caplog.text == ""  # said once, not per task


RUNNER_SPEC = JobSpec(
    "text-embedding",
    1,
    1,
    runner=RunnerJob("text-embedding", "orban/runner:0.1.0", "m", "hf-folder-tar", 4, 4, "fp32", 8),
)


async def test_a_runner_task_without_docker_needs_a_runner_environment(tmp_path: Path) -> None:
    selector = SandboxSelector(SandboxPolicy(), docker_client_factory=no_engine(tmp_path))
    with pytest.raises(SandboxError, match="Real tasks need Docker or a runner environment"):
        await selector.choose(RUNNER_SPEC)
    with_env = SandboxSelector(
        SandboxPolicy(runner_python="/usr/bin/python3"), docker_client_factory=no_engine(tmp_path)
    )
    assert isinstance(await with_env.choose(RUNNER_SPEC), ProcessSandbox)


async def test_a_runner_task_naming_another_image_is_refused(tmp_path: Path) -> None:
    selector = SandboxSelector(
        SandboxPolicy(runner_python="/usr/bin/python3"), docker_client_factory=no_engine(tmp_path)
    )
    spec = JobSpec(
        "text-embedding",
        1,
        1,
        runner=RunnerJob("text-embedding", "evil/miner:1", "m", "hf-folder-tar", 4, 4, "fp32", 8),
    )
    with pytest.raises(ValidationFailed, match="does not allow"):
        await selector.choose(spec)


@pytest.mark.parametrize(
    ("policy", "spec", "text"),
    [
        (SandboxPolicy(allow_process_fallback=False), SPEC, "switched off"),
        (SandboxPolicy(), DOCKER_ONLY_SPEC, "does not allow the process sandbox"),
        (SandboxPolicy(preference="docker"), SPEC, "Docker is not running"),
    ],
)
async def test_no_fallback_unless_policy_and_task_allow_it(
    tmp_path: Path, policy: SandboxPolicy, spec: JobSpec, text: str
) -> None:
    selector = SandboxSelector(policy, docker_client_factory=no_engine(tmp_path))
    with pytest.raises(DockerUnavailable, match=text):
        await selector.choose(spec)


async def test_preference_process_never_touches_docker(tmp_path: Path) -> None:
    def forbidden() -> Any:
        raise AssertionError("Docker must not be asked")

    selector = SandboxSelector(SandboxPolicy(preference="process"), docker_client_factory=forbidden)
    assert isinstance(await selector.choose(SPEC), ProcessSandbox)
    with pytest.raises(SandboxError, match="must run in Docker"):
        await selector.choose(DOCKER_ONLY_SPEC)
    await selector.close()


def test_the_policy_mirrors_the_config_section() -> None:
    section = SandboxSection(
        preference="docker", allow_process_fallback=False, docker_image="orban/runner:2",
        task_memory_limit_mb=1024, task_cpu_limit=0.5, task_pids_limit=64, task_timeout_secs=60,
    )  # fmt: skip
    policy = SandboxPolicy.from_section(section)
    assert policy == SandboxPolicy(
        preference="docker", allow_process_fallback=False, docker_image="orban/runner:2",
        memory_limit_mb=1024, cpu_limit=0.5, pids_limit=64, max_timeout_secs=60,
    )  # fmt: skip
    limits = policy.limits(max_output_bytes=4096)
    assert (limits.memory_bytes, limits.cpu_cores, limits.pids) == (1 << 30, 0.5, 64)
    assert limits.max_output_bytes == 4096


async def test_the_fallback_is_said_once_per_change_of_state(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """One line for Docker missing (canary and runner tasks alike), none per task."""
    selector = SandboxSelector(
        SandboxPolicy(runner_python="/usr/bin/python3"), docker_client_factory=no_engine(tmp_path)
    )
    with caplog.at_level(logging.INFO, logger="orban_desktop.compute.sandbox.select"):
        for _ in range(5):
            await selector.choose(SPEC)
            await selector.choose(RUNNER_SPEC)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "Docker cannot run tasks here, so they run in the process sandbox" in warnings[0].message

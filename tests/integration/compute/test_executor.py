"""The executor end to end: real HTTP artifacts, the cache, a real sandbox, the upload."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from orban_desktop.compute.cache import ModelCache
from orban_desktop.compute.executor import TaskExecutor
from orban_desktop.compute.http import TransferSettings
from orban_desktop.compute.sandbox.base import GpuAssignment
from orban_desktop.compute.sandbox.select import SandboxPolicy
from orban_desktop.compute.task import GpuSample, TaskStage
from orban_desktop.errors import (
    DownloadFailed,
    SandboxError,
    TaskExecutionFailed,
    TaskTimeout,
    UploadFailed,
)
from tests.integration.compute import sandbox_cases as cases
from tests.integration.compute.artifact_server import ArtifactServer
from tests.unit.compute.factories import job_config, make_assign, sha256_hex

MODEL, DATA = b"model weights v1\n", b"first line\nsecond line\n"
GPU = GpuAssignment(0, "SIM-0")
Factory = Callable[..., TaskExecutor]


@pytest.fixture(params=["process", "docker"])
def sandbox_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def make_executor(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Factory]:
    made: list[TaskExecutor] = []

    def factory(
        kind: str = "process", workloads: Path | None = None, **policy: object
    ) -> TaskExecutor:
        image = request.getfixturevalue("test_image") if kind == "docker" else "unused"
        settings: dict[str, object] = {
            "preference": kind, "docker_image": image, "memory_limit_mb": 256,
            "pids_limit": 64, "kill_grace_s": 0.5,
        }  # fmt: skip
        settings.update(policy)
        executor = TaskExecutor(
            cache=ModelCache(tmp_path / "cache", 1 << 20),
            work_root=tmp_path / "work",
            sandbox_policy=SandboxPolicy(**settings),  # type: ignore[arg-type]
            workloads_dir=workloads,
            transfer_settings=TransferSettings(backoff_s=(0.01,)),
            gpu_sampler=lambda index: GpuSample(75.0, 2 << 30, 120.0),
            sample_interval_s=0.05,
        )
        made.append(executor)
        return executor

    yield factory
    for executor in made:
        await executor.aclose()


def assign_for(server: ArtifactServer, model: bytes = MODEL, data: bytes = DATA, **config: object):  # type: ignore[no-untyped-def]
    server.files["model"], server.files["input"] = model, data
    return make_assign(
        model_url=server.url("/files/model"),
        model_hash=f"sha256:{sha256_hex(model)}",
        input_url=server.url("/files/input"),
        output_url=server.url("/upload/result"),
        config=job_config(model, data, **config),
    )


def hostile_workloads(tmp_path: Path, script: str) -> Path:
    folder = tmp_path / "hostile-workloads"
    folder.mkdir(exist_ok=True)
    (folder / "checksum.sh").write_text(script)
    return folder


async def test_a_checksum_task_runs_and_its_result_is_uploaded(
    server: ArtifactServer, make_executor: Factory, sandbox_kind: str, tmp_path: Path
) -> None:
    executor = make_executor(sandbox_kind)
    stages: list[tuple[TaskStage, float]] = []
    outcome = await executor.execute(
        executor.prepare(assign_for(server)), GPU, lambda s, f: stages.append((s, f))
    )
    expected = "\n".join([
        sha256_hex(MODEL), sha256_hex(DATA), sha256_hex(MODEL + DATA), str(len(DATA)), "2",
    ]).encode() + b"\n"  # fmt: skip
    uploaded = server.uploads["result"]
    assert uploaded.body == expected
    assert uploaded.sha256_header == sha256_hex(expected)
    assert outcome.result.output_hash == f"sha256:{sha256_hex(expected)}"
    assert outcome.result.output_url == server.url("/upload/result")
    assert outcome.result.execution_time_sec >= outcome.result.gpu_time_sec >= 1
    assert outcome.sandbox == sandbox_kind
    assert outcome.peak_vram_bytes == 2 << 30
    assert outcome.metrics.avg_gpu_utilization == pytest.approx(0.75)
    assert outcome.metrics.peak_memory_gb == pytest.approx(2.0)
    assert outcome.energy_kwh is not None and outcome.energy_kwh > 0
    assert (stages[0][0], stages[-1][0]) == (TaskStage.DOWNLOADING, TaskStage.COMPLETED)
    assert {TaskStage.RUNNING, TaskStage.UPLOADING} <= {s for s, _ in stages}
    assert [f for _, f in stages] == sorted(f for _, f in stages)
    assert list((tmp_path / "work").iterdir()) == []


async def test_the_second_task_with_the_same_model_uses_the_cache(
    server: ArtifactServer, make_executor: Factory
) -> None:
    executor = make_executor()
    first = await executor.execute(executor.prepare(assign_for(server)), GPU, lambda s, f: None)
    second = await executor.execute(executor.prepare(assign_for(server)), GPU, lambda s, f: None)
    assert (first.model_was_cached, second.model_was_cached) == (False, True)
    assert server.hits["/files/model"] == 1 and server.hits["/files/input"] == 2


async def test_a_checksum_task_in_docker(server: ArtifactServer, make_executor: Factory) -> None:
    executor = make_executor("docker")
    assign = assign_for(server, b"weights", b"one\ntwo\n")
    outcome = await executor.execute(executor.prepare(assign), GPU, lambda s, f: None)
    lines = server.uploads["result"].body.decode().splitlines()
    assert lines[3:] == ["8", "2"]
    assert outcome.sandbox == "docker"


async def test_a_model_with_the_wrong_hash_fails_before_running(
    server: ArtifactServer, make_executor: Factory, tmp_path: Path
) -> None:
    executor = make_executor()
    assign = assign_for(server)
    server.files["model"] = b"model weights v2\n"  # same size, other bytes
    with pytest.raises(DownloadFailed, match="expected sha256:"):
        await executor.execute(executor.prepare(assign), GPU, lambda s, f: None)
    assert server.uploads == {}
    assert list((tmp_path / "work").iterdir()) == []
    assert list((tmp_path / "cache" / "sha256").iterdir()) == []


async def test_a_task_past_its_deadline_is_reported_as_a_timeout(
    server: ArtifactServer, make_executor: Factory, sandbox_kind: str, tmp_path: Path
) -> None:
    executor = make_executor(sandbox_kind, hostile_workloads(tmp_path, cases.IGNORES_SIGTERM))
    assign = assign_for(server, timeout_sec=1)
    with pytest.raises(TaskTimeout, match="ran past its 1 s limit"):
        await executor.execute(executor.prepare(assign), GPU, lambda s, f: None)
    assert server.uploads == {}
    assert list((tmp_path / "work").iterdir()) == []
    assert cases.processes_with_marker() == []


async def test_a_symlinked_output_is_refused_and_nothing_is_uploaded(
    server: ArtifactServer, make_executor: Factory, sandbox_kind: str, tmp_path: Path
) -> None:
    executor = make_executor(sandbox_kind, hostile_workloads(tmp_path, cases.SYMLINK_OUTPUT))
    with pytest.raises(TaskExecutionFailed, match="symbolic link"):
        await executor.execute(executor.prepare(assign_for(server)), GPU, lambda s, f: None)
    assert server.uploads == {}
    assert list((tmp_path / "work").iterdir()) == []


async def test_cancelling_a_running_task_stops_it_and_cleans_up(
    server: ArtifactServer, make_executor: Factory, sandbox_kind: str, tmp_path: Path
) -> None:
    executor = make_executor(sandbox_kind, hostile_workloads(tmp_path, cases.IGNORES_SIGTERM))
    running = asyncio.Event()

    def progress(stage: TaskStage, fraction: float) -> None:
        if stage == TaskStage.RUNNING:
            running.set()

    task = asyncio.create_task(
        executor.execute(executor.prepare(assign_for(server)), GPU, progress)
    )
    await running.wait()
    for _ in range(200):
        if cases.processes_with_marker():
            break
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cases.processes_with_marker() == []
    assert list((tmp_path / "work").iterdir()) == []
    assert server.uploads == {}


async def test_a_task_that_needs_docker_fails_fast_without_it(
    server: ArtifactServer, make_executor: Factory
) -> None:
    executor = make_executor("process")
    with pytest.raises(SandboxError, match="must run in Docker"):
        assign = assign_for(server, allow_process_sandbox=False)
        await executor.execute(executor.prepare(assign), GPU, lambda s, f: None)
    assert server.hits["/files/model"] == 0


async def test_a_refused_upload_is_reported(server: ArtifactServer, make_executor: Factory) -> None:
    executor = make_executor()
    assign = assign_for(server)
    assign = assign.model_copy(
        update={"payload": assign.payload.model_copy(
            update={"output_url": server.url("/upload-status/403")})}
    )  # fmt: skip
    with pytest.raises(UploadFailed, match="HTTP 403"):
        await executor.execute(executor.prepare(assign), GPU, lambda s, f: None)
    outcome = await executor.execute(executor.prepare(assign_for(server)), GPU, lambda s, f: None)
    assert outcome.result.output_url == server.url("/upload/result")  # still usable

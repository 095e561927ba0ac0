"""Runner tasks end to end: the real model archive over HTTP, unpacked once, the real runner in
the process sandbox (the runner environment) and in Docker (the runner image), on the CPU, with
progress, the manifest's figures, and an uploaded result whose vectors an independent
reference (the platform's own numpy code) agrees with. A GPU that is not there is never
replaced by the CPU."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import numpy as np
import pytest

from orban_desktop.compute.cache import ModelCache
from orban_desktop.compute.executor import TaskExecutor
from orban_desktop.compute.http import TransferSettings
from orban_desktop.compute.sandbox.base import GpuAssignment
from orban_desktop.compute.sandbox.select import SandboxPolicy
from orban_desktop.errors import TaskExecutionFailed
from orban_desktop.protocol.jobspec import MODEL_FORMAT_HF_FOLDER_TAR, PIPELINE_TEXT_EMBEDDING
from tests.integration.compute.artifact_server import ArtifactServer
from tests.integration.compute.runner_fixtures import model_dir
from tests.unit.compute.factories import make_assign, sha256_hex

pytestmark = pytest.mark.slow
SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Return a new list containing all items from the iterable in ascending order.",
    "GPU owners lend idle time to the platform and are paid for verified work.",
    "Permission is hereby granted, free of charge, to any person obtaining a copy.",
    "Raise ValueError if the string is not a valid number.",
    "A short one.",
]
SIMULATED = GpuAssignment(0, None, "simulated")
Factory = Callable[..., TaskExecutor]


def runner_config(archive: bytes, data: bytes, rows: int, **changes: object) -> dict[str, object]:
    config: dict[str, object] = {
        "pipeline": PIPELINE_TEXT_EMBEDDING,
        "runner": "orban/runner:0.1.0",
        "model": {
            "name": "sentence-transformers/all-MiniLM-L6-v2",
            "format": MODEL_FORMAT_HF_FOLDER_TAR,
        },
        "rows": rows,
        "batch_size": 4,
        "precision": "fp32",
        "max_length": 128,
        "model_size_bytes": len(archive),
        "input_size_bytes": len(data),
        "timeout_sec": 300,
        "max_output_bytes": 1 << 20,
        "allow_process_sandbox": True,
    }
    config.update(changes)
    return config


def assign_for(server: ArtifactServer, archive: bytes, task_id: str = "task-embed-1"):  # type: ignore[no-untyped-def]
    lines = [json.dumps({"id": f"r{i:03d}", "text": text}) for i, text in enumerate(SENTENCES)]
    data = ("\n".join(lines) + "\n").encode()
    server.files["model"], server.files["input"] = archive, data
    return make_assign(
        task_id=task_id,
        model_url=server.url("/files/model"),
        model_hash=f"sha256:{sha256_hex(archive)}",
        input_url=server.url("/files/input"),
        output_url=server.url(f"/upload/{task_id}"),
        config=runner_config(archive, data, len(SENTENCES)),
    )


@pytest.fixture
async def make_executor(tmp_path: Path) -> AsyncIterator[Factory]:
    made: list[TaskExecutor] = []

    def factory(**policy: object) -> TaskExecutor:
        executor = TaskExecutor(
            cache=ModelCache(tmp_path / "cache", 1 << 30),
            work_root=tmp_path / "work",
            sandbox_policy=SandboxPolicy(**policy),  # type: ignore[arg-type]
            transfer_settings=TransferSettings(backoff_s=(0.01,)),
        )
        made.append(executor)
        return executor

    yield factory
    for executor in made:
        await executor.aclose()


def check_vectors(body: bytes) -> dict[str, object]:
    """The uploaded result holds unit vectors the platform's own reference agrees with."""
    from orban_platform.embedding.reference import ReferenceEncoder

    with np.load(io.BytesIO(body), allow_pickle=False) as result:
        embeddings, ids = result["embeddings"], list(result["ids"])
        manifest = json.loads(str(result["manifest"]))
    assert embeddings.dtype == np.float32 and embeddings.shape == (len(SENTENCES), 384)
    assert ids == [f"r{i:03d}" for i in range(len(SENTENCES))]
    assert np.allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-4)
    reference = ReferenceEncoder(model_dir()).encode(SENTENCES, max_length=128)
    cosines = np.sum(reference * embeddings, axis=1) / np.linalg.norm(reference, axis=1)
    assert cosines.min() >= 0.9999, cosines
    return manifest


async def test_a_runner_task_in_the_process_sandbox_on_the_cpu(
    server: ArtifactServer, make_executor: Factory, runner_python: str, model_archive: bytes
) -> None:
    executor = make_executor(preference="process", runner_python=runner_python)
    stages: list[tuple[str, float]] = []
    rows_seen: list[tuple[int, int, float]] = []
    outcome = await executor.execute(
        executor.prepare(assign_for(server, model_archive)),
        SIMULATED,
        lambda stage, fraction: stages.append((stage, fraction)),
        lambda done, total, seconds: rows_seen.append((done, total, seconds)),
    )
    manifest = check_vectors(server.uploads["task-embed-1"].body)
    assert manifest["device"] == "cpu" and manifest["model_sha256"] == sha256_hex(model_archive)
    assert outcome.sandbox == "process"
    assert outcome.runner is not None and outcome.runner.on_cpu
    assert outcome.runner.rows == len(SENTENCES) and outcome.runner.rows_per_s > 0
    assert outcome.gpu_seconds == outcome.runner.infer_s
    assert rows_seen and rows_seen[-1][:2] == (len(SENTENCES), len(SENTENCES))
    assert [f for s, f in stages] == sorted(f for s, f in stages)  # never backwards
    second = await executor.execute(
        executor.prepare(assign_for(server, model_archive, "task-embed-2")),
        SIMULATED,
        lambda s, f: None,
    )
    assert second.model_was_cached and server.hits["/files/model"] == 1


async def test_a_runner_task_in_docker_with_the_runner_image(
    server: ArtifactServer, make_executor: Factory, runner_image: str, model_archive: bytes
) -> None:
    executor = make_executor(preference="docker", allow_process_fallback=False)
    outcome = await executor.execute(
        executor.prepare(assign_for(server, model_archive)), SIMULATED, lambda s, f: None
    )
    assert outcome.sandbox == "docker"
    check_vectors(server.uploads["task-embed-1"].body)


async def test_a_gpu_that_is_not_there_is_never_replaced_by_the_cpu(
    server: ArtifactServer, make_executor: Factory, runner_python: str, model_archive: bytes
) -> None:
    executor = make_executor(preference="process", runner_python=runner_python)
    missing = GpuAssignment(0, "GPU-3f1a0000-0000-0000-0000-000000000000", "nvidia", "NVIDIA H200")
    with pytest.raises(TaskExecutionFailed, match="the assigned device cannot be used"):
        await executor.execute(
            executor.prepare(assign_for(server, model_archive)), missing, lambda s, f: None
        )
    assert "task-embed-1" not in server.uploads

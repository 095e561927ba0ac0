"""A runner task's launch: the runner's command line, its container, its GPU, its manifest."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from orban_desktop.compute.runner_task import ProgressTail, device_for, read_manifest
from orban_desktop.compute.sandbox.base import GpuAssignment
from orban_desktop.compute.sandbox.docker_config import container_config
from orban_desktop.compute.sandbox.runner_launch import RunnerLaunch
from orban_desktop.errors import TaskExecutionFailed
from tests.unit.compute.test_docker_config import make_job

SHA = "12" * 32
LAUNCH = RunnerLaunch(
    image="orban/runner:0.1.0",
    python="/opt/env/bin/python",
    model_sha256=SHA,
    model_name="sentence-transformers/all-MiniLM-L6-v2",
    device="cpu",
    expect_gpu=None,
    batch_size=32,
    precision="fp32",
    max_length=256,
    threads=2,
)


def test_the_argv_is_the_documented_command_line() -> None:
    argv = replace(LAUNCH, device="cuda:0", expect_gpu="GPU-1234").argv(
        model_dir="/m", input_path="in", output_path="out/r.npz", progress_path="p"
    )
    assert argv[:3] == ["-m", "orban_runner", "embed"]
    pairs = dict(zip(argv[3::2], argv[4::2], strict=True))
    assert pairs["--model"] == "/m"
    assert pairs["--device"] == "cuda:0"
    assert pairs["--expect-gpu"] == "GPU-1234"
    assert pairs["--batch-size"] == "32"
    assert pairs["--model-sha256"] == SHA


@pytest.mark.parametrize(
    ("gpu", "device", "expect"),
    [
        (GpuAssignment(0, "GPU-aaaa", "nvidia", "NVIDIA H200"), "cuda:0", "GPU-aaaa"),
        (GpuAssignment(1, None, "amd", "Radeon RX 7900", "/dev/dri/renderD129"), "cuda:0", None),
        (GpuAssignment(0, None, "apple", "Apple M3"), "mps", None),
        (GpuAssignment(2, None, "simulated"), "cpu", None),
        (GpuAssignment(0, "SIM-0", "nvidia"), "cpu", None),
    ],
)
def test_the_device_follows_the_assigned_gpu(
    gpu: GpuAssignment, device: str, expect: str | None
) -> None:
    got_device, got_expect = device_for(gpu)
    assert got_device == device
    assert got_expect == (expect if gpu.vendor != "amd" else gpu.name)


def test_a_runner_container_runs_the_allowed_image_with_the_model_read_only(
    tmp_path: Path,
) -> None:
    job = make_job(tmp_path, runner=LAUNCH, model=tmp_path / "unpacked" / SHA)
    config = container_config(job, "orban/task-runner:latest", user=(65534, 65534))
    assert config["image"] == "orban/runner:0.1.0"
    assert config["command"][:4] == ["python", "-m", "orban_runner", "embed"]
    assert f"/models/{SHA}" in config["command"]
    mounts = {m["Target"]: m for m in config["mounts"]}
    assert set(mounts) == {f"/models/{SHA}", "/workspace"}
    assert mounts[f"/models/{SHA}"]["ReadOnly"] is True
    assert mounts["/workspace"]["ReadOnly"] is False
    env = config["environment"]
    assert env["HF_HUB_OFFLINE"] == "1"
    assert env["PATH"].startswith("/opt/runner/bin:")
    for flag in ("network_mode", "read_only", "cap_drop", "security_opt", "pids_limit"):
        assert flag in config
    assert config["network_mode"] == "none"
    assert "device_requests" not in config  # a simulated GPU: nothing to hand over


def test_a_runner_container_gets_exactly_its_gpu(tmp_path: Path) -> None:
    gpu = GpuAssignment(3, "GPU-77", "nvidia", "NVIDIA H200")
    launch = replace(LAUNCH, device="cuda:0", expect_gpu="GPU-77")
    config = container_config(make_job(tmp_path, runner=launch, gpu=gpu), "x", user=(1, 1))
    (request,) = config["device_requests"]
    assert request["DeviceIDs"] == ["GPU-77"]
    amd = GpuAssignment(1, None, "amd", "Radeon", "/dev/dri/renderD129")
    config = container_config(make_job(tmp_path, runner=LAUNCH, gpu=amd), "x", user=(1, 1))
    assert config["devices"] == [
        "/dev/kfd:/dev/kfd:rwm",
        "/dev/dri/renderD129:/dev/dri/renderD128:rwm",
    ]


def write_result(path: Path, **manifest: object) -> Path:
    values: dict[str, object] = {
        "rows": 3,
        "infer_s": 1.5,
        "load_s": 2.0,
        "rows_per_s": 2.0,
        "device": "cpu",
        "device_name": "AMD EPYC",
        "peak_device_memory_bytes": None,
    }
    values.update(manifest)
    with open(path, "wb") as handle:
        np.savez(
            handle,
            embeddings=np.zeros((3, 4), np.float32),
            ids=np.array(["a", "b", "c"]),
            manifest=np.array(json.dumps(values)),
        )
    return path


def test_the_manifest_gives_the_measured_figures(tmp_path: Path) -> None:
    report = read_manifest(write_result(tmp_path / "r.npz"), LAUNCH, rows=3)
    assert (report.rows, report.infer_s, report.on_cpu) == (3, 1.5, True)


@pytest.mark.parametrize(
    ("manifest", "fragment"),
    [
        ({"rows": 2}, "2 rows, not the 3"),
        ({"device": "cuda:0"}, "computed on 'cuda:0'"),
        ({"infer_s": float("nan")}, "not a number"),
        ({"infer_s": -1}, "negative"),
    ],
)
def test_a_manifest_of_another_run_is_refused(
    tmp_path: Path, manifest: dict[str, object], fragment: str
) -> None:
    with pytest.raises(TaskExecutionFailed, match=fragment):
        read_manifest(write_result(tmp_path / "r.npz", **manifest), LAUNCH, rows=3)


def test_a_result_without_a_manifest_is_refused(tmp_path: Path) -> None:
    (tmp_path / "r.npz").write_bytes(b"not a zip")
    with pytest.raises(TaskExecutionFailed, match="no usable manifest"):
        read_manifest(tmp_path / "r.npz", LAUNCH, rows=3)


async def test_progress_lines_become_rows_done(tmp_path: Path) -> None:
    path = tmp_path / "progress.jsonl"
    tail = ProgressTail(path, lambda done, total, seconds: None)
    assert tail._read_new() is None  # no file yet
    path.write_text('{"rows_done": 0, "rows": 8}\n{"rows_done": 4, "rows": 8, "elapsed_s": 2}\n{"r')
    assert tail._read_new() == (4, 8, 2.0)
    with open(path, "a") as handle:
        handle.write('ows_done": 8, "rows": 8, "elapsed_s": 3.5}\ngarbage\n')
    assert tail._read_new() == (8, 8, 3.5)


async def test_the_last_batches_are_read_when_the_run_ends_between_reads(tmp_path: Path) -> None:
    path = tmp_path / "progress.jsonl"
    seen: list[tuple[int, int, float]] = []
    tail = ProgressTail(path, lambda *rows: seen.append(rows), interval_s=60.0)
    follower = asyncio.create_task(tail.follow())
    await asyncio.sleep(0.05)  # the first read found no file; the next is a minute away
    path.write_text('{"rows_done": 4, "rows": 8}\n{"rows_done": 8, "rows": 8, "elapsed_s": 1}\n')
    follower.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await follower
    await tail.finish()
    assert seen == [(8, 8, 1.0)]
    await tail.finish()  # nothing new: not reported again
    assert seen == [(8, 8, 1.0)]

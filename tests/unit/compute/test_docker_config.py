"""The container settings for a task: every hardening flag, the mounts, the GPU request."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orban_desktop.compute.sandbox.base import GpuAssignment, ResourceLimits, SandboxJob
from orban_desktop.compute.sandbox.docker_config import (
    AGENT_LABEL,
    AGENT_PID_LABEL,
    CONTAINER_MODEL,
    CONTAINER_WORKLOADS,
    CONTAINER_WORKSPACE,
    TASK_LABEL,
    container_config,
)
from orban_desktop.errors import ValidationFailed

LIMITS = ResourceLimits(
    memory_bytes=256 << 20, cpu_cores=1.5, pids=64, max_output_bytes=4 << 20,
    tmpfs_bytes=32 << 20, log_bytes=1 << 20, open_files=128,
)  # fmt: skip


def make_job(tmp_path: Path, **changes: object) -> SandboxJob:
    values: dict[str, object] = {
        "task_id": "task-7",
        "script": tmp_path / "workloads" / "checksum.sh",
        "model": tmp_path / "cache" / ("ab" * 32),
        "workspace": tmp_path / "task" / "workspace",
        "private_dir": tmp_path / "task" / "private",
        "timeout_s": 30,
        "limits": LIMITS,
        "gpu": GpuAssignment(0, "SIM-0"),
        "env": {"ORBAN_TASK_ID": "task-7"},
    }
    values.update(changes)
    return SandboxJob(**values)  # type: ignore[arg-type]


def test_every_hardening_flag_is_set(tmp_path: Path) -> None:
    config = container_config(make_job(tmp_path), "orban-test/busybox:1", user=(65534, 65534))
    assert config["network_mode"] == "none"
    assert config["read_only"] is True
    assert config["tmpfs"] == {"/tmp": f"rw,nosuid,nodev,noexec,size={32 << 20},mode=1777"}
    assert config["mem_limit"] == config["memswap_limit"] == 256 << 20
    assert config["nano_cpus"] == 1_500_000_000
    assert config["cpu_shares"] == 15  # nice 19's CPU weight (Docker's default is 1024)
    assert config["pids_limit"] == 64
    assert config["cap_drop"] == ["ALL"]
    assert config["security_opt"] == ["no-new-privileges"]  # the default seccomp stays on
    assert config["privileged"] is False
    assert config["init"] is True
    assert config["user"] == "65534:65534"
    assert config["labels"] == {
        AGENT_LABEL: "1", AGENT_PID_LABEL: str(os.getpid()), TASK_LABEL: "task-7",
    }  # fmt: skip
    assert config["log_config"]["Type"] == "json-file"
    assert config["log_config"]["Config"] == {"max-size": str(1 << 20), "max-file": "1"}
    ulimits = {u["Name"]: (u["Soft"], u["Hard"]) for u in config["ulimits"]}
    assert ulimits == {"nofile": (128, 128), "fsize": (4 << 20, 4 << 20), "core": (0, 0)}
    assert "device_requests" not in config


def test_mounts_are_read_only_except_the_workspace(tmp_path: Path) -> None:
    job = make_job(tmp_path)
    mounts = {m["Target"]: m for m in container_config(job, "img", user=(1000, 1000))["mounts"]}
    assert mounts[CONTAINER_WORKLOADS]["Source"] == str(job.script.parent)
    assert mounts[CONTAINER_WORKLOADS]["ReadOnly"] is True
    assert mounts[CONTAINER_MODEL]["Source"] == str(job.model)
    assert mounts[CONTAINER_MODEL]["ReadOnly"] is True
    assert mounts[CONTAINER_WORKSPACE]["Source"] == str(job.workspace)
    assert mounts[CONTAINER_WORKSPACE]["ReadOnly"] is False
    assert all(m["Type"] == "bind" for m in mounts.values())


def test_the_command_runs_the_workload_on_the_mounted_paths(tmp_path: Path) -> None:
    config = container_config(make_job(tmp_path), "img", user=(1000, 1000))
    assert config["command"] == [
        "/bin/sh", "/opt/orban/workloads/checksum.sh", "/model/model",
        "/workspace/input", "/workspace/out/result",
    ]  # fmt: skip
    assert config["environment"]["ORBAN_TASK_ID"] == "task-7"
    assert config["environment"]["LC_ALL"] == "C"


def test_a_real_gpu_is_requested_by_uuid(tmp_path: Path) -> None:
    uuid = "GPU-6a3f5c0e-1d2b-4c5d-9e8f-001122334455"
    config = container_config(make_job(tmp_path, gpu=GpuAssignment(1, uuid)), "i", user=(9, 9))
    [request] = config["device_requests"]
    assert request["DeviceIDs"] == [uuid]
    assert request["Capabilities"] == [["gpu"]]
    assert "Count" not in request or request["Count"] in (None, 0)


@pytest.mark.parametrize("gpu", [None, GpuAssignment(0, None), GpuAssignment(0, "SIM-1")])
def test_no_device_request_without_a_real_gpu(tmp_path: Path, gpu: GpuAssignment | None) -> None:
    assert "device_requests" not in container_config(make_job(tmp_path, gpu=gpu), "i", user=(9, 9))


@pytest.mark.parametrize("name", ["LD_PRELOAD", "LD_LIBRARY_PATH", "NVIDIA_VISIBLE_DEVICES",
                                  "nvidia_driver_capabilities"])  # fmt: skip
def test_the_task_environment_may_not_set_loader_or_driver_variables(
    tmp_path: Path, name: str
) -> None:
    with pytest.raises(ValidationFailed, match=name):
        container_config(make_job(tmp_path, env={name: "x"}), "img", user=(9, 9))


def test_a_container_never_runs_as_root(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="root"):
        container_config(make_job(tmp_path), "img", user=(0, 0))

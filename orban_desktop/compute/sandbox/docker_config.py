"""The hardened container configuration for one workload run, as Docker SDK keyword arguments.

:func:`container_config` turns a :class:`~orban_desktop.compute.sandbox.base.SandboxJob` into
the arguments of ``client.containers.create``: no network, read-only root, a size-limited
``/tmp`` tmpfs, memory = memory+swap, a CPU share, a pids limit, no capabilities, ``no-new-
privileges``, the default seccomp profile (nothing turns it off), a non-root user, an init
process, the workloads folder and the model read-only, the workspace read-write, a capped log,
file-size/open-file/core ulimits, and one GPU by UUID only when a real one is assigned (an AMD
card: ``/dev/kfd`` and its render node). A runner task runs ``python -m orban_runner`` in its
runner image instead, with the model folder read-only at ``/models/<sha256>``. The
container is labelled with the agent's process id for finding leftovers. No Docker calls.
Imports the Docker SDK's type helpers and the sandbox base only, and nothing from Qt.
"""

from __future__ import annotations

import os
from typing import Any

from docker.types import DeviceRequest, LogConfig, Mount, Ulimit

from orban_desktop.compute.sandbox.base import (
    INPUT_NAME,
    OUTPUT_DIR,
    OUTPUT_NAME,
    SandboxJob,
    check_task_env,
)
from orban_desktop.compute.sandbox.runner_launch import (
    IMAGE_RUNNER_BIN,
    RUNNER_ENV,
    RUNNER_OUTPUT_NAME,
    RUNNER_PROGRESS_NAME,
)

CONTAINER_WORKLOADS = "/opt/orban/workloads"
CONTAINER_MODEL_DIR = "/model"
CONTAINER_MODEL = f"{CONTAINER_MODEL_DIR}/model"
CONTAINER_WORKSPACE = "/workspace"
#: Where a runner task's unpacked model folder is mounted: ``/models/<sha256>``.
CONTAINER_MODELS = "/models"
#: Every container the agent creates carries ``orban.agent=1`` and the agent's process id, so
#: leftovers of an agent that is gone can be told from containers of one still running.
AGENT_LABEL = "orban.agent"
AGENT_PID_LABEL = "orban.agent.pid"
TASK_LABEL = "orban.task_id"


#: The kernel's CPU weight of nice values 0..19 (``sched_prio_to_weight``); 1024 is Docker's
#: default ``cpu_shares``, a container at nice 0.
_NICE_WEIGHTS = (1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
                 110, 87, 70, 56, 45, 36, 29, 23, 18, 15)  # fmt: skip


def cpu_weight(nice: int) -> int:
    """The ``cpu_shares`` that give a container the CPU weight of a process at ``nice``."""
    return _NICE_WEIGHTS[max(0, min(19, nice))]


def container_config(job: SandboxJob, image: str, *, user: tuple[int, int]) -> dict[str, Any]:
    """Keyword arguments for ``DockerClient.containers.create`` running ``job`` in ``image``.

    Args:
        job: The run; its paths must be absolute host paths.
        image: The image holding ``/bin/sh`` and the tools the workloads use; a runner task
            runs in its own (allowed) ``job.runner.image`` instead.
        user: uid and gid inside the container (never 0).

    Raises:
        ValidationFailed: The job's environment sets ``LD_*`` or ``NVIDIA_*``.
        ValueError: ``user`` is root.
    """
    if user[0] == 0:
        raise ValueError("a task container never runs as root")
    limits = job.limits
    environment = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": CONTAINER_WORKSPACE,
        "TMPDIR": "/tmp",
        "LC_ALL": "C",
        "LANG": "C",
        **check_task_env(job.env),
    }
    file_size = max(limits.max_output_bytes, limits.log_bytes)
    config: dict[str, Any] = {
        "image": image,
        "command": [
            "/bin/sh",
            f"{CONTAINER_WORKLOADS}/{job.script.name}",
            CONTAINER_MODEL,
            f"{CONTAINER_WORKSPACE}/{INPUT_NAME}",
            f"{CONTAINER_WORKSPACE}/{OUTPUT_DIR}/{OUTPUT_NAME}",
        ],
        "user": f"{user[0]}:{user[1]}",
        "working_dir": CONTAINER_WORKSPACE,
        "environment": environment,
        "labels": {
            AGENT_LABEL: "1",
            AGENT_PID_LABEL: str(os.getpid()),
            TASK_LABEL: job.task_id[:200],
        },
        "detach": True,
        "network_mode": "none",
        "read_only": True,
        "tmpfs": {"/tmp": f"rw,nosuid,nodev,noexec,size={limits.tmpfs_bytes},mode=1777"},
        "mem_limit": limits.memory_bytes,
        "memswap_limit": limits.memory_bytes,
        "nano_cpus": max(1, int(limits.cpu_cores * 1e9)),
        "cpu_shares": cpu_weight(limits.nice),
        "pids_limit": limits.pids,
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "privileged": False,
        "init": True,
        "ipc_mode": "private",
        "mounts": [
            Mount(CONTAINER_WORKLOADS, str(job.script.parent), type="bind", read_only=True),
            Mount(CONTAINER_MODEL, str(job.model), type="bind", read_only=True),
            Mount(CONTAINER_WORKSPACE, str(job.workspace), type="bind", read_only=False),
        ],
        "log_config": LogConfig(
            type="json-file", config={"max-size": str(limits.log_bytes), "max-file": "1"}
        ),
        "ulimits": [
            Ulimit(name="nofile", soft=limits.open_files, hard=limits.open_files),
            Ulimit(name="fsize", soft=file_size, hard=file_size),
            Ulimit(name="core", soft=0, hard=0),
        ],
    }
    if job.runner is not None:
        _as_runner(config, job)
    if job.gpu is not None and job.gpu.is_real:
        config["device_requests"] = [
            DeviceRequest(device_ids=[str(job.gpu.uuid)], capabilities=[["gpu"]])
        ]
    elif job.gpu is not None and job.gpu.is_amd:
        config["devices"] = [
            "/dev/kfd:/dev/kfd:rwm",
            f"{job.gpu.render_node}:/dev/dri/renderD128:rwm",
        ]
    return config


def _as_runner(config: dict[str, Any], job: SandboxJob) -> None:
    """Turn a workload container's config into the runner's: its image, command and mounts."""
    assert job.runner is not None
    launch = job.runner
    model_dir = f"{CONTAINER_MODELS}/{launch.model_sha256}"
    config["image"] = launch.image
    config["command"] = [
        "python",
        *launch.argv(
            model_dir=model_dir,
            input_path=f"{CONTAINER_WORKSPACE}/{INPUT_NAME}",
            output_path=f"{CONTAINER_WORKSPACE}/{OUTPUT_DIR}/{RUNNER_OUTPUT_NAME}",
            progress_path=f"{CONTAINER_WORKSPACE}/{RUNNER_PROGRESS_NAME}",
        ),
    ]
    config["environment"] = {
        **config["environment"],
        **RUNNER_ENV,
        "PATH": f"{IMAGE_RUNNER_BIN}:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
    }
    config["mounts"] = [
        Mount(model_dir, str(job.model), type="bind", read_only=True),
        Mount(CONTAINER_WORKSPACE, str(job.workspace), type="bind", read_only=False),
    ]

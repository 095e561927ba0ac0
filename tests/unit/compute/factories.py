"""Builders shared by the compute tests: a TASK_ASSIGN from the golden frame, job configs."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from orban_desktop.protocol.codec import decode_json_as
from orban_desktop.protocol.jobspec import WORKLOAD_CHECKSUM
from orban_desktop.protocol.messages import TaskAssign
from tests.fixtures import protocol_frame


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def job_config(model: bytes, data: bytes, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "workload": WORKLOAD_CHECKSUM,
        "model_size_bytes": len(model),
        "input_size_bytes": len(data),
        "timeout_sec": 30,
        "max_output_bytes": 1 << 20,
        "allow_process_sandbox": True,
    }
    config.update(overrides)
    return config


def make_assign(
    *,
    task_id: str = "task-compute-1",
    model_url: str = "https://artifacts.example/model.bin",
    model_hash: str = "sha256:" + "ab" * 32,
    input_url: str = "https://artifacts.example/input.bin",
    output_url: str = "https://artifacts.example/output",
    config: object = None,
) -> TaskAssign:
    """The golden TASK_ASSIGN frame with its task id and payload replaced."""
    frame = json.loads(protocol_frame("platform-sends/task-assign.json"))
    frame["task_id"] = task_id
    frame["payload"] = {
        "model_url": model_url,
        "model_hash": model_hash,
        "input_data_url": input_url,
        "output_url": output_url,
        "config": config if config is not None else job_config(b"m", b"i"),
    }
    return decode_json_as(json.dumps(frame), TaskAssign)

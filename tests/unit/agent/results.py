"""Result frames for the outbox tests: real TASK_COMPLETE / TASK_FAILED messages, encoded."""

from __future__ import annotations

from orban_desktop.agent.outbox import OutboxItem
from orban_desktop.protocol import messages as m
from orban_desktop.protocol import types as t
from orban_desktop.protocol.codec import encode_json


def item(task_id: str, created_at: float = 1000.0, *, failed: bool = False) -> OutboxItem:
    """A real result frame, encoded as the runtime encodes it."""
    if failed:
        message: m.Message = m.TaskFailed(
            task_id=task_id,
            error=t.TaskErrorInfo(code="TIMEOUT", message="Task timed out", details="after 10 s"),
        )
    else:
        message = m.TaskComplete(
            task_id=task_id,
            result=t.TaskResult(
                output_url="http://127.0.0.1/out",
                output_hash="sha256:" + "0" * 64,
                execution_time_sec=3,
                gpu_time_sec=2,
            ),
            proof_of_work=t.ProofOfWork(
                method="gpu_hash_challenge", challenge_id="c", response=b"\x01", gpu_signature="g"
            ),
            metrics=t.ExecutionMetrics(
                avg_gpu_utilization=0.9, peak_memory_gb=1.5, energy_kwh=0.01
            ),
        )
    return OutboxItem(
        task_id=task_id,
        message_id=message.message_id,
        message_type=message.TYPE.value,
        frame_json=encode_json(message),
        created_at=created_at,
    )

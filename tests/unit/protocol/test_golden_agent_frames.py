"""Every frame in ``agent-sends/`` is produced byte for byte by building the same message."""

from __future__ import annotations

import pytest

from orban_desktop.money import Money
from orban_desktop.protocol import messages as m
from orban_desktop.protocol import types as t
from orban_desktop.protocol.codec import encode_json
from orban_desktop.protocol.enums import AgentStatus, GPUVendor
from orban_desktop.protocol.timestamps import WireTime
from tests.fixtures import protocol_frame

AGENT = "agent-c41596764907121a20ce5b193bf4969f"
TASK = "task-2025-000123"
STAMP = WireTime.parse("2025-11-28T10:49:33.512345678Z")


def _id(n: int) -> str:
    return f"b1b2c3d4-0000-4000-8000-{n:012x}"


def build_agent_frames() -> dict[str, m.Message]:
    env = {"timestamp": STAMP}
    return {
        "auth-response.json": m.AuthResponse(
            message_id=_id(1),
            **env,
            agent_id=AGENT,
            signature="YHTjNHcEsFF1ZDhli139w8HIC8R/PA8rMkxAs45Ig0iFYezz+OgJtWFDhZ9io522bPkbXUb0kBS8y+qRwB5bAA==",
            public_key="qo1nbmb4O2V6aijHWn27DdxqgGkn5PjmHMwGQJGxcIk=",
        ),
        "agent-register.json": m.AgentRegister(
            message_id=_id(2),
            **env,
            agent_id=AGENT,
            hardware=t.HardwareInfo(
                gpus=[
                    t.GPUInfo(
                        index=0,
                        vendor=GPUVendor.NVIDIA,
                        model="NVIDIA GeForce RTX 4090",
                        vram_gb=24,
                        compute_capability="8.9",
                        cuda_cores=16384,
                        pcie_bandwidth_gbps=32,
                    )
                ],
                cpu=t.CPUInfo(model="AMD Ryzen 9 7950X", cores=16, threads=32),
                memory_gb=64,
                storage_available_gb=500,
            ),
            capabilities=t.Capabilities(
                supported_frameworks=["pytorch", "onnx"],
                max_batch_size=32,
                fp16_support=True,
                int8_support=True,
            ),
            location=t.Location(country="TW", region="asia-east1", latency_to_platform_ms=12),
            availability=t.Availability(hours_per_day=24, reliability_score=0.98),
        ),
        "heartbeat.json": m.Heartbeat(
            message_id=_id(3),
            **env,
            agent_id=AGENT,
            status=AgentStatus.WORKING,
            current_task_id=TASK,
            gpu_status=[
                t.HeartbeatGpuStatus(
                    index=0,
                    utilization=0.98,
                    memory_used_gb=11.2,
                    memory_total_gb=24,
                    temperature_c=72,
                    power_draw_w=350.5,
                    fan_speed_percent=65,
                )
            ],
            uptime_sec=86400,
        ),
        "task-accept.json": m.TaskAccept(
            message_id=_id(4),
            **env,
            task_id=TASK,
            agent_id=AGENT,
            gpu_allocated=0,
            estimated_completion=WireTime(STAMP.ns + 300 * 10**9),
        ),
        "task-reject.json": m.TaskReject(
            message_id=_id(5),
            **env,
            task_id="task-2025-000124",
            reason="insufficient_vram",
            details="Required 12GB, available 8GB",
        ),
        "task-progress.json": m.TaskProgress(
            message_id=_id(6),
            **env,
            task_id=TASK,
            progress=0.45,
            stage="inference",
            metrics=t.TaskMetrics(gpu_utilization=0.98, memory_used_gb=11.2),
        ),
        "task-complete.json": m.TaskComplete(
            message_id=_id(7),
            **env,
            task_id=TASK,
            result=t.TaskResult(
                output_url="https://artifacts.example/jobs/job-inference-abc123/output/result.json",
                output_hash="sha256:f6a214f7a5fcda0c2cee9660b7fc29f5649e3c68aad48e20e950137c98913a68",
                execution_time_sec=287,
                gpu_time_sec=285,
            ),
            proof_of_work=t.ProofOfWork(
                method="gpu_hash_challenge",
                challenge_id="ch-12345",
                response=bytes.fromhex("000037f3e4cfe7e3"),
                gpu_signature="GPU-5c3e1a2b-0000-4000-8000-000000000001",
            ),
            metrics=t.ExecutionMetrics(
                avg_gpu_utilization=0.96, peak_memory_gb=11.8, energy_kwh=0.095
            ),
        ),
        "task-failed.json": m.TaskFailed(
            message_id=_id(8),
            **env,
            task_id="task-2025-000125",
            error=t.TaskErrorInfo(
                code="OOM_ERROR",
                message="Out of memory during inference",
                details="Batch size too large for available VRAM",
            ),
        ),
        "metrics-batch.json": m.MetricsBatch(
            message_id=_id(9),
            **env,
            agent_id=AGENT,
            time_range=t.TimeRange(
                start=WireTime.parse("2025-11-28T10:45:00Z"),
                end=WireTime.parse("2025-11-28T10:50:00Z"),
            ),
            aggregated_metrics=t.AggregatedMetrics(
                tasks_completed=3,
                tasks_failed=0,
                total_gpu_hours=0.25,
                avg_gpu_utilization=0.92,
                total_energy_kwh=0.087,
                earnings_usd=Money.from_micros(312_500),
            ),
        ),
        "pow-response.json": m.PowResponse(
            message_id=_id(10),
            **env,
            challenge_id="ch-12345",
            response="000037f3e4cfe7e322203b1d7b9535e8f1a1ab001d880df17d6ef2b9357737ff",
            computation_time_ms=12,
            gpu_signature=t.GpuSignature(
                device_uuid="GPU-5c3e1a2b-0000-4000-8000-000000000001", cuda_version="12.3"
            ),
        ),
        "state-sync.json": m.StateSync(
            message_id=_id(11),
            **env,
            agent_id=AGENT,
            last_heartbeat=WireTime.parse("2025-11-28T10:49:00Z"),
            active_tasks=[
                t.ActiveTaskInfo(
                    task_id=TASK, progress=0.67, started_at=WireTime.parse("2025-11-28T10:44:33Z")
                )
            ],
        ),
    }


FRAMES = build_agent_frames()


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_agent_frame_is_reproduced_byte_for_byte(name: str) -> None:
    assert encode_json(FRAMES[name]) == protocol_frame(f"agent-sends/{name}")


def test_every_agent_fixture_is_covered() -> None:
    from tests.fixtures import PROTOCOL_FIXTURES

    on_disk = {p.name for p in (PROTOCOL_FIXTURES / "agent-sends").glob("*.json")}
    assert on_disk == set(FRAMES)


def test_solution_nonce_extension_is_sent_only_when_set() -> None:
    frame = FRAMES["pow-response.json"]
    with_nonce = frame.model_copy(update={"solution_nonce": 753})
    assert encode_json(with_nonce).endswith(',"solution_nonce":753}')
    assert "solution_nonce" not in encode_json(frame)

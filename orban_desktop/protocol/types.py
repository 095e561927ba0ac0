"""Nested structures of Orban protocol v1, field for field as upstream's ``types.rs``.

Field order is upstream's struct order (it is the key order on the wire); ``Option<T>`` fields
are ``T | None`` and always written (as ``null``); an extension field we add is listed in
``EXTENSION_FIELDS`` and left out when ``None``, so an upstream peer never sees it. Unknown
input fields are ignored, as serde does. Imports nothing from Qt.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from orban_desktop.protocol.enums import GPUVendor
from orban_desktop.protocol.fields import (
    F64,
    MAX_LIST_LEN,
    U32,
    Bool,
    ByteList,
    F32Field,
    Id,
    JsonValue,
    KeyId,
    MoneyField,
    Text,
    Time,
    Url,
)


class WireModel(BaseModel):
    """Base of every wire structure: immutable, unknown fields ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    #: Our additions to upstream's struct: omitted from the wire when ``None``.
    EXTENSION_FIELDS: ClassVar[frozenset[str]] = frozenset()


# ---- hardware and registration ----
class GPUInfo(WireModel):
    index: U32
    vendor: GPUVendor
    model: Text
    vram_gb: U32
    compute_capability: Id
    cuda_cores: U32 | None = None
    pcie_bandwidth_gbps: U32


class CPUInfo(WireModel):
    model: Text
    cores: U32
    threads: U32


class HardwareInfo(WireModel):
    gpus: list[GPUInfo] = Field(max_length=MAX_LIST_LEN)
    cpu: CPUInfo
    memory_gb: U32
    storage_available_gb: U32


class Capabilities(WireModel):
    supported_frameworks: list[Id] = Field(max_length=MAX_LIST_LEN)
    max_batch_size: U32
    fp16_support: Bool
    int8_support: Bool


class Location(WireModel):
    country: Id
    region: Id
    latency_to_platform_ms: U32


class Availability(WireModel):
    hours_per_day: U32
    reliability_score: F32Field


# ---- tasks ----
class TaskRequirements(WireModel):
    min_vram_gb: U32
    min_compute_capability: Id
    framework: Id
    fp16: Bool


class TaskPayload(WireModel):
    model_url: Url
    model_hash: Id
    input_data_url: Url
    output_url: Url
    config: JsonValue = None


class Pricing(WireModel):
    """Upstream's struct; the document's ``{rate_usd_per_hour, estimated_payout}`` is accepted."""

    EXTENSION_FIELDS: ClassVar[frozenset[str]] = frozenset({"estimated_payout"})

    base_rate_usd_per_hour: MoneyField
    gpu_multiplier: MoneyField
    effective_rate: MoneyField
    estimated_payout: MoneyField | None = None

    @model_validator(mode="before")
    @classmethod
    def _document_form(cls, data: Any) -> Any:
        if isinstance(data, dict) and "effective_rate" not in data and "rate_usd_per_hour" in data:
            rate = data["rate_usd_per_hour"]
            return {
                "base_rate_usd_per_hour": rate,
                "gpu_multiplier": 1,
                "effective_rate": rate,
                "estimated_payout": data.get("estimated_payout"),
            }
        return data


class TaskMetrics(WireModel):
    gpu_utilization: F32Field
    memory_used_gb: F32Field
    throughput_tokens_per_sec: F32Field | None = None


class TaskResult(WireModel):
    output_url: Url
    output_hash: Id
    execution_time_sec: U32
    gpu_time_sec: U32


class ProofOfWork(WireModel):
    method: Id
    challenge_id: Id
    response: ByteList
    gpu_signature: Id


class ExecutionMetrics(WireModel):
    avg_gpu_utilization: F32Field
    peak_memory_gb: F32Field
    energy_kwh: F32Field


class TaskErrorInfo(WireModel):
    code: Id
    message: Text
    details: Text


# ---- monitoring ----
class HeartbeatGpuStatus(WireModel):
    """One GPU in a HEARTBEAT (upstream has no ``None``: unreported values are sent as 0)."""

    index: U32
    utilization: F32Field
    memory_used_gb: F32Field
    memory_total_gb: F32Field
    temperature_c: F32Field
    power_draw_w: F32Field
    fan_speed_percent: F32Field


class TimeRange(WireModel):
    start: Time
    end: Time


class AggregatedMetrics(WireModel):
    tasks_completed: U32
    tasks_failed: U32
    total_gpu_hours: F64
    avg_gpu_utilization: F32Field
    total_energy_kwh: F32Field
    earnings_usd: MoneyField


# ---- earnings ----
class EarningsDetail(WireModel):
    gpu_hours: F64
    rate_usd_per_hour: MoneyField
    amount_usd: MoneyField
    bonus_multiplier: F32Field
    final_amount_usd: MoneyField


class PayoutPeriod(WireModel):
    start: Id
    end: Id


class PayoutSummary(WireModel):
    total_tasks: U32
    total_gpu_hours: F64
    gross_amount_usd: MoneyField
    platform_fee_usd: MoneyField
    net_amount_usd: MoneyField


# ---- proof of work, state sync ----
class GpuSignature(WireModel):
    device_uuid: Id
    cuda_version: Id | None = None


class ActiveTaskInfo(WireModel):
    task_id: KeyId
    progress: F32Field
    started_at: Time


__all__ = [
    "ActiveTaskInfo",
    "AggregatedMetrics",
    "Availability",
    "CPUInfo",
    "Capabilities",
    "EarningsDetail",
    "ExecutionMetrics",
    "GPUInfo",
    "GpuSignature",
    "HardwareInfo",
    "HeartbeatGpuStatus",
    "Location",
    "PayoutPeriod",
    "PayoutSummary",
    "Pricing",
    "ProofOfWork",
    "TaskErrorInfo",
    "TaskMetrics",
    "TaskPayload",
    "TaskRequirements",
    "TaskResult",
    "TimeRange",
    "WireModel",
]

"""What the upstream Rust agent can parse: its structs' required fields, and serde's untagged pick.

Upstream's ``MessagePayload`` is ``#[serde(untagged)]``: it ignores ``type`` and takes the first
payload struct, in enum order, that deserializes from the frame's fields (unknown fields are
ignored, an ``Option`` may be missing or ``null``, every other field must be present with the
right JSON type). :data:`PAYLOADS` and :data:`STRUCTS` transcribe ``orban_protocol.rs`` and
``types.rs`` field for field; :func:`upstream_problems` emulates that pick on a frame and lists
what would make the upstream agent misread or reject it. The platform runs it on every frame it
sends to an agent that negotiated no extension (``PlatformSettings.check_upstream_frames``) and
the tests run it on everything such an agent receives. Pure functions; imports only the enums.
"""

from __future__ import annotations

import json
from decimal import Decimal

from orban_desktop.protocol.enums import UPSTREAM_MESSAGE_TYPES, MessageType

_Fields = tuple[tuple[str, str], ...]

#: Nested structs (types.rs, orban_protocol.rs). ``?T`` is ``Option<T>``, ``[T]`` is ``Vec<T>``.
STRUCTS: dict[str, _Fields] = {
    "HardwareInfo": (
        ("gpus", "[GPUInfo]"),
        ("cpu", "CPUInfo"),
        ("memory_gb", "u32"),
        ("storage_available_gb", "u32"),
    ),
    "GPUInfo": (
        ("index", "u32"),
        ("vendor", "GPUVendor"),
        ("model", "str"),
        ("vram_gb", "u32"),
        ("compute_capability", "str"),
        ("cuda_cores", "?u32"),
        ("pcie_bandwidth_gbps", "u32"),
    ),
    "CPUInfo": (("model", "str"), ("cores", "u32"), ("threads", "u32")),
    "Capabilities": (
        ("supported_frameworks", "[str]"),
        ("max_batch_size", "u32"),
        ("fp16_support", "bool"),
        ("int8_support", "bool"),
    ),
    "Availability": (("hours_per_day", "u32"), ("reliability_score", "f32")),
    "Location": (("country", "str"), ("region", "str"), ("latency_to_platform_ms", "u32")),
    "TaskRequirements": (
        ("min_vram_gb", "u32"),
        ("min_compute_capability", "str"),
        ("framework", "str"),
        ("fp16", "bool"),
    ),
    "TaskPayload": (
        ("model_url", "str"),
        ("model_hash", "str"),
        ("input_data_url", "str"),
        ("output_url", "str"),
        ("config", "json"),  # serde_json::Value, not an Option: the key must be present
    ),
    "Pricing": (
        ("base_rate_usd_per_hour", "decimal"),
        ("gpu_multiplier", "decimal"),
        ("effective_rate", "decimal"),
    ),
    "TaskMetrics": (
        ("gpu_utilization", "f32"),
        ("memory_used_gb", "f32"),
        ("throughput_tokens_per_sec", "?f32"),
    ),
    "TaskResult": (
        ("output_url", "str"),
        ("output_hash", "str"),
        ("execution_time_sec", "u32"),
        ("gpu_time_sec", "u32"),
    ),
    "ProofOfWork": (
        ("method", "str"),
        ("challenge_id", "str"),
        ("response", "[u8]"),
        ("gpu_signature", "str"),
    ),
    "ExecutionMetrics": (
        ("avg_gpu_utilization", "f32"),
        ("peak_memory_gb", "f32"),
        ("energy_kwh", "f32"),
    ),
    "TaskErrorInfo": (("code", "str"), ("message", "str"), ("details", "str")),
    "GPUStatus": (
        ("index", "u32"),
        ("utilization", "f32"),
        ("memory_used_gb", "f32"),
        ("memory_total_gb", "f32"),
        ("temperature_c", "f32"),
        ("power_draw_w", "f32"),
        ("fan_speed_percent", "f32"),
    ),
    "TimeRange": (("start", "time"), ("end", "time")),
    "AggregatedMetrics": (
        ("tasks_completed", "u32"),
        ("tasks_failed", "u32"),
        ("total_gpu_hours", "f64"),
        ("avg_gpu_utilization", "f32"),
        ("total_energy_kwh", "f32"),
        ("earnings_usd", "decimal"),
    ),
    "EarningsDetail": (
        ("gpu_hours", "f64"),
        ("rate_usd_per_hour", "decimal"),
        ("amount_usd", "decimal"),
        ("bonus_multiplier", "f32"),
        ("final_amount_usd", "decimal"),
    ),
    "PayoutPeriod": (("start", "str"), ("end", "str")),
    "PayoutSummary": (
        ("total_tasks", "u32"),
        ("total_gpu_hours", "f64"),
        ("gross_amount_usd", "decimal"),
        ("platform_fee_usd", "decimal"),
        ("net_amount_usd", "decimal"),
    ),
    "GpuSignature": (("device_uuid", "str"), ("cuda_version", "?str")),
    "ActiveTaskInfo": (("task_id", "str"), ("progress", "f32"), ("started_at", "time")),
}

#: Unit enums, as serde spells them (no aliases upstream: a lowercase status is refused there).
ENUMS: dict[str, frozenset[str]] = {
    "GPUVendor": frozenset({"NVIDIA", "AMD", "Intel", "Apple"}),
    "AgentStatus": frozenset({"idle", "working", "error", "offline"}),
    "EarningStatus": frozenset({"Pending", "Confirmed", "Paid"}),
    "PayoutStatus": frozenset({"Processing", "Completed", "Failed"}),
}

#: The untagged payload variants, in upstream's enum order (the order serde tries them).
PAYLOADS: tuple[tuple[MessageType, _Fields], ...] = (
    (MessageType.AUTH_CHALLENGE, (("challenge", "str"),)),
    (
        MessageType.AUTH_RESPONSE,
        (("agent_id", "str"), ("signature", "str"), ("public_key", "str")),
    ),
    (MessageType.AUTH_SUCCESS, (("jwt_token", "str"), ("expires_in", "u64"))),
    (
        MessageType.AGENT_REGISTER,
        (
            ("agent_id", "str"),
            ("hardware", "HardwareInfo"),
            ("capabilities", "Capabilities"),
            ("location", "Location"),
            ("availability", "Availability"),
        ),
    ),
    (MessageType.REGISTER_ACK, (("agent_id", "str"), ("status", "str"), ("pricing", "Pricing"))),
    (
        MessageType.TASK_ASSIGN,
        (
            ("task_id", "str"),
            ("job_id", "str"),
            ("priority", "u32"),
            ("estimated_duration_sec", "u32"),
            ("requirements", "TaskRequirements"),
            ("payload", "TaskPayload"),
            ("pricing", "Pricing"),
        ),
    ),
    (
        MessageType.TASK_ACCEPT,
        (
            ("task_id", "str"),
            ("agent_id", "str"),
            ("gpu_allocated", "u32"),
            ("estimated_completion", "time"),
        ),
    ),
    (MessageType.TASK_REJECT, (("task_id", "str"), ("reason", "str"), ("details", "str"))),
    (
        MessageType.TASK_PROGRESS,
        (("task_id", "str"), ("progress", "f32"), ("stage", "str"), ("metrics", "TaskMetrics")),
    ),
    (
        MessageType.TASK_COMPLETE,
        (
            ("task_id", "str"),
            ("result", "TaskResult"),
            ("proof_of_work", "ProofOfWork"),
            ("metrics", "ExecutionMetrics"),
        ),
    ),
    (
        MessageType.TASK_FAILED,
        (("task_id", "str"), ("error", "TaskErrorInfo"), ("partial_results", "?str")),
    ),
    (
        MessageType.HEARTBEAT,
        (
            ("agent_id", "str"),
            ("status", "AgentStatus"),
            ("current_task_id", "?str"),
            ("gpu_status", "[GPUStatus]"),
            ("uptime_sec", "u64"),
        ),
    ),
    (
        MessageType.METRICS_BATCH,
        (
            ("agent_id", "str"),
            ("time_range", "TimeRange"),
            ("aggregated_metrics", "AggregatedMetrics"),
        ),
    ),
    (
        MessageType.EARNINGS_RECORD,
        (
            ("task_id", "str"),
            ("earnings", "EarningsDetail"),
            ("status", "EarningStatus"),
            ("estimated_payout_date", "str"),
        ),
    ),
    (
        MessageType.PAYOUT_NOTIFICATION,
        (
            ("payout_id", "str"),
            ("period", "PayoutPeriod"),
            ("summary", "PayoutSummary"),
            ("payment_method", "str"),
            ("payment_address", "str"),
            ("status", "PayoutStatus"),
        ),
    ),
    (
        MessageType.POW_CHALLENGE,
        (("challenge_id", "str"), ("nonce", "str"), ("difficulty", "u32"), ("deadline", "time")),
    ),
    (
        MessageType.POW_RESPONSE,
        (
            ("challenge_id", "str"),
            ("response", "str"),
            ("computation_time_ms", "u32"),
            ("gpu_signature", "GpuSignature"),
        ),
    ),
    (
        MessageType.ERROR,
        (("code", "str"), ("message", "str"), ("context", "?json"), ("recoverable", "bool")),
    ),
    (
        MessageType.STATE_SYNC,
        (("agent_id", "str"), ("last_heartbeat", "time"), ("active_tasks", "[ActiveTaskInfo]")),
    ),
)

_INT_RANGES = {"u8": 0xFF, "u32": 0xFFFF_FFFF, "u64": 0xFFFF_FFFF_FFFF_FFFF}


def required_fields(kind: MessageType) -> frozenset[str]:
    """The payload fields upstream requires for ``kind`` (every field but the ``Option`` ones)."""
    for variant, fields in PAYLOADS:
        if variant is kind:
            return frozenset(name for name, spec in fields if not spec.startswith("?"))
    raise KeyError(f"{kind.value} is not an upstream message type")


def _value_problem(value: object, spec: str, where: str) -> str | None:
    """Why ``value`` cannot be read as ``spec`` by serde (``None`` when it can)."""
    wrong = f"{where} is not a valid {spec}"
    if spec.startswith("?"):
        return None if value is None else _value_problem(value, spec[1:], where)
    if spec.startswith("["):
        if not isinstance(value, list):
            return wrong
        for index, item in enumerate(value):
            problem = _value_problem(item, spec[1:-1], f"{where}[{index}]")
            if problem:
                return problem
        return None
    if spec == "json":
        ok = True
    elif spec in ("str", "time"):
        ok = isinstance(value, str)
    elif spec == "bool":
        ok = isinstance(value, bool)
    elif spec in _INT_RANGES:
        ok = isinstance(value, int) and not isinstance(value, bool)
        ok = ok and 0 <= value <= _INT_RANGES[spec]  # type: ignore[operator]
    elif spec in ("f32", "f64"):
        ok = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    elif spec == "decimal":
        ok = isinstance(value, str | int | float | Decimal) and not isinstance(value, bool)
    elif spec in ENUMS:
        ok = isinstance(value, str) and value in ENUMS[spec]
    else:
        if not isinstance(value, dict):
            return wrong
        return _struct_problem(value, STRUCTS[spec], where + ".")
    return None if ok else wrong


def _struct_problem(obj: dict[str, object], fields: _Fields, prefix: str = "") -> str | None:
    for name, spec in fields:
        if name not in obj:
            if spec.startswith("?"):
                continue
            return f"{prefix}{name} is missing"
        problem = _value_problem(obj[name], spec, prefix + name)
        if problem:
            return problem
    return None


def upstream_variant(frame: dict[str, object]) -> MessageType | None:
    """The payload variant upstream's untagged enum would pick for ``frame``, or ``None``."""
    for variant, fields in PAYLOADS:
        if _struct_problem(frame, fields) is None:
            return variant
    return None


def upstream_problems(frame: str | dict[str, object]) -> list[str]:
    """Why the upstream agent would misread or reject ``frame`` (empty when it is fine).

    Args:
        frame: A text frame, or its parsed JSON object.
    """
    obj = json.loads(frame, parse_float=Decimal) if isinstance(frame, str) else frame
    if not isinstance(obj, dict):
        return ["the frame is not a JSON object"]
    problems = []
    if not isinstance(obj.get("message_id"), str):
        problems.append("message_id is missing or not a string")
    stamp = obj.get("timestamp")
    if not (isinstance(stamp, str) or (isinstance(stamp, int) and not isinstance(stamp, bool))):
        problems.append("timestamp is missing or neither a string nor an integer")
    kind = obj.get("type")
    if kind not in UPSTREAM_MESSAGE_TYPES:
        problems.append(f"type {kind!r} is not one upstream knows")
        return problems
    declared = MessageType(str(kind))
    problem = _struct_problem(obj, dict(PAYLOADS)[declared])
    if problem:
        problems.append(f"{declared.value}: {problem}")
        return problems
    picked = upstream_variant(obj)
    if picked is not declared:
        shown = picked.value if picked else "nothing"
        problems.append(f"upstream's untagged payload would read {declared.value} as {shown}")
    return problems

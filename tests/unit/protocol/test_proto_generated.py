"""The committed protobuf module matches proto/orban.proto, and that schema extends upstream's.

``tests/data/upstream-orban.proto`` is a verbatim copy of upstream's
``agent-core/proto/orban.proto``. Both schemas are compiled with the real ``protoc`` (from
grpcio-tools) into ``tmp_path``; upstream's is loaded into a descriptor pool of its own, since it
declares the same package and message names as ours.
"""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

from orban_desktop.protocol import messages as m
from orban_desktop.protocol import orban_pb2
from orban_desktop.protocol.binary import encode_binary
from orban_desktop.protocol.codec import decode_json
from tests.fixtures import DATA, PROTOCOL_FIXTURES, protocol_frame

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = "orban.protocol.v1"
Field = descriptor_pb2.FieldDescriptorProto


def _protoc(*args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def _messages(
    file: descriptor_pb2.FileDescriptorProto,
) -> dict[str, descriptor_pb2.DescriptorProto]:
    """Every message type by name, nested ones (map entries) as ``Outer.Inner``."""
    found: dict[str, descriptor_pb2.DescriptorProto] = {}

    def visit(prefix: str, message: descriptor_pb2.DescriptorProto) -> None:
        found[prefix + message.name] = message
        for nested in message.nested_type:
            visit(f"{prefix}{message.name}.", nested)

    for message in file.message_type:
        visit("", message)
    return found


@pytest.fixture(scope="module")
def upstream_file(tmp_path_factory: pytest.TempPathFactory) -> descriptor_pb2.FileDescriptorProto:
    out = tmp_path_factory.mktemp("upstream") / "upstream.desc"
    _protoc(f"-I{DATA}", f"--descriptor_set_out={out}", "upstream-orban.proto")
    files = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    assert len(files.file) == 1
    return files.file[0]


@pytest.fixture(scope="module")
def upstream_message_class(upstream_file: descriptor_pb2.FileDescriptorProto) -> Any:
    pool = descriptor_pool.DescriptorPool()
    pool.Add(upstream_file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{PACKAGE}.Message"))


def _ours() -> descriptor_pb2.FileDescriptorProto:
    file = descriptor_pb2.FileDescriptorProto()
    orban_pb2.DESCRIPTOR.CopyToProto(file)
    return file


# ---------------------------------------------------------------- generated code
def test_committed_module_is_what_protoc_generates(tmp_path: Path) -> None:
    _protoc("-Iproto", f"--python_out={tmp_path}", f"--pyi_out={tmp_path}", "proto/orban.proto")
    for name in ("orban_pb2.py", "orban_pb2.pyi"):
        committed = (ROOT / "orban_desktop" / "protocol" / name).read_bytes()
        assert (tmp_path / name).read_bytes() == committed, (
            f"orban_desktop/protocol/{name} is out of date with proto/orban.proto: run `make proto`"
        )


# ---------------------------------------------------------------- schema compatibility
def test_our_schema_keeps_every_upstream_message_and_field(
    upstream_file: descriptor_pb2.FileDescriptorProto,
) -> None:
    ours = _ours()
    assert (upstream_file.package, ours.package) == (PACKAGE, PACKAGE)
    assert (upstream_file.syntax, ours.syntax) == ("proto3", "proto3")
    our_messages = _messages(ours)
    upstream_messages = _messages(upstream_file)
    assert len(upstream_messages) == 42  # 40 messages and 2 map entries
    for name, upstream in upstream_messages.items():
        assert name in our_messages, f"message {name} is missing"
        ours_by_name = {f.name: f for f in our_messages[name].field}
        for field in upstream.field:
            where = f"{name}.{field.name}"
            assert field.name in ours_by_name, f"{where} is missing"
            mine = ours_by_name[field.name]
            assert (mine.number, mine.type, mine.type_name) == (
                field.number,
                field.type,
                field.type_name,
            ), f"{where} was renumbered or retyped"
            assert mine.label == field.label, f"{where} changed between repeated and singular"
            if field.HasField("oneof_index"):
                assert mine.HasField("oneof_index") and not mine.proto3_optional
                upstream_oneof = upstream.oneof_decl[field.oneof_index].name
                assert our_messages[name].oneof_decl[mine.oneof_index].name == upstream_oneof
        upstream_numbers = {f.number for f in upstream.field}
        for mine in our_messages[name].field:
            if mine.name not in {f.name for f in upstream.field}:
                assert mine.number not in upstream_numbers, f"{name}.{mine.name} reuses a number"


def test_our_additions_are_the_documented_ones(
    upstream_file: descriptor_pb2.FileDescriptorProto,
) -> None:
    upstream_messages = _messages(upstream_file)
    added: dict[str, set[str]] = {}
    optional: set[str] = set()
    for name, message in _messages(_ours()).items():
        known = (
            {f.name for f in upstream_messages[name].field} if name in upstream_messages else set()
        )
        added[name] = {f.name for f in message.field} - known
        optional |= {f"{name}.{f.name}" for f in message.field if f.proto3_optional}
    assert {name for name in added if name not in upstream_messages} == {
        "StateSync",
        "ActiveTaskInfo",
        "Ack",
        "TaskCancel",
    }
    assert added["Message"] == {"timestamp_nanos", "state_sync", "ack", "task_cancel"}
    assert added["PowResponse"] == {"solution_nonce"}
    assert added["Pricing"] == {
        "base_rate_usd_per_hour_decimal",
        "gpu_multiplier_decimal",
        "effective_rate_decimal",
        "estimated_payout",
        "estimated_payout_decimal",
    }
    assert added["TaskPayload"] == {"config_json"}
    assert added["Error"] == {"context_json"}
    assert {
        "GPUInfo.cuda_cores",
        "TaskMetrics.throughput_tokens_per_sec",
        "TaskFailed.partial_results",
        "Heartbeat.current_task_id",
        "GPUSignature.cuda_version",
    } <= optional


# ---------------------------------------------------------------- wire compatibility
def _contained(upstream: Any, ours: Any, where: str = "") -> None:
    """Every value an upstream reader sees equals the value our reader sees."""
    if isinstance(upstream, dict):
        for key, value in upstream.items():
            assert key in ours, f"{where}.{key} missing"
            _contained(value, ours[key], f"{where}.{key}")
    elif isinstance(upstream, list):
        assert len(upstream) == len(ours), where
        for i, (a, b) in enumerate(zip(upstream, ours, strict=True)):
            _contained(a, b, f"{where}[{i}]")
    else:
        assert upstream == ours, where


GOLDEN = sorted(
    str(path.relative_to(PROTOCOL_FIXTURES))
    for folder in ("agent-sends", "platform-sends")
    for path in (PROTOCOL_FIXTURES / folder).glob("*.json")
)


@pytest.mark.parametrize("relative", GOLDEN)
def test_upstream_schema_reads_our_frames(relative: str, upstream_message_class: Any) -> None:
    data = encode_binary(decode_json(protocol_frame(relative)))
    upstream = upstream_message_class.FromString(data)
    ours = orban_pb2.Message.FromString(data)
    member = ours.WhichOneof("payload")
    if member == "state_sync":  # in upstream's JSON protocol, not in its proto: skipped unknown
        assert upstream.WhichOneof("payload") is None
        assert (upstream.message_id, upstream.timestamp) == (ours.message_id, ours.timestamp)
        return
    assert upstream.WhichOneof("payload") == member
    _contained(
        json_format.MessageToDict(upstream, preserving_proto_field_name=True),
        json_format.MessageToDict(ours, preserving_proto_field_name=True),
    )


def test_upstream_schema_sees_the_golden_values(upstream_message_class: Any) -> None:
    heartbeat = upstream_message_class.FromString(
        encode_binary(decode_json(protocol_frame("agent-sends/heartbeat.json")))
    )
    assert heartbeat.timestamp == 1764326973
    assert heartbeat.heartbeat.status == "working"
    assert heartbeat.heartbeat.current_task_id == "task-2025-000123"
    assert heartbeat.heartbeat.timestamp == 1764326973
    gpu = heartbeat.heartbeat.gpu_status[0]
    assert (gpu.utilization, gpu.power_draw_w) == (pytest.approx(0.98), 350.5)

    batch = upstream_message_class.FromString(
        encode_binary(decode_json(protocol_frame("agent-sends/metrics-batch.json")))
    )
    metrics = batch.metrics_batch.aggregated_metrics
    assert (metrics.total_gpu_hours, metrics.earnings_usd) == (0.25, 0.3125)
    assert batch.metrics_batch.time_range.start == "2025-11-28T10:45:00Z"

    message = decode_json(protocol_frame("agent-sends/auth-response.json"))
    assert isinstance(message, m.AuthResponse)
    auth = upstream_message_class.FromString(encode_binary(message)).auth_response
    assert base64.b64encode(auth.signature).decode() == message.signature

    assign = upstream_message_class.FromString(
        encode_binary(decode_json(protocol_frame("platform-sends/task-assign.json")))
    ).task_assign
    assert assign.pricing.effective_rate == 1.25
    assert dict(assign.payload.config) == {"max_tokens": "512", "temperature": "0.7"}

"""Binary frames (extension ``binary``): lossless round trips, upstream fallbacks, refusals."""

from __future__ import annotations

import base64
import contextlib
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orban_desktop.errors import ProtocolError
from orban_desktop.money import Money
from orban_desktop.protocol import messages as m
from orban_desktop.protocol import orban_pb2 as pb
from orban_desktop.protocol import types as t
from orban_desktop.protocol.binary import decode_binary, encode_binary
from orban_desktop.protocol.codec import MAX_FRAME_BYTES, decode_json
from orban_desktop.protocol.enums import GPUVendor
from orban_desktop.protocol.numbers import to_f32
from orban_desktop.protocol.timestamps import WireTime
from tests.fixtures import PROTOCOL_FIXTURES, protocol_frame

GOLDEN = sorted(
    str(path.relative_to(PROTOCOL_FIXTURES))
    for folder in ("platform-sends", "agent-sends", "variants")
    for path in (PROTOCOL_FIXTURES / folder).glob("*.json")
)
STAMP = WireTime.parse("2025-11-28T10:49:33.512345678Z")


def _golden(relative: str) -> m.Message:
    return decode_json(protocol_frame(relative))


def _roundtrip(message: m.Message) -> m.Message:
    return decode_binary(encode_binary(message))


def _with(message: m.Message, **changes: Any) -> m.Message:
    """A validated copy of ``message`` with some fields replaced."""
    return type(message).model_validate({**dict(message), **changes})


def _envelope(message: m.Message) -> pb.Message:
    parsed = pb.Message()
    parsed.ParseFromString(encode_binary(message))
    return parsed


# ---------------------------------------------------------------- golden frames
def test_every_golden_folder_is_covered() -> None:
    assert len(GOLDEN) == 24
    types = {_golden(relative).TYPE for relative in GOLDEN}
    assert len(types) == 19  # every upstream message type


@pytest.mark.parametrize("relative", GOLDEN)
def test_golden_frame_round_trips(relative: str) -> None:
    original = _golden(relative)
    decoded = _roundtrip(original)
    if relative == "variants/pow-nonce-base64.json":
        # Documented normalisation: the nonce travels as bytes and comes back as lowercase hex.
        assert isinstance(original, m.PowChallenge)
        assert isinstance(decoded, m.PowChallenge)
        assert decoded.nonce == original.nonce_bytes().hex()
        assert decoded == _with(original, nonce=original.nonce_bytes().hex())
    else:
        assert decoded == original


def test_money_texts_and_nanosecond_times_are_exact() -> None:
    earnings = _roundtrip(_golden("platform-sends/earnings-record.json"))
    assert isinstance(earnings, m.EarningsRecord)
    assert earnings.earnings.final_amount_usd == Money(text="0.1036875", micros=103688)
    payout = _roundtrip(_golden("platform-sends/payout-notification.json"))
    assert isinstance(payout, m.PayoutNotification)
    assert [payout.summary.gross_amount_usd.text, payout.summary.net_amount_usd.text] == [
        "84.00",
        "79.80",
    ]
    accept = _roundtrip(_golden("agent-sends/task-accept.json"))
    assert isinstance(accept, m.TaskAccept)
    assert accept.estimated_completion.rfc3339_z() == "2025-11-28T10:54:33.512345678Z"


def test_lossy_upstream_fields_are_filled_beside_their_companions() -> None:
    record = _with(
        _golden("platform-sends/earnings-record.json"),
        earnings=t.EarningsDetail(
            gpu_hours=0.1 + 0.2,
            rate_usd_per_hour="123456789.123456789",
            amount_usd="0.09875",
            bonus_multiplier=1.05,
            final_amount_usd="0.1036875",
        ),
    )
    detail = _envelope(record).earnings_record.earnings
    assert detail.rate_usd_per_hour == to_f32(123456789.123456789)
    assert detail.rate_usd_per_hour_decimal == "123456789.123456789"
    assert detail.gpu_hours == to_f32(0.30000000000000004)
    assert detail.gpu_hours_f64 == 0.30000000000000004
    decoded = _roundtrip(record)
    assert isinstance(decoded, m.EarningsRecord)
    assert decoded.earnings.gpu_hours == 0.30000000000000004
    assert decoded.earnings.rate_usd_per_hour.text == "123456789.123456789"


def test_payload_timestamps_carry_the_envelope_seconds_and_are_ignored_on_decode() -> None:
    heartbeat = _golden("agent-sends/heartbeat.json")
    envelope = _envelope(heartbeat)
    assert (envelope.timestamp, envelope.timestamp_nanos) == (1764326973, 512345678)
    assert envelope.heartbeat.timestamp == 1764326973
    envelope.heartbeat.timestamp = 42
    assert decode_binary(envelope.SerializeToString()) == heartbeat


def test_bytes_fields_travel_as_raw_bytes() -> None:
    response = _golden("agent-sends/auth-response.json")
    assert isinstance(response, m.AuthResponse)
    auth = _envelope(response).auth_response
    assert auth.signature == base64.b64decode(response.signature)
    assert len(auth.public_key) == 32
    pow_response = _golden("agent-sends/pow-response.json")
    assert isinstance(pow_response, m.PowResponse)
    assert _envelope(pow_response).pow_response.response.hex() == pow_response.response
    challenge = _envelope(_golden("platform-sends/pow-challenge.json")).pow_challenge
    assert challenge.nonce == bytes.fromhex("036d33da139a78aba1587210667ea8c7")
    complete = _envelope(_golden("agent-sends/task-complete.json")).task_complete
    assert complete.proof_of_work.response == bytes([0, 0, 55, 243, 228, 207, 231, 227])


def test_uppercase_hex_response_comes_back_lowercase() -> None:
    pow_response = _golden("agent-sends/pow-response.json")
    upper = _with(pow_response, response="00AB")
    assert _roundtrip(upper) == _with(pow_response, response="00ab")


@pytest.mark.parametrize(
    ("relative", "field", "value", "fragment"),
    [
        ("agent-sends/auth-response.json", "signature", "not base64!", "not valid base64"),
        ("agent-sends/auth-response.json", "public_key", "YR==", "not canonical base64"),
        ("agent-sends/pow-response.json", "response", "abc", "not hex"),
        ("agent-sends/pow-response.json", "response", "00 11", "not hex"),
        ("platform-sends/pow-challenge.json", "nonce", "***", "PoW nonce"),
    ],
)
def test_text_that_cannot_become_bytes_is_refused(
    relative: str, field: str, value: str, fragment: str
) -> None:
    with pytest.raises(ProtocolError, match=fragment):
        encode_binary(_with(_golden(relative), **{field: value}))


# ---------------------------------------------------------------- extensions
def test_extension_messages_round_trip() -> None:
    ack = m.Ack(timestamp=STAMP, acked_message_id="b1b2c3d4-0000-4000-8000-000000000007")
    cancel = m.TaskCancel(timestamp=STAMP, task_id="task-2025-000123", reason="job withdrawn")
    assert _roundtrip(ack) == ack
    assert _roundtrip(cancel) == cancel
    assert _envelope(ack).WhichOneof("payload") == "ack"
    assert _envelope(cancel).task_cancel.reason == "job withdrawn"


def test_extensions_lists_and_solution_nonce_round_trip() -> None:
    offered = ["auth-v2", "ack", "task-cancel", "binary"]
    challenge = _with(_golden("platform-sends/auth-challenge.json"), extensions=offered)
    response = _with(_golden("agent-sends/auth-response.json"), extensions=["ack"])
    pow_response = _with(_golden("agent-sends/pow-response.json"), solution_nonce=2**64 - 1)
    for message in (challenge, response, pow_response):
        assert _roundtrip(message) == message
    assert list(_envelope(challenge).auth_challenge.extensions) == offered


def test_empty_extensions_list_reads_back_as_none() -> None:
    challenge = _with(_golden("platform-sends/auth-challenge.json"), extensions=[])
    assert _roundtrip(challenge) == _with(challenge, extensions=None)


# ---------------------------------------------------------------- None versus empty
@pytest.mark.parametrize(
    ("relative", "changes"),
    [
        ("agent-sends/heartbeat.json", {"current_task_id": None}),
        ("agent-sends/heartbeat.json", {"current_task_id": ""}),
        ("agent-sends/task-failed.json", {"partial_results": None}),
        ("agent-sends/task-failed.json", {"partial_results": ""}),
        ("agent-sends/pow-response.json", {"solution_nonce": None}),
        ("agent-sends/pow-response.json", {"solution_nonce": 0}),
        ("platform-sends/error.json", {"context": None}),
        ("platform-sends/error.json", {"context": {}}),
        ("platform-sends/error.json", {"context": []}),
        ("platform-sends/error.json", {"context": ""}),
        ("platform-sends/error.json", {"context": 0}),
        ("platform-sends/error.json", {"context": {"a": [1, None, {"b": Decimal("1E+400")}]}}),
        ("platform-sends/task-assign.json", {"payload": {"config": None}}),
        ("platform-sends/task-assign.json", {"payload": {"config": {}}}),
        ("platform-sends/task-assign.json", {"pricing": {"estimated_payout": None}}),
        ("platform-sends/task-assign.json", {"pricing": {"estimated_payout": "0"}}),
        ("agent-sends/task-progress.json", {"metrics": {"throughput_tokens_per_sec": None}}),
        ("agent-sends/task-progress.json", {"metrics": {"throughput_tokens_per_sec": 0.0}}),
        ("agent-sends/pow-response.json", {"gpu_signature": {"cuda_version": None}}),
        ("agent-sends/pow-response.json", {"gpu_signature": {"cuda_version": ""}}),
    ],
)
def test_none_and_empty_stay_apart(relative: str, changes: dict[str, Any]) -> None:
    original = _golden(relative)
    for name, change in changes.items():
        value = getattr(original, name)
        if isinstance(value, t.WireModel):  # a nested change
            change = type(value).model_validate({**dict(value), **change})
        original = _with(original, **{name: change})
    assert _roundtrip(original) == original


@pytest.mark.parametrize("cuda_cores", [None, 0, 16384])
def test_gpu_cuda_cores_none_or_zero(cuda_cores: int | None) -> None:
    register = _golden("agent-sends/agent-register.json")
    assert isinstance(register, m.AgentRegister)
    gpu = t.GPUInfo.model_validate({**dict(register.hardware.gpus[0]), "cuda_cores": cuda_cores})
    hardware = register.hardware.model_copy(update={"gpus": [gpu]})
    message = _with(register, hardware=hardware)
    assert _roundtrip(message) == message


# ---------------------------------------------------------------- an upstream peer's frames
def test_upstream_only_fields_fall_back_to_float_money_and_map_config() -> None:
    envelope = pb.Message(message_id="u-1", timestamp=1764326973)
    assign = envelope.task_assign
    assign.task_id, assign.job_id = "task-1", "job-1"
    assign.requirements.SetInParent()
    assign.payload.model_url = "https://artifacts.example/m.bin"
    assign.payload.config["max_tokens"] = "512"
    assign.pricing.base_rate_usd_per_hour = 0.5
    assign.pricing.gpu_multiplier = 2.5
    assign.pricing.effective_rate = 1.1  # an f32: its shortest text is "1.1"
    decoded = decode_binary(envelope.SerializeToString())
    assert isinstance(decoded, m.TaskAssign)
    assert decoded.timestamp == WireTime.from_unix(1764326973)
    assert decoded.payload.config == {"max_tokens": "512"}
    pricing = decoded.pricing
    assert [pricing.base_rate_usd_per_hour.text, pricing.effective_rate.text] == ["0.5", "1.1"]
    assert pricing.estimated_payout is None


def test_upstream_only_f64_falls_back_to_the_float() -> None:
    envelope = pb.Message(message_id="u-2", timestamp=1)
    batch = envelope.metrics_batch
    batch.agent_id = "agent-1"
    batch.time_range.start, batch.time_range.end = "2025-11-28T10:45:00Z", "2025-11-28T10:50:00Z"
    batch.aggregated_metrics.total_gpu_hours = 0.1
    batch.aggregated_metrics.earnings_usd = 0.3125
    decoded = decode_binary(envelope.SerializeToString())
    assert isinstance(decoded, m.MetricsBatch)
    assert decoded.aggregated_metrics.total_gpu_hours == to_f32(0.1)
    assert decoded.aggregated_metrics.earnings_usd == Money.parse("0.3125")


def test_companions_win_over_upstream_fields() -> None:
    envelope = _envelope(_golden("platform-sends/error.json"))
    envelope.error.context_json = '{"retry_after":30}'
    envelope.error.context["retry_after"] = "ignored"
    envelope.error.recoverable = True
    decoded = decode_binary(envelope.SerializeToString())
    assert isinstance(decoded, m.Error)
    assert decoded.context == {"retry_after": 30}


def test_object_config_fills_upstream_map_with_json_texts() -> None:
    assign = _golden("platform-sends/task-assign.json")
    payload = _envelope(assign).task_assign.payload
    assert dict(payload.config) == {"max_tokens": "512", "temperature": "0.7"}
    assert payload.config_json == '{"max_tokens":512,"temperature":0.7}'


# ---------------------------------------------------------------- refusals
def _frame(member: str, path: str = "", value: object = None, **envelope: Any) -> bytes:
    """An envelope with payload ``member`` present and ``payload.<path> = value`` set."""
    message = pb.Message(**{"message_id": "x", "timestamp": 1, **envelope})
    target = getattr(message, member)
    target.SetInParent()
    if path:
        *parents, leaf = path.split(".")
        for parent in parents:
            target = getattr(target, parent)
        setattr(target, leaf, value)
    return message.SerializeToString()


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "carries no message"),
        (b"\xff\xff\xff", "not an orban.protocol.v1.Message"),
        (b"\x0a\x02\xff\xfe", "not an orban.protocol.v1.Message"),  # message_id not UTF-8
        (b"\x82\x05\x00", "carries no message"),  # oneof member 80: unknown to us
        (_frame("ack", timestamp_nanos=10**9), "timestamp_nanos"),
        (_frame("ack", timestamp=2**63), "years 1-9999"),
        (_frame("ack", message_id="x" * 257), "message_id"),
        (_frame("task_complete"), "result"),  # a required struct that is absent
        (_frame("heartbeat", "status", "asleep"), "status"),
        (_frame("task_accept", "estimated_completion", "soon"), "estimated_completion"),
        (_frame("task_complete", "proof_of_work.response", b"\0" * 65537), "response"),
        (_frame("task_progress", "progress", math.nan), "progress"),
        (_frame("register_ack", "pricing.effective_rate", math.inf), "effective_rate is inf"),
        (_frame("register_ack", "pricing.effective_rate_decimal", "1,5"), "effective_rate"),
        (_frame("error", "context_json", "{nope"), "context_json is not valid JSON"),
        (_frame("error", "context_json", "NaN"), "context_json is not valid JSON"),
    ],
)
def test_bad_frames_raise_protocol_error(data: bytes, fragment: str) -> None:
    with pytest.raises(ProtocolError, match=fragment):
        decode_binary(data)


def test_proto3_defaults_are_values_not_missing_fields() -> None:
    # proto3 cannot tell an empty string or a zero from an absent one: both decode as defaults.
    decoded = decode_binary(_frame("auth_success"))
    assert decoded == m.AuthSuccess(
        message_id="x", timestamp=WireTime.from_unix(1), jwt_token="", expires_in=0
    )


def test_text_input_is_refused() -> None:
    with pytest.raises(ProtocolError, match="got text"):
        decode_binary(protocol_frame("agent-sends/heartbeat.json"))  # type: ignore[arg-type]


def test_oversized_input_is_refused_before_parsing() -> None:
    data = encode_binary(_golden("platform-sends/task-assign.json"))
    assert decode_binary(data, max_bytes=len(data)) is not None
    with pytest.raises(ProtocolError, match="over the"):
        decode_binary(data, max_bytes=len(data) - 1)
    with pytest.raises(ProtocolError, match="over the 1048576-byte limit"):
        decode_binary(b"\0" * (MAX_FRAME_BYTES + 1))


def test_oversized_message_is_not_encoded() -> None:
    gpu = t.GPUInfo(
        index=0,
        vendor=GPUVendor.NVIDIA,
        model="x" * 8192,
        vram_gb=24,
        compute_capability="8.9",
        pcie_bandwidth_gbps=32,
    )
    register = _golden("agent-sends/agent-register.json")
    assert isinstance(register, m.AgentRegister)
    huge = _with(register, hardware=register.hardware.model_copy(update={"gpus": [gpu] * 256}))
    with pytest.raises(ProtocolError, match="over the 1048576-byte limit"):
        encode_binary(huge)


@pytest.mark.parametrize("field", ["message_id", "reason"])
def test_text_that_is_not_unicode_is_not_encoded(field: str) -> None:
    # Validation refuses lone surrogates; a model built without it must still fail cleanly.
    cancel = m.TaskCancel(timestamp=STAMP, task_id="task-1", reason="withdrawn")
    with pytest.raises(ProtocolError, match="cannot encode TASK_CANCEL"):
        encode_binary(cancel.model_copy(update={field: "bad \udc00"}))


def test_timestamp_before_1970_is_not_encoded() -> None:
    ack = m.Ack(timestamp=WireTime.parse("1969-12-31T23:59:59Z"), acked_message_id="a")
    with pytest.raises(ProtocolError, match="before 1970"):
        encode_binary(ack)


# ---------------------------------------------------------------- properties
@given(st.binary(max_size=512))
def test_random_bytes_raise_only_protocol_error(data: bytes) -> None:
    try:
        decoded = decode_binary(data)
    except ProtocolError:
        return
    assert isinstance(decoded, m.Message)


@given(st.integers(min_value=0), st.integers(min_value=0, max_value=255))
def test_corrupted_golden_frames_raise_only_protocol_error(position: int, byte: int) -> None:
    data = bytearray(encode_binary(_golden("platform-sends/task-assign.json")))
    data[position % len(data)] = byte
    with contextlib.suppress(ProtocolError):
        assert isinstance(decode_binary(bytes(data)), m.Message)


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=9, allow_nan=False),
    st.floats(min_value=0, max_value=1e12, allow_nan=False),
    st.integers(min_value=0, max_value=10**9 - 1),
)
def test_amounts_hours_and_nanoseconds_round_trip_exactly(
    amount: Decimal, hours: float, nanos: int
) -> None:
    record = _with(
        _golden("platform-sends/earnings-record.json"),
        timestamp=WireTime(1764326973 * 10**9 + nanos),
        earnings=t.EarningsDetail(
            gpu_hours=hours,
            rate_usd_per_hour=str(amount),
            amount_usd=amount,
            bonus_multiplier=1.05,
            final_amount_usd="0",
        ),
    )
    assert _roundtrip(record) == record

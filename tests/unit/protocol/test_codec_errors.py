"""Malformed input raises ProtocolError, and nothing else, with a message that names the problem."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orban_desktop.errors import ProtocolError
from orban_desktop.protocol import messages as m
from orban_desktop.protocol.codec import MAX_FRAME_BYTES, decode_json, decode_json_as, encode_json
from tests.fixtures import protocol_frame


def _frame(relative: str) -> dict[str, object]:
    obj: dict[str, object] = json.loads(protocol_frame(relative))
    return obj


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"\xff\xfe", "not valid JSON"),
        ("", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"type": "NOPE"}', "unknown message type 'NOPE'"),
        ('{"type": 5}', "unknown message type"),
        ("{}", "unknown message type"),
        ('{"type":"AUTH_SUCCESS","jwt_token":"x","expires_in":NaN}', "not valid JSON"),
        ('{"type":"AUTH_SUCCESS","jwt_token":"x","expires_in":Infinity}', "not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
    ],
)
def test_malformed_frames(data: str | bytes, fragment: str) -> None:
    with pytest.raises(ProtocolError, match=fragment):
        decode_json(data)


@pytest.mark.parametrize(
    ("relative", "field", "value", "fragment"),
    [
        ("platform-sends/auth-success.json", "expires_in", -1, "expires_in"),
        ("platform-sends/auth-success.json", "expires_in", 2**64, "expires_in"),
        ("platform-sends/auth-success.json", "expires_in", "86400", "expires_in"),
        ("platform-sends/auth-success.json", "expires_in", True, "expires_in"),
        ("platform-sends/auth-success.json", "jwt_token", None, "jwt_token"),
        ("platform-sends/auth-success.json", "timestamp", "yesterday", "timestamp"),
        ("platform-sends/auth-success.json", "message_id", 7, "message_id"),
        ("platform-sends/task-assign.json", "priority", 2**32, "priority"),
        ("platform-sends/task-assign.json", "task_id", "x" * 300, "task_id"),
        ("platform-sends/error.json", "recoverable", "false", "recoverable"),
        ("platform-sends/pow-challenge.json", "deadline", "2025-13-01T00:00:00Z", "deadline"),
    ],
)
def test_wrong_field_types_are_named(
    relative: str, field: str, value: object, fragment: str
) -> None:
    obj = _frame(relative)
    obj[field] = value
    with pytest.raises(ProtocolError, match=fragment):
        decode_json(json.dumps(obj))


def test_missing_required_field_is_named() -> None:
    obj = _frame("platform-sends/task-assign.json")
    del obj["requirements"]
    with pytest.raises(ProtocolError, match="requirements"):
        decode_json(json.dumps(obj))


def test_money_given_as_a_bad_string_is_refused() -> None:
    text = protocol_frame("platform-sends/earnings-record.json").replace('"1.25"', '"1,25"')
    with pytest.raises(ProtocolError, match="rate_usd_per_hour"):
        decode_json(text)


def test_oversized_frame_is_refused_before_parsing() -> None:
    big = '{"type":"ERROR","message":"' + "x" * MAX_FRAME_BYTES + '"}'
    with pytest.raises(ProtocolError, match="over the 1048576-byte limit"):
        decode_json(big)


def test_oversized_message_is_refused_on_encode() -> None:
    msg = m.TaskFailed(
        task_id="t",
        error=m.TaskErrorInfo(code="X", message="y", details="z"),
        partial_results="p" * 8000,
    )
    assert len(encode_json(msg)) < MAX_FRAME_BYTES
    with pytest.raises(ProtocolError, match="limit"):
        decode_json(encode_json(msg), max_bytes=1000)


def test_lone_surrogate_escape_is_refused() -> None:
    text = protocol_frame("platform-sends/error.json").replace("signature", "\\ud800")
    with pytest.raises(ProtocolError, match="message"):
        decode_json(text)


def test_decode_as_checks_the_type() -> None:
    text = protocol_frame("platform-sends/auth-success.json")
    assert isinstance(decode_json_as(text, m.AuthSuccess), m.AuthSuccess)
    with pytest.raises(ProtocolError, match="expected AUTH_CHALLENGE, got AUTH_SUCCESS"):
        decode_json_as(text, m.AuthChallenge)


def test_error_context_free_json_round_trips_with_sorted_keys() -> None:
    obj = _frame("platform-sends/error.json")
    obj["context"] = {"url": "s3://x", "retry_count": 3, "a": [1.5, None, True]}
    msg = decode_json(json.dumps(obj))
    assert isinstance(msg, m.Error)
    assert '"context":{"a":[1.5,null,true],"retry_count":3,"url":"s3://x"}' in encode_json(msg)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
types = st.sampled_from([t.value for t in m.MESSAGE_CLASSES] + ["", "HELLO"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=512))
def test_random_bytes_raise_only_protocol_error(data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        decode_json(data)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(types, st.dictionaries(st.text(max_size=24), json_values, max_size=8))
def test_random_json_objects_raise_only_protocol_error(
    type_name: str, fields: dict[str, object]
) -> None:
    fields["type"] = type_name
    try:
        text = json.dumps(fields)
    except ValueError:
        return
    try:
        message = decode_json(text)
    except ProtocolError:
        return
    assert decode_json(encode_json(message)) == message


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["platform-sends/task-assign.json", "agent-sends/agent-register.json"]),
    st.data(),
)
def test_mutated_golden_frames_raise_only_protocol_error(
    relative: str, data: st.DataObject
) -> None:
    obj = _frame(relative)
    key = data.draw(st.sampled_from(sorted(obj)))
    obj[key] = data.draw(json_values)
    try:
        message = decode_json(json.dumps(obj))
    except ProtocolError:
        return
    assert decode_json(encode_json(message)) == message

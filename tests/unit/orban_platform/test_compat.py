"""The upstream required-field sets, and serde's untagged pick, against golden and broken frames."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from orban_desktop.protocol.enums import MessageType
from orban_desktop.protocol.messages import MESSAGE_CLASSES
from orban_platform.compat import (
    PAYLOADS,
    STRUCTS,
    required_fields,
    upstream_problems,
    upstream_variant,
)
from tests.fixtures import PROTOCOL_FIXTURES, protocol_frame

GOLDEN = sorted(
    p.relative_to(PROTOCOL_FIXTURES).as_posix() for p in PROTOCOL_FIXTURES.glob("*-sends/*.json")
)
UPSTREAM_SRC = Path(__file__).resolve().parents[4] / "shared" / "upstream" / "agent-core" / "src"


@pytest.mark.parametrize("name", GOLDEN)
def test_every_golden_frame_is_read_as_its_own_type(name: str) -> None:
    frame = protocol_frame(name)
    assert upstream_problems(frame) == []
    assert upstream_variant(json.loads(frame)) is MessageType(json.loads(frame)["type"])


def test_a_missing_required_field_is_reported() -> None:
    frame = json.loads(protocol_frame("platform-sends/earnings-record.json"))
    del frame["earnings"]["final_amount_usd"]
    assert upstream_problems(frame) == ["EARNINGS_RECORD: earnings.final_amount_usd is missing"]
    frame["earnings"]["final_amount_usd"] = 1.5  # a float: rust_decimal reads it, we never send it
    frame["status"] = "pending"  # upstream has no lowercase alias
    assert upstream_problems(frame) == ["EARNINGS_RECORD: status is not a valid EarningStatus"]


def test_an_option_may_be_null_or_missing_but_config_may_not() -> None:
    frame = json.loads(protocol_frame("platform-sends/error.json"))
    del frame["context"]
    assert upstream_problems(frame) == []
    assign = json.loads(protocol_frame("platform-sends/task-assign.json"))
    del assign["payload"]["config"]  # serde_json::Value: required although it may be null
    assert upstream_problems(assign) == ["TASK_ASSIGN: payload.config is missing"]


def test_extension_types_and_wrong_types_are_reported() -> None:
    ack = {"message_id": "1", "timestamp": "2025-01-01T00:00:00+00:00", "type": "ACK"}
    assert "not one upstream knows" in upstream_problems({**ack, "acked_message_id": "x"})[0]
    frame = json.loads(protocol_frame("platform-sends/pow-challenge.json"))
    frame["difficulty"] = -1
    assert upstream_problems(frame) == ["POW_CHALLENGE: difficulty is not a valid u32"]


def test_a_frame_another_struct_would_swallow_is_reported() -> None:
    # An ERROR that also carries a challenge is read by upstream as AUTH_CHALLENGE.
    frame = {**json.loads(protocol_frame("platform-sends/error.json")), "challenge": "abc"}
    assert upstream_variant(frame) is MessageType.AUTH_CHALLENGE
    assert "would read ERROR as AUTH_CHALLENGE" in upstream_problems(frame)[0]


@pytest.mark.parametrize("kind", [kind for kind, _ in PAYLOADS])
def test_our_models_have_every_field_upstream_requires(kind: MessageType) -> None:
    assert required_fields(kind) <= set(MESSAGE_CLASSES[kind].model_fields)


def _rust_structs() -> dict[str, dict[str, bool]]:
    text = "".join(
        (UPSTREAM_SRC / name).read_text(encoding="utf-8")
        for name in ("types.rs", "network/orban_protocol.rs")
    )
    structs = {}
    for name, body in re.findall(r"pub struct (\w+) \{(.*?)\n\}", text, re.S):
        fields = re.findall(r"pub (\w+): ([^,\n]+),", body)
        structs[name] = {field: not kind.startswith("Option<") for field, kind in fields}
    return structs


@pytest.mark.skipif(not UPSTREAM_SRC.is_dir(), reason="upstream sources are not beside the project")
def test_the_tables_transcribe_upstreams_sources() -> None:
    rust = _rust_structs()
    for name, fields in STRUCTS.items():
        assert {f: not spec.startswith("?") for f, spec in fields} == rust[name], name
    for kind, fields in PAYLOADS:
        struct = "".join(p.capitalize() for p in kind.value.split("_")) + "Payload"
        assert {f: not spec.startswith("?") for f, spec in fields} == rust[struct], kind

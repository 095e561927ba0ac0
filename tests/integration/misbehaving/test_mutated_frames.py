"""Every field of every frame a platform sends, mutated, against one real agent: it serves on.

Each golden platform-sends frame has each of its fields (nested ones too) replaced in turn by
hostile values: empty, null, wrong types, out of range, control characters, huge. The agent must
answer what it cannot use with ERROR, keep its session, count no money it cannot vouch for, and
still answer a valid frame at the end.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orban_desktop.events import ConnectionState
from orban_desktop.protocol import messages as m
from tests.fixtures import PROTOCOL_FIXTURES
from tests.integration.e2e.harness import running_agent, wait_for
from tests.integration.misbehaving.scripted import golden, scripted_platform

HOSTILE: list[Any] = ["", None, -1, 2**70, 1.5e308, "\n\x1b[2J", [], {}, True, "x" * 5000, "-9"]
#: Sent last, untouched by mutation: the proof that the agent still serves.
SKIPPED = {"auth-challenge", "auth-success", "register-ack"}
#: The golden ERROR is AUTH_FAILED, which rightly ends the session: mutate another code.
BASE_CHANGES: dict[str, dict[str, Any]] = {"error": {"code": "INTERNAL_ERROR"}}


def _paths(value: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if prefix == () and key in ("type",):
                continue
            yield (*prefix, key)
            yield from _paths(inner, (*prefix, key))


def _mutated(frame: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    copy = json.loads(json.dumps(frame))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


def mutated_frames() -> Iterator[dict[str, Any]]:
    for file in sorted((PROTOCOL_FIXTURES / "platform-sends").glob("*.json")):
        if file.stem in SKIPPED:
            continue
        frame = golden(file.stem, **BASE_CHANGES.get(file.stem, {}))
        for path in _paths(frame):
            for value in HOSTILE:
                yield _mutated(frame, path, value)


async def test_the_agent_survives_every_field_of_every_frame_mutated(tmp_path: Path) -> None:
    frames = list(mutated_frames())
    assert len(frames) > 300
    async with scripted_platform() as platform, running_agent(tmp_path, platform.url) as agent:
        await wait_for(platform.registered.is_set, 20, "registration")
        for frame in frames:
            await platform.send_raw(frame)
        await platform.send_raw(golden("pow-challenge", challenge_id="still-there", deadline=0))
        await wait_for(
            lambda: any(
                isinstance(e, m.Error) and "still-there" in e.message
                for e in platform.of_type(m.Error)
            ),
            60,
            "an answer to the last frame",
        )
        assert not agent.task.done()
        assert agent.runtime.service.state in (ConnectionState.SERVING, ConnectionState.PAUSED)
        assert platform.sessions == 1  # no frame ended the session
        summary = await agent.runtime.parts.ledger.get_data(page_size=1)
        assert summary.total_micros == 0  # no record for a task it never ran counted


_GOLDEN = sorted(
    f.stem for f in (PROTOCOL_FIXTURES / "platform-sends").glob("*.json") if f.stem not in SKIPPED
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def drawn_frames(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(st.sampled_from(_GOLDEN))
    frame = golden(name, **BASE_CHANGES.get(name, {}))
    path = draw(st.sampled_from(list(_paths(frame))))
    return _mutated(frame, path, draw(_JSON))


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(frames=st.lists(drawn_frames(), min_size=60, max_size=60))
async def test_hypothesis_mutated_frames_never_end_the_session(
    tmp_path_factory: pytest.TempPathFactory, frames: list[dict[str, Any]]
) -> None:
    root = tmp_path_factory.mktemp("hypothesis-agent")
    async with scripted_platform() as platform, running_agent(root, platform.url) as agent:
        await wait_for(platform.registered.is_set, 20, "registration")
        for frame in frames:
            await platform.send_raw(frame)
        await platform.send_raw(golden("pow-challenge", challenge_id="still-there", deadline=0))
        await wait_for(
            lambda: any("still-there" in e.message for e in platform.of_type(m.Error)),  # type: ignore[attr-defined]
            30,
            "an answer to the last frame",
        )
        assert not agent.task.done() and platform.sessions == 1
        summary = await agent.runtime.parts.ledger.get_data(page_size=1)
        assert summary.total_micros == 0

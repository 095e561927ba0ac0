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

"""The reconnect policy of docs/orban-protocol.md §8 as tables: how a session ended -> what next.

Each row plays a history of sessions through one :class:`ReconnectStrategy` (``connected`` /
``disconnected`` with explicit times, then ``decide``) and compares every decision it made.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from orban_desktop.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    GPUNotFound,
    KeyFileError,
    ProtocolError,
    StorageError,
)
from orban_desktop.network.reconnect import (
    ReconnectAction,
    ReconnectDecision,
    ReconnectStrategy,
    should_reconnect,
)

RETRY, WAIT, GIVE_UP = ReconnectAction.RETRY, ReconnectAction.WAIT_FOR_USER, ReconnectAction.GIVE_UP
DROPPED = ConnectionFailed("dropped")
REFUSED = AuthenticationFailed("bad key")
CLOSED_4001 = AuthenticationFailed("closed 4001", context={"close_code": 4001})
RELAY = AuthenticationFailed("relay", context={"relay_suspected": True})


@dataclass(frozen=True)
class Session:
    """One connection: up for ``lasted_s`` seconds (``None``: never came up), ended by ``end``."""

    lasted_s: float | None
    end: BaseException | None


def _play(history: list[Session], max_retries: int | None = None) -> list[ReconnectDecision]:
    strategy = ReconnectStrategy(max_retries=max_retries)
    now, decisions = 1000.0, []
    for session in history:
        if session.lasted_s is not None:
            strategy.connected(now)
            now += session.lasted_s
            strategy.disconnected(now)
        decisions.append(strategy.decide(session.end))
        now += 500.0  # time spent waiting offline never counts as uptime
    return decisions


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        pytest.param(
            [Session(None, DROPPED)] * 4,
            [(RETRY, 1.0), (RETRY, 2.0), (RETRY, 4.0), (RETRY, 8.0)],
            id="unreachable: the delay doubles",
        ),
        pytest.param(
            [Session(59.9, DROPPED)] * 3,
            [(RETRY, 1.0), (RETRY, 2.0), (RETRY, 4.0)],
            id="accept-and-drop under 60 s: no reset (no storm)",
        ),
        pytest.param(
            [Session(None, DROPPED)] * 3 + [Session(60.0, DROPPED)],
            [(RETRY, 1.0), (RETRY, 2.0), (RETRY, 4.0), (RETRY, 1.0)],
            id="a session of 60 s resets to 1 s",
        ),
        pytest.param(
            [Session(None, DROPPED)] * 2 + [Session(5.0, None)],
            [(RETRY, 1.0), (RETRY, 2.0), (RETRY, 4.0)],
            id="a clean end is followed by a reconnect too",
        ),
        pytest.param(
            [Session(None, DROPPED), Session(None, REFUSED), Session(None, DROPPED)],
            [(RETRY, 1.0), (WAIT, None), (RETRY, 2.0)],
            id="AUTH_FAILED waits for the user and uses no attempt",
        ),
        pytest.param(
            [Session(30.0, CLOSED_4001)],
            [(WAIT, None)],
            id="close 4001 (AuthenticationFailed) waits for the user",
        ),
        pytest.param(
            [Session(None, ProtocolError("garbage")), Session(None, RuntimeError("bug"))],
            [(RETRY, 1.0), (RETRY, 2.0)],
            id="a broken protocol or a defect of ours still reconnects",
        ),
        pytest.param(
            [Session(None, OSError("unreachable"))] * 300 + [Session(None, DROPPED)],
            [(RETRY, min(2.0**n, 300.0)) for n in range(301)],
            id="capped at 300 s",
        ),
    ],
)
def test_reconnect_decisions(
    history: list[Session], expected: list[tuple[ReconnectAction, float | None]]
) -> None:
    assert [(d.action, d.delay_s) for d in _play(history)] == expected


@pytest.mark.parametrize(
    ("max_retries", "sessions", "expected"),
    [
        (0, 1, [GIVE_UP]),
        (2, 3, [RETRY, RETRY, GIVE_UP]),
        (2, 4, [RETRY, RETRY, GIVE_UP, GIVE_UP]),
    ],
)
def test_max_retries_gives_up(
    max_retries: int, sessions: int, expected: list[ReconnectAction]
) -> None:
    decisions = _play([Session(None, DROPPED)] * sessions, max_retries=max_retries)
    assert [d.action for d in decisions] == expected


@pytest.mark.parametrize(
    ("end", "reason"),
    [
        (DROPPED, "retrying"),
        (REFUSED, "auth_failed"),
        (CLOSED_4001, "auth_failed"),
        (RELAY, "relay_suspected"),
    ],
)
def test_decisions_say_why(end: BaseException, reason: str) -> None:
    assert _play([Session(None, end)])[0].reason == reason


@pytest.mark.parametrize(
    ("exc", "reconnect"),
    [
        (None, True),
        (ConnectionFailed("down"), True),
        (ProtocolError("garbage"), True),
        (StorageError("disk"), True),
        (GPUNotFound("none"), True),
        (KeyFileError("no key"), True),
        (OSError("network unreachable"), True),
        (TimeoutError(), True),
        (ValueError("bug"), True),
        (AuthenticationFailed("bad key"), False),
    ],
)
def test_should_reconnect(exc: BaseException | None, reconnect: bool) -> None:
    assert should_reconnect(exc) is reconnect

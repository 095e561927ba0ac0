"""The agent's ClientSession driven with no sockets: docs/orban-protocol.md §3, §8, §9 as tables.

Each row is a script of steps, ``(now, verb, argument)``, played on a fresh session; after each
step every frame output is taken as written at that ``now`` (as the asyncio adapter does). The
row's expectation is the whole output, in order, in a short notation (see :func:`_describe`).
"""

from __future__ import annotations

from typing import Any, TypeVar

import pytest

from orban_desktop.protocol import client_events as ev
from orban_desktop.protocol import messages as m
from orban_desktop.protocol.client_session import ClientSession, Phase
from orban_desktop.protocol.codec import decode_json
from orban_desktop.protocol.enums import Extension
from orban_desktop.protocol.timestamps import WireTime
from tests.fixtures import protocol_frame

M = TypeVar("M", bound=m.Message)
TIMERS = ev.SessionTimers(heartbeat_interval_s=30.0, metrics_interval_s=300.0)
LAST_HEARTBEAT = WireTime(1_700_000_000_000_000_000)
ACK = frozenset({Extension.ACK})
NONE: frozenset[Extension] = frozenset()


def _golden(cls: type[M], name: str, **changes: Any) -> M:
    frame = decode_json(protocol_frame(name))
    assert isinstance(frame, cls)
    return frame.model_copy(update=changes)


def progress(task_id: str, value: float) -> m.TaskProgress:
    return _golden(
        m.TaskProgress, "agent-sends/task-progress.json", task_id=task_id, progress=value
    )


def complete(task_id: str) -> m.TaskComplete:
    return _golden(
        m.TaskComplete,
        "agent-sends/task-complete.json",
        task_id=task_id,
        message_id=f"mid-{task_id}",
    )


def failed(task_id: str) -> m.TaskFailed:
    return _golden(
        m.TaskFailed, "agent-sends/task-failed.json", task_id=task_id, message_id=f"mid-{task_id}"
    )


def accept(task_id: str) -> m.TaskAccept:
    return _golden(m.TaskAccept, "agent-sends/task-accept.json", task_id=task_id)


REGISTER = _golden(m.AgentRegister, "agent-sends/agent-register.json")
REGISTER_ACK = _golden(m.RegisterAck, "platform-sends/register-ack.json")
HEARTBEAT = _golden(m.Heartbeat, "agent-sends/heartbeat.json")
ASSIGN = _golden(m.TaskAssign, "platform-sends/task-assign.json")
RUNNING = ev.RunningTaskState("run-1", 0.5, WireTime(1_000))


def stored(frame: m.TaskComplete | m.TaskFailed) -> ev.UndeliveredResult:
    return ev.UndeliveredResult(frame, WireTime(2_000))


def auth(
    extensions: frozenset[Extension] = NONE,
    *,
    reconnect: bool = False,
    running: tuple[ev.RunningTaskState, ...] = (),
    undelivered: tuple[ev.UndeliveredResult, ...] = (),
) -> dict[str, Any]:
    return {
        "extensions": extensions,
        "reconnect": reconnect,
        "running": running,
        "undelivered": undelivered,
    }


def _describe(item: ev.Output) -> str:
    """``STATE_SYNC run-1@0.5 r1@1``, ``TASK_COMPLETE r1 mid-r1``, ``Settled r1``, ..."""
    match item:
        case m.StateSync():
            return " ".join(
                ["STATE_SYNC", *(f"{a.task_id}@{a.progress:g}" for a in item.active_tasks)]
            )
        case m.TaskProgress():
            return f"TASK_PROGRESS {item.task_id}@{item.progress:g}"
        case m.TaskComplete() | m.TaskFailed():
            return f"{item.TYPE.value} {item.task_id} {item.message_id}"
        case m.TaskAccept():
            return f"TASK_ACCEPT {item.task_id}"
        case m.Ack():
            return f"ACK {item.acked_message_id}"
        case m.Message():
            return item.TYPE.value
        case ev.ResultSettled():
            return f"Settled {item.task_id}"
        case ev.ResultAcked():
            return f"Acked {item.message_id}"
        case ev.RegisterTimedOut():
            return f"RegisterTimedOut {item.timeout_s:g}"
        case _:
            return type(item).__name__


def play(steps: list[tuple[float, str, Any]]) -> tuple[ClientSession, list[str], list[Any]]:
    """Run ``steps``; returns the session, the output described, and what ``receive`` returned."""
    session = ClientSession("agent-1", TIMERS, LAST_HEARTBEAT)
    out: list[str] = []
    handed: list[Any] = []
    for now, verb, arg in steps:
        if verb == "auth":
            session.authenticated(wall_now=WireTime(now_ns(now)), **arg)
        elif verb == "register":
            session.register(REGISTER, now)
        elif verb == "recv":
            handed.append(session.receive(arg, now))
        elif verb == "send":
            session.send(arg)
        elif verb == "tick":
            session.tick(now)
        else:
            raise AssertionError(verb)
        for item in session.take_output():
            out.append(_describe(item))
            if isinstance(item, m.Message):
                session.frame_written(item, now)
    return session, out, handed


def now_ns(now: float) -> int:
    return int(now * 1e9)


def registered(extensions: frozenset[Extension] = NONE) -> list[tuple[float, str, Any]]:
    """The steps of a first, plain login and registration at t=0."""
    return [(0, "auth", auth(extensions)), (0, "register", None), (0, "recv", REGISTER_ACK)]


FIRST_SESSION = ["AGENT_REGISTER", "Registered"]

# §3: what may be sent before authentication and registration.
SECTION_3 = [
    pytest.param(
        [(0, "send", progress("t1", 0.1)), (0, "auth", auth()), (0, "register", None)],
        ["AGENT_REGISTER"],
        id="nothing but AGENT_REGISTER goes out before REGISTER_ACK",
    ),
    pytest.param(
        [
            (0, "send", accept("t1")),
            (0, "send", progress("t1", 0.2)),
            (0, "auth", auth()),
            (0, "register", None),
            (0, "send", progress("t2", 0.3)),
            (1, "recv", REGISTER_ACK),
        ],
        [*FIRST_SESSION, "TASK_ACCEPT t1", "TASK_PROGRESS t1@0.2", "TASK_PROGRESS t2@0.3"],
        id="frames wanted before auth and registration follow REGISTER_ACK, in order",
    ),
    pytest.param(
        [
            (0, "auth", auth(reconnect=True, running=(RUNNING,))),
            (0, "register", None),
            (1, "send", progress("run-1", 0.6)),
            (1, "recv", REGISTER_ACK),
        ],
        ["STATE_SYNC run-1@0.5", "AGENT_REGISTER", "Registered", "TASK_PROGRESS run-1@0.6"],
        id="the reconnect bug: TASK_PROGRESS waits for REGISTER_ACK",
    ),
    pytest.param(
        [
            (0, "send", progress("t1", 0.1)),
            (0, "send", progress("t2", 0.1)),
            (0, "send", progress("t1", 0.4)),
            *registered(),
        ],
        [*FIRST_SESSION, "TASK_PROGRESS t2@0.1", "TASK_PROGRESS t1@0.4"],
        id="only a task's latest kept progress is sent",
    ),
    pytest.param(
        [(0, "send", complete("r1")), (0, "send", complete("r1")), *registered()],
        [*FIRST_SESSION, "TASK_COMPLETE r1 mid-r1"],
        id="one kept result per task",
    ),
    pytest.param(
        [*registered(), (1, "send", accept("t1"))],
        [*FIRST_SESSION, "TASK_ACCEPT t1"],
        id="after REGISTER_ACK frames go out at once",
    ),
    pytest.param(
        [*registered(), (1, "send", m.Ack(acked_message_id="e1"))],
        FIRST_SESSION,
        id="no ACK without the ack extension",
    ),
    pytest.param(
        [*registered(ACK), (1, "send", m.Ack(acked_message_id="e1"))],
        [*FIRST_SESSION, "ACK e1"],
        id="ACK with the ack extension",
    ),
    pytest.param(
        [(0, "auth", auth()), (0, "recv", REGISTER_ACK), (0, "send", accept("t1"))],
        [],
        id="a REGISTER_ACK before AGENT_REGISTER registers nothing",
    ),
    pytest.param(
        [(0, "auth", auth()), (0, "register", None), (29.9, "tick", None), (30, "tick", None)],
        ["AGENT_REGISTER", "RegisterTimedOut 30"],
        id="no REGISTER_ACK within 30 s: give up the connection",
    ),
]

# §8: STATE_SYNC after a reconnect, before AGENT_REGISTER; results re-sent after REGISTER_ACK.
SECTION_8 = [
    pytest.param(
        registered(),
        FIRST_SESSION,
        id="first session with nothing to report: no STATE_SYNC",
    ),
    pytest.param(
        [(0, "auth", auth(reconnect=True)), (0, "register", None)],
        ["STATE_SYNC", "AGENT_REGISTER"],
        id="a reconnect always sends STATE_SYNC first, even empty",
    ),
    pytest.param(
        [(0, "auth", auth(running=(RUNNING,))), (0, "register", None)],
        ["STATE_SYNC run-1@0.5", "AGENT_REGISTER"],
        id="first session with a running task (restart): STATE_SYNC",
    ),
    pytest.param(
        [
            (
                0,
                "auth",
                auth(reconnect=True, running=(RUNNING,), undelivered=(stored(failed("r2")),)),
            ),
            (0, "register", None),
            (1, "recv", REGISTER_ACK),
        ],
        ["STATE_SYNC run-1@0.5 r2@1", "AGENT_REGISTER", "Registered", "TASK_FAILED r2 mid-r2"],
        id="running tasks with progress, undelivered results at 1, then the result re-sent",
    ),
    pytest.param(
        [(0, "auth", auth(undelivered=(stored(complete("run-1")),), running=(RUNNING,)))],
        ["STATE_SYNC run-1@0.5"],
        id="a task listed as running is not listed twice",
    ),
    pytest.param(
        [
            (0, "send", complete("r1")),
            (0, "auth", auth(undelivered=(stored(complete("r1")),))),
            (0, "register", None),
            (0, "recv", REGISTER_ACK),
        ],
        ["STATE_SYNC r1@1", "AGENT_REGISTER", "Registered", "TASK_COMPLETE r1 mid-r1"],
        id="a result both stored and sent during the login goes out once",
    ),
    pytest.param(
        [
            (0, "send", progress("t9", 0.2)),
            (0, "auth", auth(undelivered=(stored(complete("r1")),))),
            (0, "register", None),
            (0, "recv", REGISTER_ACK),
        ],
        [
            "STATE_SYNC r1@1",
            "AGENT_REGISTER",
            "Registered",
            "TASK_COMPLETE r1 mid-r1",
            "TASK_PROGRESS t9@0.2",
        ],
        id="stored results go before frames kept during the login",
    ),
]

# §9 and the timers: settling without ack, ACKs with it, heartbeats and metrics.
SECTION_9 = [
    pytest.param(
        [*registered(), (0, "tick", None), (29, "tick", None), (30, "tick", None)],
        [*FIRST_SESSION, "HeartbeatDue", "HeartbeatDue"],
        id="a heartbeat is due at REGISTER_ACK, then every interval",
    ),
    pytest.param(
        [*registered(), (299, "tick", None), (300, "tick", None)],
        [*FIRST_SESSION, "HeartbeatDue", "MetricsDue"],
        id="metrics are due one interval after REGISTER_ACK",
    ),
    pytest.param(
        [*registered(), (10, "send", complete("r1")), (39.9, "tick", None), (40, "tick", None)],
        [*FIRST_SESSION, "TASK_COMPLETE r1 mid-r1", "HeartbeatDue", "Settled r1"],
        id="without ack: delivered one heartbeat interval after it was written",
    ),
    pytest.param(
        [
            (0, "auth", auth(undelivered=(stored(complete("r1")),))),
            (0, "register", None),
            (5, "tick", None),
            (31, "tick", None),
        ],
        ["STATE_SYNC r1@1", "AGENT_REGISTER", "RegisterTimedOut 30"],
        id="without ack: a result not yet written (before REGISTER_ACK) never settles",
    ),
    pytest.param(
        [*registered(ACK), (10, "send", complete("r1")), (100, "tick", None)],
        [*FIRST_SESSION, "TASK_COMPLETE r1 mid-r1", "HeartbeatDue"],
        id="with ack: time alone delivers nothing",
    ),
    pytest.param(
        [
            *registered(ACK),
            (10, "send", complete("r1")),
            (11, "recv", m.Ack(acked_message_id="mid-r1")),
        ],
        [*FIRST_SESSION, "TASK_COMPLETE r1 mid-r1", "Acked mid-r1"],
        id="with ack: the ACK delivers it",
    ),
    pytest.param(
        [
            *registered(),
            (10, "send", complete("r1")),
            (11, "recv", m.Ack(acked_message_id="mid-r1")),
            (100, "tick", None),
        ],
        [*FIRST_SESSION, "TASK_COMPLETE r1 mid-r1", "Acked mid-r1", "HeartbeatDue"],
        id="an ACK ends the settling of its result",
    ),
    pytest.param(
        [
            (0, "auth", auth(ACK, reconnect=True, undelivered=(stored(complete("r1")),))),
            (0, "register", None),
            (0, "recv", REGISTER_ACK),
        ],
        ["STATE_SYNC r1@1", "AGENT_REGISTER", "Registered", "TASK_COMPLETE r1 mid-r1"],
        id="unacknowledged results are re-sent after a reconnect with the same message_id",
    ),
]


@pytest.mark.parametrize(("steps", "expected"), SECTION_3 + SECTION_8 + SECTION_9)
def test_session_output(steps: list[tuple[float, str, Any]], expected: list[str]) -> None:
    assert play(steps)[1] == expected


@pytest.mark.parametrize(
    ("steps", "deadline"),
    [
        pytest.param([], None, id="before auth: nothing timed"),
        pytest.param([(0, "auth", auth()), (5, "register", None)], 35.0, id="REGISTER_ACK"),
        pytest.param([*registered(), (0, "tick", None)], 30.0, id="the next heartbeat"),
        pytest.param(
            [*registered(), (0, "tick", None), (10, "send", complete("r1")), (30, "tick", None)],
            40.0,
            id="a result's settling",
        ),
        pytest.param(
            [*registered(ACK), (0, "tick", None), (10, "send", complete("r1")), (30, "tick", None)],
            60.0,
            id="with ack a result has no deadline",
        ),
    ],
)
def test_next_deadline(steps: list[tuple[float, str, Any]], deadline: float | None) -> None:
    assert play(steps)[0].next_deadline() == deadline


@pytest.mark.parametrize(
    ("frame", "for_handlers"),
    [
        pytest.param(ASSIGN, True, id="TASK_ASSIGN goes to the handlers"),
        pytest.param(REGISTER_ACK, False, id="REGISTER_ACK is the session's"),
        pytest.param(m.Ack(acked_message_id="x"), False, id="ACK is the session's"),
    ],
)
def test_what_receive_hands_on(frame: m.Message, for_handlers: bool) -> None:
    _, _, handed = play([(0, "auth", auth(ACK)), (0, "register", None), (0, "recv", frame)])
    assert (handed[-1] is frame) is for_handlers


def test_the_heartbeat_written_is_the_next_state_syncs_last_heartbeat() -> None:
    session, _, _ = play([*registered(), (1, "send", HEARTBEAT)])
    assert session.last_heartbeat == HEARTBEAT.timestamp
    assert session.phase is Phase.REGISTERED


@pytest.mark.parametrize(
    ("steps", "call"),
    [
        pytest.param([], "register", id="register before authenticated"),
        pytest.param([(0, "auth", auth())], "auth", id="authenticated twice"),
    ],
)
def test_call_order_is_enforced(steps: list[tuple[float, str, Any]], call: str) -> None:
    session, _, _ = play(steps)
    with pytest.raises(RuntimeError):
        if call == "register":
            session.register(REGISTER, 0)
        else:
            session.authenticated(wall_now=WireTime(0), **auth())


@pytest.mark.parametrize("frame", [REGISTER, _golden(m.StateSync, "agent-sends/state-sync.json")])
def test_session_frames_cannot_be_sent_by_the_agent(frame: m.Message) -> None:
    with pytest.raises(ValueError):
        ClientSession("agent-1", TIMERS, LAST_HEARTBEAT).send(frame)

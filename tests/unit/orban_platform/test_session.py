"""The platform core driven without sockets: frames in, frames and closes out, a fake clock."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from orban_desktop.network.auth import Authenticator
from orban_desktop.protocol import messages as m
from orban_desktop.protocol.codec import decode_json, encode_json
from orban_platform.hub import PlatformCore
from orban_platform.jobs import JobFactory, prepare_job
from orban_platform.session import Close, Delivery, ServerSession
from orban_platform.settings import PlatformSettings
from orban_platform.store import PlatformStore
from tests.integration.orban_platform.agent import register_message

ORIGIN = "ws://127.0.0.1:8740"


@pytest.fixture
def core(tmp_path: Path) -> PlatformCore:
    settings = PlatformSettings(
        workloads=("checksum",),  # canaries: fast; real work has its own tests
        data_dir=tmp_path,
        heartbeat_interval_s=10.0,
        pow_on_register=False,
        queue_target=0,
    )
    platform = PlatformCore(settings, PlatformStore(tmp_path / "db.sqlite3"), rng=random.Random(1))
    platform.start(now=1000.0, origins=(ORIGIN,))
    platform.tasks.http_base = "http://127.0.0.1:8741"
    return platform


def _out(session: ServerSession) -> list[m.Message | Close]:
    return [
        item if isinstance(item, Close) else decode_json(item) for item in session.take_output()
    ]


def _login(core: PlatformCore, identity: Authenticator, now: float) -> ServerSession:
    session = core.open_session(binary=False, now=now)
    [challenge] = _out(session)
    assert isinstance(challenge, m.AuthChallenge)
    answer = identity.respond_to_challenge(challenge.challenge)
    response = m.AuthResponse(
        agent_id=identity.agent_id,
        signature=answer.signature_b64,
        public_key=answer.public_key_b64,
    )
    session.receive(encode_json(response), now)
    [success] = _out(session)
    assert isinstance(success, m.AuthSuccess)
    return session


def test_no_answer_to_the_challenge_closes_with_4002(core: PlatformCore) -> None:
    session = core.open_session(binary=False, now=1000.0)
    session.take_output()
    core.tick(1029.0)
    assert session.take_output() == []
    core.tick(1031.0)
    error, close = _out(session)
    assert isinstance(error, m.Error) and error.code == "CHALLENGE_EXPIRED"
    assert close == Close(4002, "authentication timeout")


def test_silence_requeues_the_agents_tasks_and_closes_with_4005(core: PlatformCore) -> None:
    identity = Authenticator.generate()
    session = _login(core, identity, 1000.0)
    session.receive(encode_json(register_message(identity.agent_id)), 1000.0)
    factory = JobFactory(random.Random(2), 256)
    [task] = core.tasks.add_jobs([prepare_job(factory, core.artifacts, "job-1")], 1000.0)
    ack, assign = _out(session)
    assert isinstance(ack, m.RegisterAck) and isinstance(assign, m.TaskAssign)
    heartbeat = m.Heartbeat(
        agent_id=identity.agent_id, status="working", gpu_status=[], uptime_sec=1
    )
    session.receive(encode_json(heartbeat), 1025.0)
    core.tick(1050.0)  # 25 s since the last heartbeat: 2.5 intervals
    assert session.take_output() == [] and task.state.value == "assigned"
    core.tick(1056.0)
    assert _out(session) == [Close(4005, "heartbeat missing")]
    assert task.state.value == "queued" and task.agent_id is None


def test_ten_invalid_frames_in_a_minute_close_with_4004(core: PlatformCore) -> None:
    session = core.open_session(binary=False, now=1000.0)
    session.take_output()
    for second in range(9):
        session.receive("nonsense", 1000.0 + second * 10)  # spread over 80 s: 6 in any minute
    assert all(isinstance(f, m.Error) for f in _out(session))
    for _ in range(4):
        session.receive("nonsense", 1081.0)
    *errors, close = _out(session)
    assert close == Close(4004, "too many invalid frames")
    assert [e.code for e in errors if isinstance(e, m.Error)][-1] == "RATE_LIMITED"


def test_without_ack_a_delivery_counts_after_a_heartbeat_interval(core: PlatformCore) -> None:
    identity = Authenticator.generate()
    session = _login(core, identity, 1000.0)
    delivered: list[Delivery] = []
    core.earnings.delivered = delivered.append  # type: ignore[method-assign,assignment]
    record = m.Error(code="X", message="any frame", recoverable=True)
    session.send_tracked(record, Delivery("earning", "task-1", "Pending"), 1000.0)
    session.tick(1009.0)
    assert delivered == []
    session.tick(1010.0)
    assert delivered == [Delivery("earning", "task-1", "Pending")]

"""A misbehaving platform against a real agent on loopback: it survives, stays honest, says why."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from orban_desktop.events import ConnectionState
from orban_desktop.logging_setup import StructuredFormatter
from orban_desktop.protocol import messages as m
from orban_desktop.protocol import types as t
from orban_desktop.protocol.timestamps import WireTime
from tests.integration.e2e.harness import running_agent, wait_for
from tests.integration.misbehaving.scripted import golden, scripted_platform


def _deadline(seconds: float) -> str:
    return WireTime(time.time_ns() + int(seconds * 1e9)).rfc3339_z()


async def _errors(platform: object, count: int) -> list[m.Error]:
    await wait_for(lambda: len(platform.of_type(m.Error)) >= count, 15, "ERROR frames")  # type: ignore[attr-defined]
    return platform.of_type(m.Error)  # type: ignore[attr-defined,return-value]


@pytest.mark.parametrize(
    ("frame_name", "changes"),
    [
        ("earnings-record", {"task_id": ""}),
        ("payout-notification", {"payout_id": ""}),
        ("task-assign", {"task_id": ""}),
    ],
)
async def test_an_empty_key_id_is_refused_and_the_agent_serves_on(
    tmp_path: Path, frame_name: str, changes: dict[str, object]
) -> None:
    async with scripted_platform() as platform, running_agent(tmp_path, platform.url) as agent:
        await wait_for(platform.registered.is_set, 20, "registration")
        await platform.send_raw(golden(frame_name, **changes))
        [error] = await _errors(platform, 1)
        assert error.code == "INVALID_MESSAGE" and "at least 1 character" in error.message
        heartbeats = len(platform.of_type(m.Heartbeat))
        assert not agent.task.done()
        assert agent.runtime.service.state is ConnectionState.SERVING
        assert not platform.of_type(m.TaskAccept)
        summary = await agent.runtime.parts.ledger.get_data(page_size=1)
        assert summary.total_micros == 0
        assert heartbeats >= 1


async def test_an_unknown_type_is_answered_unknown_message_type(tmp_path: Path) -> None:
    async with scripted_platform() as platform, running_agent(tmp_path, platform.url):
        await wait_for(platform.registered.is_set, 20, "registration")
        await platform.send_raw({"message_id": "x1", "timestamp": 0, "type": "SELF_DESTRUCT"})
        [error] = await _errors(platform, 1)
        assert error.code == "UNKNOWN_MESSAGE_TYPE"


async def test_earnings_for_a_task_never_run_or_negative_are_kept_apart(tmp_path: Path) -> None:
    async with scripted_platform() as platform, running_agent(tmp_path, platform.url) as agent:
        await wait_for(platform.registered.is_set, 20, "registration")
        await platform.send_raw(golden("earnings-record", task_id="never-ran"))
        negative = golden("earnings-record", task_id="never-ran-2")
        negative["earnings"] = dict(negative["earnings"], final_amount_usd="-5")  # type: ignore[call-overload]
        await platform.send_raw(negative)
        ledger = agent.runtime.parts.ledger
        await wait_for(lambda: len(agent.events) > 0, 5)
        for _ in range(100):
            if len(await ledger.flagged()) == 2:
                break
            await _sleep()
        flagged = await ledger.flagged()
        assert {entry.task_id for entry in flagged} == {"never-ran", "never-ran-2"}
        summary = await ledger.get_data(page_size=1)
        assert summary.total_micros == 0 and summary.today_micros == 0
        assert not agent.task.done()


async def test_a_malformed_challenge_backs_off_and_never_parks_as_key_rejected(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with (
        scripted_platform(challenge="not base64!") as platform,
        running_agent(tmp_path, platform.url) as agent,
    ):
        await wait_for(lambda: platform.sessions >= 3, 20, "reconnects")
        assert agent.runtime.service.state is not ConnectionState.AUTH_REJECTED
        assert "not valid base64" in caplog.text and "key is not at fault" in caplog.text


async def test_a_relay_shaped_challenge_stops_and_says_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import base64

    from orban_desktop.network.auth import AUTH_V2_PREFIX

    challenge = base64.b64encode(AUTH_V2_PREFIX + b"x" * 32).decode()
    caplog.set_level(logging.ERROR)
    async with (
        scripted_platform(challenge=challenge) as platform,
        running_agent(tmp_path, platform.url) as agent,
    ):
        service = agent.runtime.service
        await wait_for(lambda: service.state is ConnectionState.AUTH_REJECTED, 20, "rejection")
        assert "relay attempt" in (service.state_detail or "")
        assert "relay attempt" in caplog.text  # logged at error level


async def test_pow_past_its_deadline_or_too_hard_is_refused_at_once(tmp_path: Path) -> None:
    async with scripted_platform() as platform, running_agent(tmp_path, platform.url) as agent:
        await wait_for(platform.registered.is_set, 20, "registration")
        await platform.send_raw(
            golden("pow-challenge", challenge_id="late", deadline=_deadline(-5))
        )
        hard = golden("pow-challenge", challenge_id="hard", difficulty=32, deadline=_deadline(1))
        await platform.send_raw(hard)
        errors = await _errors(platform, 2)
        assert [e.code for e in errors] == ["POW_FAILED", "POW_FAILED"]
        assert "deadline passed" in errors[0].message and "2^32" in errors[1].message
        assert not agent.runtime.service.handlers.pow.searching


async def test_a_search_stops_within_a_second_of_its_deadline(tmp_path: Path) -> None:
    async with scripted_platform() as platform, running_agent(tmp_path, platform.url) as agent:
        await wait_for(platform.registered.is_set, 20, "registration")
        pow_ = agent.runtime.service.handlers.pow
        pow_.hash_rate = 1e12  # pretend it is fast, so the hard challenge is taken and searched
        hard = golden("pow-challenge", challenge_id="h", difficulty=30, deadline=_deadline(1.5))
        await platform.send_raw(hard)
        await wait_for(lambda: pow_.searching, 5, "the search to start")
        await wait_for(lambda: not pow_.searching, 2.5 + 1.0, "the search to stop")
        [error] = await _errors(platform, 1)
        assert error.code == "POW_FAILED" and "before the deadline" in error.message
        import multiprocessing

        await wait_for(lambda: not multiprocessing.active_children(), 1.0, "workers to end")


async def test_a_finished_task_reassigned_after_a_restart_is_resent_not_rerun(
    tmp_path: Path,
) -> None:
    from orban_desktop.agent.outbox import OutboxItem
    from orban_desktop.agent.outbox_records import JournaledTask
    from orban_desktop.protocol.codec import encode_json

    async with scripted_platform() as platform, running_agent(tmp_path, platform.url) as agent:
        await wait_for(platform.registered.is_set, 20, "registration")
        outbox = agent.runtime.parts.outbox
        assign = golden("task-assign")
        done = m.TaskFailed(
            task_id=str(assign["task_id"]),
            error=t.TaskErrorInfo(code="X", message="earlier run", details=""),
        )
        await outbox.task_started(JournaledTask(done.task_id, "{}", 0, None, time.time()))
        item = OutboxItem(done.task_id, done.message_id, "TASK_FAILED", encode_json(done), 1.0)
        await outbox.put(item)
        await outbox.mark_delivered(done.task_id)
        await platform.send_raw(assign)
        await wait_for(
            lambda: any(r.message_id == done.message_id for r in platform.of_type(m.TaskFailed)),
            10,
            "the stored result",
        )
        assert not platform.of_type(m.TaskAccept)


def test_platform_text_cannot_forge_a_log_line() -> None:
    record = logging.LogRecord(
        "orban_desktop.agent.handlers", logging.WARNING, __file__, 1,
        "platform error %s: %s",
        ("X", "boom\n2026-12-02 10:00:00,000 INFO orban_desktop.earnings: owner approved payout"),
        None,
    )  # fmt: skip
    line = StructuredFormatter().format(record)
    assert "\n" not in line and "\\n2026-12-02" in line


async def _sleep() -> None:
    import asyncio

    await asyncio.sleep(0.05)


async def test_an_oversized_frame_is_closed_with_1009_and_worded_as_the_agents_close(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with scripted_platform() as platform, running_agent(tmp_path, platform.url) as agent:
        await wait_for(platform.registered.is_set, 20, "registration")
        await platform.send_raw(golden("error", code="X", message="y" * (2 * 1024 * 1024)))
        await wait_for(lambda: platform.sessions >= 2, 20, "the reconnect")
        assert "The agent closed the connection (code 1009" in caplog.text
        assert "code None" not in caplog.text
        assert not agent.task.done()

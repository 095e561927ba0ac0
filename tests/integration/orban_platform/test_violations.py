"""Protocol violations get an ERROR and the right close code; other agents never notice."""

from __future__ import annotations

import json

import aiohttp
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from orban_desktop.protocol import messages as m
from orban_desktop.protocol.binary import encode_binary
from orban_desktop.protocol.codec import MAX_FRAME_BYTES
from orban_desktop.protocol.enums import Extension
from orban_platform.server import LocalPlatform
from tests.fixtures import protocol_frame
from tests.integration.orban_platform.agent import TestAgent, make_job

HEARTBEAT = json.loads(protocol_frame("agent-sends/heartbeat.json"))


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "INVALID_MESSAGE"),
        ("[1, 2, 3]", "INVALID_MESSAGE"),
        (json.dumps({**HEARTBEAT, "type": "SELF_DESTRUCT"}), "UNKNOWN_MESSAGE_TYPE"),
        (json.dumps({**HEARTBEAT, "uptime_sec": -1}), "INVALID_MESSAGE"),
        (json.dumps({k: v for k, v in HEARTBEAT.items() if k != "gpu_status"}), "INVALID_MESSAGE"),
        (protocol_frame("platform-sends/task-assign.json"), "INVALID_MESSAGE"),
        (json.dumps({**HEARTBEAT, "type": "ACK", "acked_message_id": "x"}), "UNKNOWN_MESSAGE_TYPE"),
    ],
    ids=[
        "malformed",
        "not-an-object",
        "unknown-type",
        "out-of-range",
        "missing-field",
        "platform-only-type",
        "ack-not-negotiated",
    ],
)
async def test_a_bad_frame_gets_an_error_and_the_session_lives_on(
    platform: LocalPlatform, frame: str, code: str
) -> None:
    agent = TestAgent(platform.ws_url)
    await agent.join()
    await agent.send_raw(frame)
    error = await agent.expect(m.Error)
    assert (error.code, error.recoverable) == (code, True)
    await agent.sync()


async def test_frames_before_login_and_before_registration(platform: LocalPlatform) -> None:
    agent = TestAgent(platform.ws_url)
    challenge = await agent.open()
    await agent.send(agent.heartbeat())
    assert (await agent.expect(m.Error)).code == "NOT_AUTHENTICATED"
    await agent.send(agent.answer(challenge))
    await agent.expect(m.AuthSuccess)
    await agent.send(agent.heartbeat())
    assert (await agent.expect(m.Error)).code == "NOT_REGISTERED"
    await agent.register()
    await agent.sync()


async def test_an_oversized_frame_gets_an_error_and_close_1009(platform: LocalPlatform) -> None:
    agent = TestAgent(platform.ws_url)
    await agent.join()
    await agent.send_raw(json.dumps({**HEARTBEAT, "padding": "x" * MAX_FRAME_BYTES}))
    code, _ = await agent.closed()
    assert code == 1009
    assert [e.code for e in agent.backlog if isinstance(e, m.Error)] == ["MESSAGE_TOO_LARGE"]


async def test_a_binary_frame_on_a_text_session_closes_with_1002(platform: LocalPlatform) -> None:
    agent = TestAgent(platform.ws_url)
    await agent.join()
    await agent.send_raw(encode_binary(agent.heartbeat()))
    assert (await agent.closed())[0] == 1002


async def test_ten_invalid_frames_in_a_minute_close_with_4004(platform: LocalPlatform) -> None:
    agent = TestAgent(platform.ws_url)
    await agent.join()
    for _ in range(10):
        await agent.send_raw("{")
    code, _ = await agent.closed()
    assert code == 4004
    codes = [e.code for e in agent.backlog if isinstance(e, m.Error)]
    assert codes == ["INVALID_MESSAGE"] * 10 + ["RATE_LIMITED"]


async def test_other_agents_are_unaffected(
    platform: LocalPlatform, http: aiohttp.ClientSession
) -> None:
    good = TestAgent(platform.ws_url, extensions=(Extension.ACK,))
    await good.join()
    vandals = [TestAgent(platform.ws_url) for _ in range(3)]
    for vandal in vandals:
        await vandal.join()
    await vandals[0].send_raw(json.dumps({**HEARTBEAT, "padding": "x" * MAX_FRAME_BYTES}))
    for _ in range(10):
        await vandals[1].send_raw(b"\xff\x00garbage")
    await vandals[2].send_raw("\x00" * 100)
    task = await platform.submit_job(make_job("job-calm"))
    done = await good.run_task(http, await good.expect(m.TaskAssign, task_id=task.task_id))
    await good.expect(m.Ack, acked_message_id=done.message_id)
    assert (await vandals[0].closed())[0] == 1009
    assert (await vandals[1].closed())[0] == 1002
    await vandals[2].sync()
    await good.sync()
    assert platform.status()["earnings"][good.agent_id]["tasks"] == 1


async def test_the_wrong_path_is_not_a_websocket_endpoint(platform: LocalPlatform) -> None:
    with pytest.raises(InvalidStatus) as caught:
        await connect(platform.ws_url + "/somewhere", proxy=None)
    assert caught.value.response.status_code == 404

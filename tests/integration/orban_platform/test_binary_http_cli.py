"""Binary sessions, the HTTP side (Range, upload checks, /status) and the ``platform`` verb."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import sys
from pathlib import Path

import aiohttp

from orban_desktop.protocol import messages as m
from orban_desktop.protocol.enums import Extension
from orban_platform.server import LocalPlatform
from tests.integration.orban_platform.agent import SHA256_HEADER, TestAgent, make_job

ALL = tuple(Extension)


async def test_a_binary_session_runs_a_task(
    platform: LocalPlatform, http: aiohttp.ClientSession
) -> None:
    agent = TestAgent(platform.ws_url, extensions=ALL)
    challenge = await agent.open()
    assert agent.binary and "binary" in (challenge.extensions or [])
    await agent.send(agent.answer(challenge))
    await agent.expect(m.AuthSuccess)
    await agent.register()
    task = await platform.submit_job(make_job("job-binary", "orban/checksum:1"))
    done = await agent.run_task(http, await agent.expect(m.TaskAssign, task_id=task.task_id))
    await agent.expect(m.Ack, acked_message_id=done.message_id)
    await agent.expect(m.EarningsRecord, task_id=task.task_id)
    assert all(isinstance(frame, bytes) for frame in agent.frames)
    await agent.send_raw(agent.heartbeat().model_dump_json())  # a text frame: not this session
    assert (await agent.closed())[0] == 1002


async def test_artifacts_resume_with_range_requests(
    platform: LocalPlatform, http: aiohttp.ClientSession
) -> None:
    agent = TestAgent(platform.ws_url)
    await agent.join()
    task = await platform.submit_job(make_job("job-range"))
    assign = await agent.expect(m.TaskAssign, task_id=task.task_id)
    async with http.get(assign.payload.model_url) as whole:
        body = await whole.read()
    async with http.get(assign.payload.model_url, headers={"Range": "bytes=10-"}) as part:
        assert part.status == 206
        assert await part.read() == body[10:]
    assert hashlib.sha256(body).hexdigest() == task.model_sha256
    async with http.get(f"{platform.http_url}/artifacts/{'0' * 64}") as missing:
        assert missing.status == 404


async def test_uploads_are_checked(platform: LocalPlatform, http: aiohttp.ClientSession) -> None:
    agent = TestAgent(platform.ws_url)
    await agent.join()
    task = await platform.submit_job(make_job("job-upload"))
    url = (await agent.expect(m.TaskAssign, task_id=task.task_id)).payload.output_url
    limit = task.spec.max_output_bytes
    async with http.put(url, data=b"x" * (limit + 1)) as too_big:
        assert too_big.status == 413
    wrong = {SHA256_HEADER: hashlib.sha256(b"other").hexdigest()}
    async with http.put(url, data=b"result", headers=wrong) as mismatch:
        assert mismatch.status == 400
    async with http.put(url.rsplit("/", 1)[0] + "/not-the-token", data=b"r") as stranger:
        assert stranger.status == 404
    right = {SHA256_HEADER: "sha256:" + hashlib.sha256(b"result").hexdigest()}
    async with http.put(url, data=b"result", headers=right) as ok:
        assert ok.status == 201
        assert (await ok.json())["size"] == 6


async def test_status_lists_agents_tasks_and_earnings(
    platform: LocalPlatform, http: aiohttp.ClientSession
) -> None:
    agent = TestAgent(platform.ws_url, extensions=(Extension.ACK,))
    await agent.join(gpus=2)
    task = await platform.submit_job(make_job("job-status"))
    await agent.run_task(http, await agent.expect(m.TaskAssign, task_id=task.task_id))
    await agent.expect(m.EarningsRecord, task_id=task.task_id)
    await agent.send(agent.heartbeat())
    await agent.sync()
    async with http.get(f"{platform.http_url}/status") as response:
        assert response.status == 200
        status = await response.json()
    [row] = status["agents"]
    assert row["agent_id"] == agent.agent_id
    assert (row["online"], row["capacity"], row["extensions"]) == (True, 2, ["ack"])
    assert status["tasks"]["completed"] == 1
    earned = status["earnings"][agent.agent_id]
    assert earned["tasks"] == 1 and earned["pending_usd"] != "0"
    assert status["heartbeats"]["count"] == 1 and status["heartbeats"]["lag_ms_p99"] >= 0


async def test_the_platform_verb_serves_until_sigint(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "orban_desktop.cli",
        "platform",
        "--port",
        "0",
        "--http-port",
        "0",
        "--data",
        str(tmp_path / "p"),
        "--jobs",
        "2",
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    lines: list[str] = []
    try:
        while not any("Status:" in line for line in lines):
            line = await asyncio.wait_for(process.stdout.readline(), 60)
            assert line, f"the platform exited early: {lines}"
            lines.append(line.decode())
        status_url = next(line for line in lines if "Status:" in line).split()[-1]
        ws_url = next(line for line in lines if "Agents connect to:" in line).split()[3]
        agent = TestAgent(ws_url)
        await agent.join()
        await agent.expect(m.TaskAssign)
        async with aiohttp.ClientSession() as http, http.get(status_url) as response:
            status = await response.json()
        assert status["agents"][0]["agent_id"] == agent.agent_id
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 60)
    rest = (await process.stdout.read()).decode()
    assert process.returncode == 0 and "Local platform stopped." in rest

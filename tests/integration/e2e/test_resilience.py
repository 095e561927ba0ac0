"""Nothing lost, nothing counted twice: restarts, cut connections, floods, a refused key."""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from orban_desktop.events import (
    ConnectionState,
    ConnectionStateChanged,
    TaskFinished,
    TaskProgressed,
)
from orban_desktop.network.auth import Authenticator
from orban_platform.server import LocalPlatform
from tests.integration.e2e.harness import (
    RunningAgent,
    platform,
    platform_settings,
    running_agent,
    wait_for,
)


def _cut(agent: RunningAgent) -> bool:
    """Abort the agent's WebSocket as a network failure would (no close handshake)."""
    client = agent.runtime.service._client
    ws = getattr(client, "_ws", None)
    if ws is None or ws.transport is None:
        return False
    ws.transport.abort()
    return True


async def _settled(server: LocalPlatform, agent: RunningAgent) -> tuple[int, int]:
    """Wait until every result is delivered; return (agent micros, platform micros)."""
    parts = agent.runtime.parts
    await wait_for(lambda: not agent.runtime.service.runner.active, 60, "tasks done")
    await wait_for(
        lambda: agent.runtime.service.state is ConnectionState.SERVING, 30, "back online"
    )
    for _ in range(600):
        if (await parts.outbox.stats()).pending == 0:
            break
        await asyncio.sleep(0.05)
    assert (await parts.outbox.stats()).pending == 0
    agent_id = parts.identity.agent_id

    def platform_micros() -> int:
        entry = server.core.earnings.table.summary().get(agent_id, {})
        return sum(int(str(entry.get(k, 0))) for k in ("pending_micros", "confirmed_micros"))

    async def ledger_micros() -> int:
        data = await parts.ledger.get_data()
        return data.pending_micros + data.confirmed_micros + data.paid_micros

    for _ in range(200):  # earnings records still in flight
        if await ledger_micros() == platform_micros():
            break
        await asyncio.sleep(0.05)
    return await ledger_micros(), platform_micros()


async def test_platform_restart_mid_task_delivers_the_result_once(tmp_path: Path) -> None:
    settings = platform_settings(tmp_path, queue_target=1)
    first = LocalPlatform(settings)
    await first.start()
    ws_port = urlsplit(first.ws_url).port
    http_port = urlsplit(first.http_url).port
    assert ws_port and http_port
    async with running_agent(tmp_path, first.ws_url) as agent:
        service = agent.runtime.service
        await wait_for(lambda: bool(service.runner.active), 30, "a running task")
        await first.stop()
        await wait_for(lambda: service.state is ConnectionState.OFFLINE, 10, "offline")
        second = LocalPlatform(replace(settings, ws_port=ws_port, http_port=http_port))
        await second.start()
        try:
            ours, theirs = await _settled(second, agent)
            assert ours == theirs > 0
            completed = second.status()["tasks"].get("completed", 0)
            credited = second.core.earnings.table.summary()[agent.runtime.parts.identity.agent_id]
            assert credited["tasks"] == completed
        finally:
            await agent.stop()
            await second.stop()


async def test_connection_cut_while_uploading_loses_nothing(tmp_path: Path) -> None:
    async with platform(tmp_path) as server, running_agent(tmp_path, server.ws_url) as agent:
        cuts: list[str] = []

        def on_progress(event: TaskProgressed) -> None:
            if event.stage == "uploading" and len(cuts) < 3 and _cut(agent):
                cuts.append(event.task_id)

        agent.runtime.parts.bus.subscribe(TaskProgressed, on_progress)
        await wait_for(lambda: len(cuts) >= 3, 60, "three cuts during uploads")
        agent.runtime.parts.bus.unsubscribe(TaskProgressed, on_progress)
        ours, theirs = await _settled(server, agent)
        assert ours == theirs > 0


async def test_a_hundred_random_disconnects_lose_and_double_nothing(tmp_path: Path) -> None:
    rng = random.Random(2026)
    async with (
        platform(tmp_path, queue_target=3) as server,
        running_agent(tmp_path, server.ws_url, gpus=2, concurrent=2) as agent,
    ):
        service = agent.runtime.service
        cuts = 0
        while cuts < 100:
            await asyncio.sleep(rng.uniform(0.01, 0.12))
            if service.state is ConnectionState.SERVING and _cut(agent):
                cuts += 1
        ours, theirs = await _settled(server, agent)
        assert ours == theirs > 0
        finished = [e for e in agent.events if isinstance(e, TaskFinished) and e.succeeded]
        assert len({e.task_id for e in finished}) == len(finished)  # each task ran once


async def test_a_refused_key_does_not_loop(tmp_path: Path) -> None:
    owner = Authenticator.generate()
    async with platform(tmp_path) as server:
        async with running_agent(tmp_path / "a", server.ws_url, identity=owner) as agent:
            await wait_for(
                lambda: agent.runtime.service.state is ConnectionState.SERVING, 30, "enrolled"
            )
        impostor = Authenticator.from_secret_bytes(bytes(32), agent_id=owner.agent_id)
        async with running_agent(tmp_path / "b", server.ws_url, identity=impostor) as agent:
            service = agent.runtime.service
            await wait_for(lambda: service.state is ConnectionState.AUTH_REJECTED, 30, "rejected")
            before = server.status()["platform"]["connections"]
            states: list[ConnectionStateChanged] = []
            agent.runtime.parts.bus.subscribe(ConnectionStateChanged, states.append)
            await asyncio.sleep(1.5)  # 30 reconnect delays' worth at the test's 0.05 s base
            assert service.state is ConnectionState.AUTH_REJECTED
            assert not any(e.state is ConnectionState.CONNECTING for e in states)
            assert server.status()["platform"]["connections"] <= before


async def test_stop_while_connecting_ends_at_once(tmp_path: Path) -> None:
    import socket

    with socket.socket() as listener:  # accepts the TCP connection, never answers the handshake
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"ws://127.0.0.1:{listener.getsockname()[1]}"
        async with running_agent(tmp_path, url) as agent:
            await wait_for(
                lambda: agent.runtime.service.state is ConnectionState.AUTHENTICATING, 5, "dialing"
            )
            await asyncio.wait_for(agent.stop(), 3)
            assert agent.runtime.service.state is ConnectionState.STOPPED

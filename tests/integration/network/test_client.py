"""OrbanClient against scripted platforms on real loopback WebSockets."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.typing import Subprotocol

from orban_desktop.errors import AuthenticationFailed, ConnectionFailed, ProtocolError
from orban_desktop.network.auth import (
    Authenticator,
    AuthScheme,
    ChallengeAnswer,
    platform_origin,
    verify_challenge_response,
)
from orban_desktop.network.client import OrbanClient
from orban_desktop.protocol import messages as m
from orban_desktop.protocol.enums import Extension
from orban_desktop.protocol.framing import SUBPROTOCOL_BINARY, SUBPROTOCOL_JSON, FrameCodec
from tests.fixtures import protocol_frame

Script = Callable[[ServerConnection, FrameCodec], Awaitable[None]]


@asynccontextmanager
async def platform(script: Script, subprotocols: list[str]) -> AsyncIterator[str]:
    async def handler(ws: ServerConnection) -> None:
        assert ws.request is not None and ws.request.path == "/agent/v1/connect"
        await script(ws, FrameCodec.for_subprotocol(ws.subprotocol))

    async with serve(
        handler, "127.0.0.1", 0, subprotocols=[Subprotocol(p) for p in subprotocols]
    ) as server:
        port = server.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}"


async def login(
    ws: ServerConnection, codec: FrameCodec, offered: list[str] | None, seen: list[m.Message]
) -> None:
    """Play the platform's side of the login, verifying against the origin the agent dialled."""
    assert ws.request is not None
    url = "ws://" + ws.request.headers["Host"]
    challenge = os.urandom(32)
    await ws.send(
        codec.encode(
            m.AuthChallenge(challenge=base64.b64encode(challenge).decode(), extensions=offered)
        )
    )
    response = codec.decode(await ws.recv())
    assert isinstance(response, m.AuthResponse)
    seen.append(response)
    scheme = AuthScheme.V2 if "auth-v2" in (response.extensions or []) else AuthScheme.V1
    verify_challenge_response(
        challenge,
        ChallengeAnswer(response.agent_id, response.signature, response.public_key),
        scheme,
        platform_origin(url),
    )
    await ws.send(codec.encode(m.AuthSuccess(jwt_token="jwt", expires_in=3600)))


@pytest.fixture
def identity() -> Authenticator:
    return Authenticator.generate()


async def test_plain_v1_platform_gets_upstreams_exact_frame(identity: Authenticator) -> None:
    seen: list[m.Message] = []
    raw: list[str | bytes] = []

    async def script(ws: ServerConnection, codec: FrameCodec) -> None:
        challenge = base64.b64encode(os.urandom(32)).decode()
        await ws.send(codec.encode(m.AuthChallenge(challenge=challenge)))
        frame = await ws.recv()
        raw.append(frame)
        seen.append(codec.decode(frame))
        await ws.send(protocol_frame("platform-sends/auth-success.json"))
        await ws.wait_closed()

    async with platform(script, [SUBPROTOCOL_JSON]) as url:
        client = OrbanClient(url, identity)
        session = await client.connect()
        await client.close()
    assert session.extensions == frozenset() and not session.binary
    frame = raw[0]
    assert isinstance(frame, str)
    keys = list(json.loads(frame))
    golden = list(json.loads(protocol_frame("agent-sends/auth-response.json")))
    assert keys == golden


async def test_auth_v2_and_ack_are_taken_up_when_offered(identity: Authenticator) -> None:
    seen: list[m.Message] = []

    async with platform(
        lambda ws, codec: _login_then_wait(ws, codec, ["auth-v2", "ack", "future-x"], seen),
        [SUBPROTOCOL_JSON],
    ) as url:
        client = OrbanClient(url, identity)
        session = await client.connect()
        await client.close()
    assert session.extensions == {Extension.AUTH_V2, Extension.ACK}
    response = seen[0]
    assert isinstance(response, m.AuthResponse)
    assert response.extensions == ["ack", "auth-v2"]


async def test_binary_framing_when_the_platform_selects_it(identity: Authenticator) -> None:
    seen: list[m.Message] = []

    async with platform(
        lambda ws, codec: _login_then_wait(ws, codec, ["binary", "ack"], seen),
        [SUBPROTOCOL_BINARY, SUBPROTOCOL_JSON],
    ) as url:
        client = OrbanClient(url, identity)
        session = await client.connect()
        await client.close()
    assert session.binary and session.extensions == {Extension.BINARY, Extension.ACK}


async def _login_then_wait(
    ws: ServerConnection, codec: FrameCodec, offered: list[str], seen: list[m.Message]
) -> None:
    await login(ws, codec, offered, seen)
    await ws.wait_closed()


async def test_refused_key_raises_authentication_failed(identity: Authenticator) -> None:
    async def script(ws: ServerConnection, codec: FrameCodec) -> None:
        await ws.send(protocol_frame("platform-sends/auth-challenge.json"))
        await ws.recv()
        await ws.send(protocol_frame("platform-sends/error.json"))
        await ws.close(4001, "authentication failed")

    async with platform(script, [SUBPROTOCOL_JSON]) as url:
        with pytest.raises(AuthenticationFailed, match="refused this agent's key"):
            await OrbanClient(url, identity).connect()


async def test_close_4001_means_do_not_retry(identity: Authenticator) -> None:
    async def script(ws: ServerConnection, codec: FrameCodec) -> None:
        await ws.close(4001, "key mismatch")

    async with platform(script, [SUBPROTOCOL_JSON]) as url:
        with pytest.raises(AuthenticationFailed, match="key mismatch"):
            await OrbanClient(url, identity).connect()


async def test_unreachable_platform_is_connection_failed(identity: Authenticator) -> None:
    with pytest.raises(ConnectionFailed, match="Cannot reach the platform") as info:
        await OrbanClient("ws://127.0.0.1:1", identity, open_timeout=2).connect()
    assert info.value.recoverable


async def test_register_keeps_frames_that_arrive_first(identity: Authenticator) -> None:
    seen: list[m.Message] = []

    async def script(ws: ServerConnection, codec: FrameCodec) -> None:
        await login(ws, codec, None, seen)
        assert isinstance(codec.decode(await ws.recv()), m.AgentRegister)
        await ws.send(protocol_frame("platform-sends/pow-challenge.json"))
        await ws.send(protocol_frame("platform-sends/register-ack.json"))
        await ws.send("{not json")
        await ws.send(protocol_frame("platform-sends/task-assign.json"))
        await ws.wait_closed()

    register = m.AgentRegister.model_validate_json(
        protocol_frame("agent-sends/agent-register.json")
    )
    async with platform(script, [SUBPROTOCOL_JSON]) as url:
        client = OrbanClient(url, identity)
        await client.connect()
        ack = await client.register(register)
        assert ack.status == "active"
        assert isinstance(await client.receive(), m.PowChallenge)
        with pytest.raises(ProtocolError):
            await client.receive()
        assert isinstance(await client.receive(), m.TaskAssign)
        await client.close()

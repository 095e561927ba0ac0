"""Login: v1 and auth-v2, trust on first use, single-use expiring challenges, one session per id."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from orban_desktop.errors import AuthenticationFailed
from orban_desktop.network.auth import Authenticator
from orban_desktop.network.client import OrbanClient
from orban_desktop.protocol import messages as m
from orban_desktop.protocol.enums import Extension
from orban_platform.server import LocalPlatform
from orban_platform.settings import PlatformSettings
from tests.fixtures import protocol_keys
from tests.integration.orban_platform.agent import TestAgent, register_message
from tests.integration.orban_platform.conftest import PlatformFactory


@pytest.mark.parametrize(
    "extensions",
    [frozenset(), frozenset(Extension), frozenset({Extension.AUTH_V2, Extension.ACK})],
    ids=["plain-v1", "all-binary", "auth-v2-json"],
)
async def test_our_agent_client_logs_in_and_registers(
    platform: LocalPlatform, extensions: frozenset[Extension]
) -> None:
    client = OrbanClient(platform.ws_url, Authenticator.generate(), extensions=extensions)
    info = await client.connect()
    assert info.extensions == extensions
    assert info.binary == (Extension.BINARY in extensions)
    claims = platform.core.tokens.verify(info.jwt_token, platform.now())
    assert claims["sub"] == client.identity.agent_id
    ack = await client.register(register_message(client.identity.agent_id))
    assert ack.status == "active"
    await client.close()


async def test_auth_v2_accepts_the_localhost_spelling_of_the_origin(
    platform: LocalPlatform,
) -> None:
    url = platform.ws_url.replace("127.0.0.1", "localhost")
    agent = TestAgent(url, extensions=(Extension.AUTH_V2,))
    await agent.login()
    assert agent.taken == {Extension.AUTH_V2}


async def test_auth_v2_signed_for_another_platform_is_refused(platform: LocalPlatform) -> None:
    agent = TestAgent(platform.ws_url, extensions=(Extension.AUTH_V2,))
    challenge = await agent.open()
    agent.platform_url = "wss://evil.example"  # the origin the signature binds
    await agent.send(agent.answer(challenge))
    error = await agent.expect(m.Error)
    assert (error.code, error.recoverable) == ("AUTH_FAILED", False)
    assert (await agent.closed())[0] == 4001


async def test_a_known_agent_id_with_another_key_is_refused(platform: LocalPlatform) -> None:
    first = TestAgent(platform.ws_url, Authenticator.generate("agent-rig-1"))
    await first.login()
    impostor = TestAgent(platform.ws_url, Authenticator.generate("agent-rig-1"))
    await impostor.open()
    assert impostor.challenge is not None
    await impostor.send(impostor.answer(impostor.challenge))
    error = await impostor.expect(m.Error)
    assert error.code == "AUTH_FAILED" and "enrolled with another key" in error.message
    assert (await impostor.closed())[0] == 4001


async def test_a_replayed_auth_response_is_refused(platform: LocalPlatform) -> None:
    honest = TestAgent(platform.ws_url)
    challenge = await honest.open()
    captured = honest.answer(challenge)
    await honest.send(captured)
    await honest.expect(m.AuthSuccess)
    attacker = TestAgent(platform.ws_url)
    await attacker.open()  # a fresh challenge: the captured signature is over the old one
    await attacker.send(captured)
    assert (await attacker.expect(m.Error)).code == "AUTH_FAILED"
    assert (await attacker.closed())[0] == 4001
    await honest.send(captured)  # on its own session: the challenge is used
    assert (await honest.expect(m.Error)).code == "INVALID_MESSAGE"


async def test_a_repeated_challenge_is_never_accepted_twice(
    settings: PlatformSettings, start_platform: PlatformFactory
) -> None:
    golden = bytes.fromhex(str(protocol_keys()["auth_challenge_bytes_hex"]))
    platform = await start_platform(settings, challenge_source=lambda: golden)
    identity = Authenticator.generate()
    first = TestAgent(platform.ws_url, identity)
    await first.login()
    second = TestAgent(platform.ws_url, identity)
    challenge = await second.open()
    await second.send(second.answer(challenge))
    error = await second.expect(m.Error)
    assert error.code == "CHALLENGE_EXPIRED" and "already used" in error.message
    assert (await second.closed())[0] == 4002


async def test_an_expired_challenge_is_refused(
    settings: PlatformSettings, start_platform: PlatformFactory
) -> None:
    platform = await start_platform(
        dataclasses.replace(settings, challenge_ttl_s=0.2, tick_interval_s=30.0)
    )
    agent = TestAgent(platform.ws_url)
    challenge = await agent.open()
    await asyncio.sleep(0.3)
    await agent.send(agent.answer(challenge))
    assert (await agent.expect(m.Error)).code == "CHALLENGE_EXPIRED"
    assert (await agent.closed())[0] == 4002


async def test_silence_after_the_challenge_closes_with_4002(
    settings: PlatformSettings, start_platform: PlatformFactory
) -> None:
    platform = await start_platform(dataclasses.replace(settings, challenge_ttl_s=0.2))
    agent = TestAgent(platform.ws_url)
    await agent.open()
    code, _ = await agent.closed()
    assert code == 4002
    assert [f.code for f in agent.backlog if isinstance(f, m.Error)] == ["CHALLENGE_EXPIRED"]


async def test_a_second_login_replaces_the_first_session(platform: LocalPlatform) -> None:
    identity = Authenticator.generate()
    first = TestAgent(platform.ws_url, identity)
    await first.join()
    second = TestAgent(platform.ws_url, identity)
    await second.join()
    assert (await first.closed())[0] == 4003
    await second.sync()  # the newer session works


async def test_our_client_reports_a_refused_key(platform: LocalPlatform) -> None:
    owner = Authenticator.generate("agent-shared")
    await TestAgent(platform.ws_url, owner).login()
    client = OrbanClient(platform.ws_url, Authenticator.generate("agent-shared"))
    with pytest.raises(AuthenticationFailed):
        await client.connect()

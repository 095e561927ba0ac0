"""An agent that negotiates nothing (upstream's) is served plain v1, frames it can parse."""

from __future__ import annotations

import base64
import dataclasses
import json

import aiohttp

from orban_desktop.network.auth import Authenticator
from orban_desktop.protocol import messages as m
from orban_desktop.protocol.enums import UPSTREAM_MESSAGE_TYPES
from orban_desktop.protocol.types import GpuSignature
from orban_platform.compat import upstream_problems
from orban_platform.settings import PlatformSettings
from tests.fixtures import PROTOCOL_FIXTURES, protocol_frame, protocol_keys
from tests.integration.orban_platform.agent import TestAgent, make_job, solve_pow
from tests.integration.orban_platform.conftest import PlatformFactory

AGENT_SENDS = sorted(p.name for p in (PROTOCOL_FIXTURES / "agent-sends").glob("*.json"))


def _golden_identity() -> Authenticator:
    keys = protocol_keys()
    return Authenticator.from_secret_bytes(bytes.fromhex(str(keys["ed25519_secret_hex"])))


async def test_the_golden_login_and_every_golden_agent_frame_are_accepted(
    settings: PlatformSettings, start_platform: PlatformFactory
) -> None:
    challenge = bytes.fromhex(str(protocol_keys()["auth_challenge_bytes_hex"]))
    platform = await start_platform(settings, challenge_source=lambda: challenge)
    agent = TestAgent(platform.ws_url, _golden_identity())
    offered = await agent.open()
    assert base64.b64decode(offered.challenge) == challenge
    await agent.send_raw(protocol_frame("agent-sends/auth-response.json"))
    await agent.expect(m.AuthSuccess)
    await agent.send_raw(protocol_frame("agent-sends/agent-register.json"))
    await agent.expect(m.RegisterAck)
    for name in AGENT_SENDS:
        if name not in ("auth-response.json", "agent-register.json"):
            await agent.send_raw(protocol_frame(f"agent-sends/{name}"))
    await agent.sync()
    codes = {f.code for f in agent.backlog if isinstance(f, m.Error)}
    # Domain answers only (the golden task and PoW challenge do not exist here); never a
    # framing error: every frame was read as it is.
    assert codes <= {"UNKNOWN_TASK", "POW_FAILED"}, codes
    status = platform.status()
    [row] = status["agents"]
    assert row["agent_id"] == protocol_keys()["agent_id"] and row["online"]
    assert row["metrics_batches"] == 1 and row["pow_failed"] == 1


async def test_every_frame_sent_to_a_plain_agent_fits_upstreams_structs(
    settings: PlatformSettings, start_platform: PlatformFactory, http: aiohttp.ClientSession
) -> None:
    """AUTH_CHALLENGE ... PAYOUT_NOTIFICATION, all checked against the required-field sets."""
    settings = dataclasses.replace(
        settings, pow_on_register=True, confirm_delay_s=0.0, payout_interval_s=0.3
    )
    platform = await start_platform(settings)
    agent = TestAgent(platform.ws_url)
    challenge = await agent.open()
    assert challenge.extensions is not None  # offered; the agent takes none of them
    await agent.send(agent.answer(challenge))
    await agent.expect(m.AuthSuccess)
    await agent.register()
    pow_challenge = await agent.expect(m.PowChallenge)
    solution, digest = solve_pow(pow_challenge.nonce_bytes(), pow_challenge.difficulty)
    await agent.send(_pow_answer(pow_challenge, digest, solution))
    task = await platform.submit_job(make_job("job-plain"))
    assign = await agent.expect(m.TaskAssign, task_id=task.task_id)
    assert assign.pricing.estimated_payout is None
    await agent.run_task(http, assign)
    await agent.expect(m.EarningsRecord, status="Pending")
    await agent.expect(m.EarningsRecord, status="Confirmed")
    await agent.expect(m.PayoutNotification)
    await agent.expect(m.EarningsRecord, status="Paid")
    await agent.sync()  # and an ERROR frame
    kinds = set()
    for frame in agent.frames:
        assert isinstance(frame, str)
        assert upstream_problems(frame) == [], frame
        kinds.add(json.loads(frame)["type"])
    assert kinds <= UPSTREAM_MESSAGE_TYPES
    assert kinds == {
        "AUTH_CHALLENGE",
        "AUTH_SUCCESS",
        "REGISTER_ACK",
        "POW_CHALLENGE",
        "TASK_ASSIGN",
        "EARNINGS_RECORD",
        "PAYOUT_NOTIFICATION",
        "ERROR",
    }


async def test_a_platform_without_extensions_offers_none(
    settings: PlatformSettings, start_platform: PlatformFactory
) -> None:
    platform = await start_platform(dataclasses.replace(settings, extensions=frozenset()))
    agent = TestAgent(platform.ws_url)
    await agent.open()
    raw = agent.frames[0]
    assert isinstance(raw, str) and "extensions" not in json.loads(raw)
    assert upstream_problems(raw) == []


def _pow_answer(challenge: m.PowChallenge, digest: str, solution: int) -> m.PowResponse:
    return m.PowResponse(
        challenge_id=challenge.challenge_id,
        response=digest,
        computation_time_ms=1,
        gpu_signature=GpuSignature(device_uuid="GPU-0"),
        solution_nonce=solution,
    )

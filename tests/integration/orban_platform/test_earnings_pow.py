"""Earnings confirmed and paid on schedule, delivered per §9; proof of work verified by deadline."""

from __future__ import annotations

import asyncio
import dataclasses
from decimal import ROUND_HALF_EVEN, Decimal

import aiohttp

from orban_desktop.money import Money
from orban_desktop.protocol import messages as m
from orban_desktop.protocol.enums import EarningStatus, Extension
from orban_desktop.protocol.types import GpuSignature
from orban_platform.server import LocalPlatform
from orban_platform.settings import PlatformSettings
from tests.integration.orban_platform.agent import TestAgent, make_job, solve_pow
from tests.integration.orban_platform.conftest import PlatformFactory


async def _earn(platform: LocalPlatform, agent: TestAgent, http: aiohttp.ClientSession) -> str:
    task = await platform.submit_job(make_job(f"job-{len(agent.frames)}-{agent.agent_id[-6:]}"))
    await agent.run_task(http, await agent.expect(m.TaskAssign, task_id=task.task_id))
    return task.task_id


async def test_earnings_are_confirmed_then_paid(
    settings: PlatformSettings, start_platform: PlatformFactory, http: aiohttp.ClientSession
) -> None:
    platform = await start_platform(
        dataclasses.replace(settings, confirm_delay_s=0.2, payout_interval_s=0.6)
    )
    agent = TestAgent(platform.ws_url, extensions=(Extension.ACK,))
    await agent.join()
    task_id = await _earn(platform, agent, http)
    pending = await agent.expect(m.EarningsRecord, task_id=task_id, status="Pending")
    confirmed = await agent.expect(m.EarningsRecord, task_id=task_id, status="Confirmed")
    assert confirmed.earnings == pending.earnings
    payout = await agent.expect(m.PayoutNotification)
    paid = await agent.expect(m.EarningsRecord, task_id=task_id, status="Paid")
    final = pending.earnings.final_amount_usd
    assert payout.summary.total_tasks == 1
    assert payout.summary.gross_amount_usd.micros == final.micros
    fee = int((Decimal(final.micros) * 5 / 100).quantize(1, ROUND_HALF_EVEN))
    assert payout.summary.platform_fee_usd.micros == fee
    assert payout.summary.net_amount_usd.micros == final.micros - fee
    assert paid.estimated_payout_date == pending.estimated_payout_date
    summary = platform.status()["earnings"][agent.agent_id]
    assert (summary["paid_usd"], summary["payouts"]) == (Money.from_micros(final.micros).text, 1)


async def test_unacknowledged_earnings_are_resent_after_the_next_register_ack(
    platform: LocalPlatform, http: aiohttp.ClientSession
) -> None:
    agent = TestAgent(platform.ws_url, extensions=(Extension.ACK,))
    await agent.join()
    task_id = await _earn(platform, agent, http)
    await agent.expect(m.EarningsRecord, task_id=task_id)
    await agent.close()  # never ACKed
    again = TestAgent(platform.ws_url, agent.identity, extensions=(Extension.ACK,))
    await again.join()
    record = await again.expect(m.EarningsRecord, task_id=task_id)
    await again.send(m.Ack(acked_message_id=record.message_id))
    await again.sync()
    third = TestAgent(platform.ws_url, agent.identity, extensions=(Extension.ACK,))
    await third.join()
    await third.sync()
    assert not any(isinstance(f, m.EarningsRecord) for f in third.backlog)


async def test_without_ack_a_record_is_sent_once_per_session_and_counts_after_an_interval(
    settings: PlatformSettings, start_platform: PlatformFactory, http: aiohttp.ClientSession
) -> None:
    platform = await start_platform(dataclasses.replace(settings, heartbeat_interval_s=0.3))
    agent = TestAgent(platform.ws_url)
    await agent.join()
    task_id = await _earn(platform, agent, http)
    await agent.expect(m.EarningsRecord, task_id=task_id)
    await agent.close()  # dropped before a heartbeat interval passed: not delivered
    again = TestAgent(platform.ws_url, agent.identity)
    await again.join()
    await again.expect(m.EarningsRecord, task_id=task_id)  # once in this session
    for _ in range(4):
        await asyncio.sleep(0.15)
        await again.send(again.heartbeat())
    await again.sync()
    assert sum(isinstance(f, m.EarningsRecord) for f in again.backlog) == 0
    row = platform.core.earnings.table.get(task_id)
    assert row is not None and row.delivered_status is EarningStatus.PENDING


def _answer(challenge: m.PowChallenge, digest: str, solution: int | None) -> m.PowResponse:
    return m.PowResponse(
        challenge_id=challenge.challenge_id,
        response=digest,
        computation_time_ms=5,
        gpu_signature=GpuSignature(device_uuid="GPU-0", cuda_version="12.3"),
        solution_nonce=solution,
    )


async def test_proof_of_work_right_wrong_late_and_missing(
    settings: PlatformSettings, start_platform: PlatformFactory
) -> None:
    platform = await start_platform(
        dataclasses.replace(settings, pow_on_register=True, pow_deadline_s=0.5)
    )
    agent = TestAgent(platform.ws_url, extensions=(Extension.ACK,))
    await agent.join()
    first = await agent.expect(m.PowChallenge)
    assert (first.difficulty, len(first.nonce_bytes())) == (8, 16)
    solution, digest = solve_pow(first.nonce_bytes(), first.difficulty)
    await agent.send(_answer(first, digest, solution))
    await agent.sync()
    assert not any(isinstance(f, m.Error) for f in agent.backlog)

    book = platform.core.by_agent[agent.agent_id].host_state["pow"]
    wrong = book.challenge(platform.now())
    await agent.send(_answer(wrong, digest, solution + 1))
    assert (await agent.expect(m.Error, code="POW_FAILED")).context == {
        "challenge_id": wrong.challenge_id
    }
    unverifiable = book.challenge(platform.now())
    await agent.send(_answer(unverifiable, digest, None))  # upstream's answer: no nonce
    assert "solution_nonce" in (await agent.expect(m.Error, code="POW_FAILED")).message
    late = book.challenge(platform.now())
    late_solution, late_digest = solve_pow(late.nonce_bytes(), late.difficulty)
    await asyncio.sleep(0.6)
    await agent.send(_answer(late, late_digest, late_solution))
    expired = await agent.expect(m.Error, code="POW_FAILED")
    answered_late = await agent.expect(m.Error, code="POW_FAILED")
    assert expired.message == "no answer before the deadline"
    assert answered_late.message == "the answer came after the deadline"
    assert expired.context == answered_late.context == {"challenge_id": late.challenge_id}
    await agent.sync()
    [row] = platform.status()["agents"]
    assert (row["pow_passed"], row["pow_failed"]) == (1, 3)

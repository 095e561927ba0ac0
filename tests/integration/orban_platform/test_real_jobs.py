"""Real model jobs over the wire: a scripted agent gets a text-embedding task from the platform,
and an honest answer is verified and paid for its measured time, while plausible but wrong
answers (zeros, shuffled rows, another model's vectors, one row altered where a canary sits,
copied rows) are refused with VALIDATION_FAILED and never paid."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import aiohttp
import numpy as np
import pytest

from orban_desktop.protocol import messages as m
from orban_desktop.protocol.enums import Extension
from orban_platform.embedding_jobs import AgentProfile
from orban_platform.server import LocalPlatform
from orban_platform.settings import PlatformSettings
from tests.integration.orban_platform.agent import TestAgent
from tests.integration.orban_platform.conftest import PlatformFactory

pytestmark = pytest.mark.slow
Cheat = Callable[[Any, list[int]], Any]


def orthogonal_projection(vectors: Any, canaries: list[int]) -> Any:
    """Vectors of 'another model': the true ones turned by a random rotation (still unit)."""
    rotation, _ = np.linalg.qr(np.random.default_rng(3).normal(size=(384, 384)))
    return (vectors @ rotation).astype(np.float32)


def one_row_altered(vectors: Any, canaries: list[int]) -> Any:
    altered = vectors.copy()
    altered[canaries[0]] = np.roll(altered[canaries[0]], 7)  # where a canary sits: caught
    return altered


CHEATS: dict[str, Cheat] = {
    "zeros": lambda v, c: np.zeros_like(v),
    "shuffled rows": lambda v, c: v[np.random.default_rng(1).permutation(len(v))],
    "another model": orthogonal_projection,
    "one row altered": one_row_altered,
    "copied rows": lambda v, c: np.repeat(v[:1], len(v), axis=0),
}


async def embedding_task(
    settings: PlatformSettings, start_platform: PlatformFactory
) -> tuple[LocalPlatform, TestAgent, m.TaskAssign, list[int]]:
    platform = await start_platform(dataclasses.replace(settings, workloads=("text-embedding",)))
    agent = TestAgent(platform.ws_url, extensions=(Extension.ACK,))
    await agent.join()
    assert platform.core.embedding is not None
    job = platform.core.embedding.make(
        "job-real-1", AgentProfile(on_cpu=True, best_vram_gb=24, fp16=False)
    )
    task = await platform.submit_job(job)
    assign = await agent.expect(m.TaskAssign, task_id=task.task_id)
    assert assign.requirements.framework == "pytorch"
    assert assign.payload.config["pipeline"] == "text-embedding"
    return platform, agent, assign, list(job.canary_rows)


async def answer(
    platform: LocalPlatform,
    agent: TestAgent,
    http: aiohttp.ClientSession,
    assign: m.TaskAssign,
    cheat: Cheat | None,
    canaries: list[int],
) -> m.TaskComplete:
    async with http.get(assign.payload.input_data_url) as response:
        rows = [json.loads(line) for line in (await response.text()).splitlines()]
    vectors = platform.core.embedding.source.encoder.encode([r["text"] for r in rows])  # type: ignore[union-attr]
    if cheat is not None:
        vectors = cheat(vectors, canaries)
    manifest = {
        "device": "cpu",
        "device_name": "test",
        "infer_s": 2.5,
        "rows": len(rows),
        "rows_per_s": len(rows) / 2.5,
    }
    buffer = io.BytesIO()
    np.savez(
        buffer,
        embeddings=vectors.astype(np.float32),
        ids=np.array([r["id"] for r in rows]),
        manifest=np.array(json.dumps(manifest)),
    )
    body = buffer.getvalue()
    import hashlib

    digest = hashlib.sha256(body).hexdigest()
    await agent.send(agent.accept(assign))
    async with http.put(assign.payload.output_url, data=body) as response:
        assert response.status == 201, await response.text()
    done = agent.complete(assign, f"sha256:{digest}", gpu_sec=36_000)  # claims 10 hours
    await agent.send(done)
    return done


async def test_an_honest_result_is_verified_and_paid_for_its_measured_time(
    settings: PlatformSettings, start_platform: PlatformFactory, http: aiohttp.ClientSession
) -> None:
    platform, agent, assign, canaries = await embedding_task(settings, start_platform)
    await answer(platform, agent, http, assign, None, canaries)
    record = await agent.expect(m.EarningsRecord, task_id=assign.task_id, timeout=30)
    detail = record.earnings
    assert detail.gpu_hours * 3600 == pytest.approx(2.5)  # measured, not the 10 h claimed
    assert detail.rate_usd_per_hour.text == "0.125"  # 1.25 $/h for an RTX 4090, × 0.1 on the CPU
    assert detail.amount_usd.text == "0.000087"  # 2.5 s × 0.125 $/h, half-even
    assert detail.final_amount_usd.decimal == detail.amount_usd.decimal * Decimal("1.05")
    stats = platform.status()["workloads"]["text-embedding"]
    assert (stats["verified"], stats["rejected"]) == (1, 0)


@pytest.mark.parametrize("name", sorted(CHEATS))
async def test_a_dishonest_result_is_refused_and_not_paid(
    name: str,
    settings: PlatformSettings,
    start_platform: PlatformFactory,
    http: aiohttp.ClientSession,
) -> None:
    platform, agent, assign, canaries = await embedding_task(settings, start_platform)
    await answer(platform, agent, http, assign, CHEATS[name], canaries)
    error = await agent.expect(m.Error, code="VALIDATION_FAILED", timeout=30)
    assert error.recoverable is False and error.message
    assert platform.core.earnings.table.get(assign.task_id) is None
    stats = platform.status()["workloads"]["text-embedding"]
    assert (stats["verified"], stats["rejected"]) == (0, 1)
    slot = platform.core.dispatcher.slots[agent.agent_id]
    assert slot.strikes == 1 and slot.room(platform.now()) == 0  # fewer tasks, after a pause


async def test_an_agent_whose_results_were_refused_still_gets_new_work(
    settings: PlatformSettings, start_platform: PlatformFactory, http: aiohttp.ClientSession
) -> None:
    """The liveness defect: with 4 queued jobs and 4 refused results, the queue once held only
    tasks the agent was excluded from, and no new job was made."""
    platform = await start_platform(dataclasses.replace(settings, queue_target=4))
    agent = TestAgent(platform.ws_url, extensions=(Extension.ACK,))
    await agent.join()
    refused: set[str] = set()
    for _ in range(5):
        assign = await agent.expect(m.TaskAssign, timeout=15)
        assert assign.task_id not in refused  # never one it was refused for
        await agent.send(agent.accept(assign))
        uploaded = await agent.upload_result(http, assign, tamper=True)
        await agent.send(agent.complete(assign, uploaded))
        await agent.expect(m.Error, code="VALIDATION_FAILED", timeout=15)
        refused.add(assign.task_id)
    assert len(refused) == 5

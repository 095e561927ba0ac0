"""Tasks end to end over loopback: real artifacts, real uploads, verified results, earnings."""

from __future__ import annotations

import hashlib

import aiohttp

from orban_desktop.protocol import messages as m
from orban_desktop.protocol.enums import EarningStatus, Extension
from orban_desktop.protocol.types import TaskErrorInfo
from orban_platform.server import LocalPlatform
from tests.integration.orban_platform.agent import TestAgent, make_job

ALL = tuple(Extension)


async def test_a_task_runs_end_to_end_with_acks(
    platform: LocalPlatform, http: aiohttp.ClientSession
) -> None:
    agent = TestAgent(platform.ws_url, extensions=(Extension.ACK, Extension.AUTH_V2))
    await agent.join()
    task = await platform.submit_job(make_job("job-e2e-1", "orban/checksum:1"))
    assign = await agent.expect(m.TaskAssign, task_id=task.task_id)
    assert assign.payload.config["workload"] == "orban/checksum:1"
    assert assign.pricing.estimated_payout is not None  # an extension field: ours negotiated
    done = await agent.run_task(http, assign)
    await agent.expect(m.Ack, acked_message_id=done.message_id)
    record = await agent.expect(m.EarningsRecord, task_id=task.task_id)
    assert record.status is EarningStatus.PENDING
    assert record.earnings.rate_usd_per_hour.text == "1.25"  # 0.50 × 2.5 for a 24 GB GPU
    await agent.send(m.Ack(acked_message_id=record.message_id))
    await agent.sync()
    status = platform.status()
    assert status["tasks"]["completed"] == 1
    assert status["earnings"][agent.agent_id]["tasks"] == 1
    row = platform.core.earnings.table.get(task.task_id)
    assert row is not None and row.delivered_status is EarningStatus.PENDING


async def test_a_wrong_result_is_refused_and_not_paid(
    platform: LocalPlatform, http: aiohttp.ClientSession
) -> None:
    agent = TestAgent(platform.ws_url, extensions=ALL)
    await agent.join()
    task = await platform.submit_job(make_job("job-bad-1"))
    assign = await agent.expect(m.TaskAssign, task_id=task.task_id)
    await agent.send(agent.accept(assign))
    uploaded = await agent.upload_result(http, assign, tamper=True)
    await agent.send(agent.complete(assign, uploaded))
    error = await agent.expect(m.Error, code="VALIDATION_FAILED")
    assert error.recoverable is False
    assert platform.core.earnings.table.get(task.task_id) is None
    assert platform.status()["tasks"]["completed"] == 0


async def test_a_hash_that_is_not_the_upload_is_refused(
    platform: LocalPlatform, http: aiohttp.ClientSession
) -> None:
    agent = TestAgent(platform.ws_url)
    await agent.join()
    task = await platform.submit_job(make_job("job-bad-2"))
    assign = await agent.expect(m.TaskAssign, task_id=task.task_id)
    await agent.send(agent.accept(assign))
    uploaded = await agent.upload_result(http, assign)
    wrong = "sha256:" + hashlib.sha256(b"something else").hexdigest()
    await agent.send(agent.complete(assign, wrong))
    error = await agent.expect(m.Error, code="VALIDATION_FAILED")
    assert "does not match the uploaded bytes" in error.message
    assert uploaded != wrong
    assert platform.core.earnings.table.get(task.task_id) is None


async def test_a_result_without_upload_is_refused(platform: LocalPlatform) -> None:
    agent = TestAgent(platform.ws_url)
    await agent.join()
    task = await platform.submit_job(make_job("job-bad-3"))
    assign = await agent.expect(m.TaskAssign, task_id=task.task_id)
    await agent.send(agent.complete(assign, "sha256:" + "0" * 64))
    error = await agent.expect(m.Error, code="VALIDATION_FAILED")
    assert "no result was uploaded" in error.message


async def test_a_duplicate_complete_is_counted_once(
    platform: LocalPlatform, http: aiohttp.ClientSession
) -> None:
    agent = TestAgent(platform.ws_url, extensions=ALL)
    await agent.join()
    task = await platform.submit_job(make_job("job-dup"))
    assign = await agent.expect(m.TaskAssign, task_id=task.task_id)
    done = await agent.run_task(http, assign)
    await agent.expect(m.Ack, acked_message_id=done.message_id)
    await agent.send(done)  # re-sent, same message_id, as after a reconnect
    await agent.send(done.model_copy(update={"message_id": "another-id"}))
    await agent.expect(m.Ack, acked_message_id=done.message_id)
    await agent.expect(m.Ack, acked_message_id="another-id")
    earnings = platform.core.earnings.table.for_agent(agent.agent_id)
    assert [row.task_id for row in earnings] == [task.task_id]
    records = [f for f in agent.backlog if isinstance(f, m.EarningsRecord)]
    assert len(records) == 1


async def test_a_failed_task_goes_back_to_the_queue_for_another_agent(
    platform: LocalPlatform,
) -> None:
    first, second = TestAgent(platform.ws_url, extensions=ALL), TestAgent(platform.ws_url)
    await first.join()
    task = await platform.submit_job(make_job("job-fail"))
    assign = await first.expect(m.TaskAssign, task_id=task.task_id)
    failed = m.TaskFailed(
        task_id=task.task_id,
        error=TaskErrorInfo(code="OOM_ERROR", message="out of memory", details=""),
    )
    await first.send(failed)
    await first.expect(m.Ack, acked_message_id=failed.message_id)
    await first.send(failed)  # a duplicate is only acknowledged
    await first.expect(m.Ack, acked_message_id=failed.message_id)
    await second.join()
    again = await second.expect(m.TaskAssign, task_id=task.task_id)
    assert again.payload.output_url != assign.payload.output_url  # a new upload token
    assert platform.core.tasks.tasks[task.task_id].attempts == 1


async def test_requirements_and_capacity_decide_who_gets_what(platform: LocalPlatform) -> None:
    small = TestAgent(platform.ws_url)
    await small.join(gpus=1, vram_gb=8)
    big = TestAgent(platform.ws_url)
    await big.join(gpus=2, vram_gb=24)
    needs_16 = await platform.submit_job(make_job("job-vram", min_vram_gb=16))
    await big.expect(m.TaskAssign, task_id=needs_16.task_id)
    tasks = [await platform.submit_job(make_job(f"job-cap-{i}", seed=i)) for i in range(3)]
    holding = {slot.agent_id: set(slot.active) for slot in platform.core.dispatcher.slots.values()}
    assert len(holding[big.agent_id]) == 2  # two GPUs: two tasks
    assert len(holding[small.agent_id]) == 1  # one GPU: one task
    assert needs_16.task_id in holding[big.agent_id]
    queued = [t.task_id for t in platform.core.tasks.queued()]
    assert len(queued) == 1 and queued[0] in {t.task_id for t in tasks}


async def test_a_rejected_task_is_not_offered_again_to_an_unfit_agent(
    platform: LocalPlatform,
) -> None:
    agent = TestAgent(platform.ws_url)
    await agent.join()
    task = await platform.submit_job(make_job("job-reject"))
    await agent.expect(m.TaskAssign, task_id=task.task_id)
    await agent.send(
        m.TaskReject(task_id=task.task_id, reason="insufficient_vram", details="8 GB free")
    )
    await agent.sync()
    platform.tick()
    record = platform.core.tasks.tasks[task.task_id]
    assert record.state.value == "queued" and agent.agent_id in record.excluded


async def test_task_cancel_reaches_agents_that_negotiated_it(platform: LocalPlatform) -> None:
    agent = TestAgent(platform.ws_url, extensions=ALL)
    await agent.join()
    task = await platform.submit_job(make_job("job-cancel"))
    assign = await agent.expect(m.TaskAssign, task_id=task.task_id)
    await agent.send(agent.accept(assign))
    await agent.send(agent.heartbeat(task.task_id))
    assert platform.cancel_task(task.task_id, "withdrawn by the operator")
    cancel = await agent.expect(m.TaskCancel, task_id=task.task_id)
    assert cancel.reason == "withdrawn by the operator"
    failed = m.TaskFailed(
        task_id=task.task_id,
        error=TaskErrorInfo(code="TASK_CANCELLED", message="cancelled", details=""),
    )
    await agent.send(failed)
    await agent.expect(m.Ack, acked_message_id=failed.message_id)
    assert platform.status()["tasks"]["cancelled"] == 1


async def test_task_cancel_is_never_sent_without_the_extension(platform: LocalPlatform) -> None:
    agent = TestAgent(platform.ws_url)
    await agent.join()
    task = await platform.submit_job(make_job("job-cancel-plain"))
    await agent.expect(m.TaskAssign, task_id=task.task_id)
    assert platform.cancel_task(task.task_id, "withdrawn")
    await agent.send(m.TaskProgress.model_validate(_progress(task.task_id)))
    error = await agent.expect(m.Error, code="UNKNOWN_TASK")
    assert error.recoverable is True
    assert not any(isinstance(f, m.TaskCancel) for f in agent.backlog)


def _progress(task_id: str) -> dict[str, object]:
    return {
        "task_id": task_id,
        "progress": 0.5,
        "stage": "inference",
        "metrics": {
            "gpu_utilization": 0.9,
            "memory_used_gb": 1.0,
            "throughput_tokens_per_sec": None,
        },
    }

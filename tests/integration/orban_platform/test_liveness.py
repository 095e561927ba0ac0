"""Silence, reconnects and restarts: tasks re-queued or re-attached, state kept in SQLite."""

from __future__ import annotations

import dataclasses

import aiohttp

from orban_desktop.protocol import messages as m
from orban_desktop.protocol.enums import Extension
from orban_desktop.protocol.timestamps import WireTime
from orban_desktop.protocol.types import ActiveTaskInfo
from orban_platform.server import LocalPlatform
from orban_platform.settings import PlatformSettings
from tests.integration.orban_platform.agent import TestAgent, make_job
from tests.integration.orban_platform.conftest import PlatformFactory


def _sync(agent: TestAgent, *task_ids: str) -> m.StateSync:
    return m.StateSync(
        agent_id=agent.agent_id,
        last_heartbeat=WireTime.now(),
        active_tasks=[
            ActiveTaskInfo(task_id=t, progress=0.5, started_at=WireTime.now()) for t in task_ids
        ],
    )


async def test_an_agent_silent_for_three_intervals_loses_its_tasks(
    settings: PlatformSettings, start_platform: PlatformFactory
) -> None:
    platform = await start_platform(dataclasses.replace(settings, heartbeat_interval_s=0.2))
    quiet, other = TestAgent(platform.ws_url), TestAgent(platform.ws_url)
    await quiet.join()
    task = await platform.submit_job(make_job("job-quiet"))
    assign = await quiet.expect(m.TaskAssign, task_id=task.task_id)
    await quiet.send(quiet.accept(assign))
    code, reason = await quiet.closed()  # no HEARTBEAT from here on
    assert (code, reason) == (4005, "heartbeat missing")
    await other.join()
    await other.expect(m.TaskAssign, task_id=task.task_id)  # re-queued, handed to another


async def test_state_sync_reattaches_known_tasks_and_requeues_the_rest(
    platform: LocalPlatform, http: aiohttp.ClientSession
) -> None:
    agent = TestAgent(platform.ws_url, extensions=(Extension.ACK,))
    await agent.join(gpus=2)
    kept = await platform.submit_job(make_job("job-kept", seed=1))
    dropped = await platform.submit_job(make_job("job-dropped", seed=2))
    kept_assign = await agent.expect(m.TaskAssign, task_id=kept.task_id)
    await agent.expect(m.TaskAssign, task_id=dropped.task_id)
    await agent.close()
    again = TestAgent(platform.ws_url, agent.identity, extensions=(Extension.ACK,))
    await again.login()
    await again.send(_sync(again, kept.task_id, "task-from-nowhere"))
    error = await again.expect(m.Error, code="UNKNOWN_TASK")
    assert error.context == {"task_id": "task-from-nowhere"} and error.recoverable
    await again.register(gpus=1)
    tasks = platform.core.tasks.tasks
    assert tasks[kept.task_id].state.value == "running"
    assert tasks[kept.task_id].agent_id == again.agent_id
    assert tasks[dropped.task_id].state.value in ("queued", "assigned")
    done = await again.run_task(http, kept_assign)
    await again.expect(m.Ack, acked_message_id=done.message_id)
    await again.expect(m.EarningsRecord, task_id=kept.task_id)


async def test_a_restarted_platform_carries_on(
    settings: PlatformSettings, start_platform: PlatformFactory, http: aiohttp.ClientSession
) -> None:
    first = await start_platform(settings)
    agent = TestAgent(first.ws_url, extensions=(Extension.ACK,))
    await agent.join()
    finished = await first.submit_job(make_job("job-before", seed=3))
    done = await agent.run_task(http, await agent.expect(m.TaskAssign, task_id=finished.task_id))
    await agent.expect(m.Ack, acked_message_id=done.message_id)
    running = await first.submit_job(make_job("job-across", seed=4))
    assign = await agent.expect(m.TaskAssign, task_id=running.task_id)
    await agent.send(agent.accept(assign))
    await agent.sync()
    await first.stop()

    same_ports = dataclasses.replace(settings, ws_port=first.ws_port, http_port=first.http_port)
    second = await start_platform(same_ports)
    status = second.status()
    assert status["tasks"]["completed"] == 1 and status["tasks"]["running"] == 1
    assert status["earnings"][agent.agent_id]["tasks"] == 1
    impostor = TestAgent(second.ws_url, type(agent.identity).generate(agent.agent_id))
    await impostor.open()
    assert impostor.challenge is not None
    await impostor.send(impostor.answer(impostor.challenge))
    assert (await impostor.expect(m.Error)).code == "AUTH_FAILED"  # the key is remembered
    back = TestAgent(second.ws_url, agent.identity, extensions=(Extension.ACK,))
    await back.login()
    await back.send(_sync(back, running.task_id))
    await back.register()
    result = await back.run_task(http, assign)  # the upload token survived the restart
    await back.expect(m.Ack, acked_message_id=result.message_id)
    record = await back.expect(m.EarningsRecord, task_id=running.task_id)
    assert record.status.value == "Pending"
    await back.sync()
    assert second.status()["earnings"][agent.agent_id]["tasks"] == 2

"""End to end: our agent earns on the local reference platform, with and without extensions."""

from __future__ import annotations

from pathlib import Path

import pytest

from orban_desktop.events import ConnectionState, EarningRecorded, TaskFinished
from orban_desktop.protocol.enums import Extension
from tests.integration.e2e.harness import platform, running_agent, wait_for


def _agent_status(server: object, agent_id: str) -> dict[str, object]:
    status = server.status()  # type: ignore[attr-defined]
    return next(a for a in status["agents"] if a["agent_id"] == agent_id)


@pytest.mark.parametrize(
    "extensions",
    [frozenset(Extension), frozenset()],
    ids=["all-extensions", "plain-v1"],
)
async def test_full_flow_to_a_confirmed_earning(
    tmp_path: Path, extensions: frozenset[Extension]
) -> None:
    async with (
        platform(tmp_path, extensions=extensions) as server,
        running_agent(tmp_path, server.ws_url, extensions=extensions) as agent,
    ):
        service = agent.runtime.service
        await wait_for(lambda: service.state is ConnectionState.SERVING, what="serving")
        await wait_for(
            lambda: any(
                isinstance(e, EarningRecorded) and e.status == "Confirmed" for e in agent.events
            ),
            timeout=60,
            what="a confirmed earning",
        )
        finished = [e for e in agent.events if isinstance(e, TaskFinished)]
        assert finished and all(e.succeeded for e in finished), finished
        ledger = agent.runtime.parts.ledger
        data = await ledger.get_data()
        assert data.confirmed_micros > 0
        platform_side = server.status()["earnings"][agent.runtime.parts.identity.agent_id]
        assert platform_side  # the platform credited the same agent
        assert _agent_status(server, agent.runtime.parts.identity.agent_id)["online"]
        outbox = agent.runtime.parts.outbox
        await agent.runtime.service.stop()
        assert (await outbox.stats()).running == 0  # handed back tasks left the journal


async def test_pause_refuses_new_work_and_resume_takes_it_again(tmp_path: Path) -> None:
    async with (
        platform(tmp_path) as server,
        running_agent(tmp_path, server.ws_url) as agent,
    ):
        service = agent.runtime.service
        await wait_for(lambda: service.state is ConnectionState.SERVING, what="serving")
        service.pause()
        assert service.state is ConnectionState.PAUSED
        await wait_for(lambda: not service.runner.active, timeout=60, what="running tasks finish")
        done = sum(isinstance(e, TaskFinished) for e in agent.events)
        await wait_for(lambda: server.status()["tasks"].get("queued", 0) > 0, what="work waiting")
        service.resume()
        await wait_for(
            lambda: sum(isinstance(e, TaskFinished) for e in agent.events) > done,
            timeout=60,
            what="work after resume",
        )

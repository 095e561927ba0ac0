"""Pause and resume from the Overview: the agent's state changes and the platform sees it."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from orban_desktop.events import ConnectionState
from orban_desktop.ui.dashboard import Dashboard
from orban_desktop.ui.status_model import DisplayState
from orban_desktop.ui.views.overview_view import OverviewView
from tests.ui.conftest import RunningAgent
from tests.ui.waiting import platform_agent, wait_for, wait_until


async def test_pause_button_pauses_the_agent_and_the_platform_sees_it(
    qtbot: QtBot, running_agent: RunningAgent
) -> None:
    async with running_agent() as dashboard:
        await pause_and_resume(qtbot, dashboard)


async def pause_and_resume(qtbot: QtBot, dashboard: Dashboard) -> None:
    host = dashboard.host
    assert host.platform is not None
    http_url, agent_id = host.platform.http_url, host.agent_id
    view = OverviewView(dashboard)
    qtbot.addWidget(view)
    view.show()
    await wait_until(lambda: host.state is ConnectionState.SERVING, "the agent to serve")
    seen: dict[str, Any] = {}

    async def platform_says(**expected: object) -> bool:
        entry = await platform_agent(http_url, agent_id)
        seen.update(entry or {})
        return entry is not None and all(entry.get(k) == v for k, v in expected.items())

    await wait_until(lambda: dashboard.board.completed_count >= 1, "a task to be done")
    assert view.pause_button.text() == "Pause contribution"
    view.pause_button.click()
    assert host.state is ConnectionState.PAUSED
    assert dashboard.status.display_state is DisplayState.PAUSED
    assert view.headline.text() == "Paused: you paused contribution"
    assert view.pause_button.text() == "Resume contribution"
    await wait_for(
        lambda: platform_says(online=True, status="idle", tasks=[]),
        lambda: f"the platform to see the agent idle with no task (last seen: {seen})",
    )
    done_while_paused = dashboard.board.completed_count

    view.pause_button.click()
    assert (host.state, view.headline.text()) == (ConnectionState.SERVING, "Connected")
    await wait_until(
        lambda: dashboard.board.completed_count > done_while_paused, "work to start again"
    )

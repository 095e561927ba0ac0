"""Timed pauses that resume by themselves, notifications by kind, defaults on the Settings page."""

from __future__ import annotations

import datetime
from pathlib import Path

from pytestqt.qtbot import QtBot

from orban_desktop.events import ConnectionState, Notice, NoticeCode, PayoutReceived
from orban_desktop.protocol.enums import PayoutStatus
from orban_desktop.ui.notifications import NotificationKind, Notifier
from orban_desktop.ui.timed_pause import PauseLength, pause_end
from orban_desktop.ui.tray import Tray
from orban_desktop.ui.views.overview_view import OverviewView
from orban_desktop.ui.views.settings_view import SettingsView
from tests.ui.conftest import RunningAgent
from tests.ui.waiting import wait_until

REPO = Path(__file__).resolve().parents[2]
NOON = datetime.datetime(2025, 3, 4, 12, 0, tzinfo=datetime.UTC)


def test_pause_ends() -> None:
    assert pause_end(PauseLength.ONE_HOUR, NOON) == NOON + datetime.timedelta(hours=1)
    assert pause_end(PauseLength.UNTIL_TOMORROW, NOON) == datetime.datetime(
        2025, 3, 5, tzinfo=datetime.UTC
    )


async def test_pause_for_an_hour_says_until_when_and_resumes_by_itself(
    qtbot: QtBot, running_agent: RunningAgent
) -> None:
    async with running_agent() as dashboard:
        clock = [NOON]
        dashboard.now = lambda: clock[0]
        host = dashboard.host
        await wait_until(lambda: host.state is ConnectionState.SERVING, "the agent to serve")
        overview = OverviewView(dashboard)
        qtbot.addWidget(overview)
        overview.show()
        tray = Tray(dashboard)
        assert tray.hour_action.isVisible() and overview.hour_button.isVisible()
        tray.hour_action.trigger()
        assert "user" in host.pause_reasons
        assert dashboard.status.paused_until == NOON + datetime.timedelta(hours=1)
        assert "you paused contribution until 13:00" in overview.headline.text()
        assert "until 13:00" in tray.state_action.text()
        assert not overview.hour_button.isVisible()  # paused: Resume is what is offered
        clock[0] = NOON + datetime.timedelta(minutes=59)
        dashboard.check_timed_pause()
        assert "user" in host.pause_reasons
        clock[0] = NOON + datetime.timedelta(hours=1, seconds=1)
        dashboard.check_timed_pause()
        assert "user" not in host.pause_reasons
        assert dashboard.status.paused_until is None
        assert overview.headline.text() == "Connected"

        overview.tomorrow_button.click()
        assert dashboard.status.paused_until == datetime.datetime(2025, 3, 5, tzinfo=datetime.UTC)
        overview.pause_button.click()  # the owner resumes early: the timed pause is forgotten
        assert "user" not in host.pause_reasons and dashboard.status.paused_until is None


async def test_notifications_can_be_turned_off_by_kind(running_agent: RunningAgent) -> None:
    async with running_agent() as dashboard:
        shown: list[str] = []
        notifier = Notifier(dashboard, lambda title, _m, _s: shown.append(title))
        config = dashboard.host.config
        ui = config.ui.model_copy(update={"notify_payout": False})
        await dashboard.store.save_and_apply(config.model_copy(update={"ui": ui}))
        dashboard.bridge.payout_received.emit(
            PayoutReceived("p1", 1_000_000, "1.00", PayoutStatus.COMPLETED)
        )
        dashboard.bridge.notice.emit(Notice(NoticeCode.GPU_OVERHEATED, {"gpu_index": 0}))
        assert shown == ["GPU too hot"]
        assert not notifier.wanted(NotificationKind.PAYOUT)


async def test_settings_tasks_at_once_notifications_and_simulated_gpus(
    qtbot: QtBot, running_agent: RunningAgent
) -> None:
    async with running_agent() as dashboard:
        view = SettingsView(dashboard.store, dashboard.host.gpu_facts)
        qtbot.addWidget(view)
        fields = view.fields
        assert fields.max_tasks.value() == 0
        assert fields.max_tasks.text() == "One per usable GPU"
        assert not fields.simulated.isEnabled() and fields.simulated.value() == 2
        fields.notifications.checks["notify_task_done"].setChecked(False)
        data = view.form_data()
        assert "max_concurrent_tasks" not in data["gpu"]
        assert data["gpu"]["simulate_gpus"] == 0  # the command line chose 2: the file keeps its 0
        assert data["ui"]["notify_task_done"] is False
        ctx = dashboard.host.runtime.service.handlers.ctx
        assert ctx.max_concurrent_tasks is None  # resolved per usable GPU where it is used


def test_the_autostart_entry_names_an_icon_that_ships(tmp_path: Path) -> None:
    from orban_desktop.ui.autostart import Autostart

    entry = Autostart("linux", tmp_path, {}, ("orban-desktop",)).entry_text().decode()
    icon = next(line.split("=", 1)[1] for line in entry.splitlines() if line.startswith("Icon="))
    assert (REPO / "resources" / "icons" / f"{icon}.svg").is_file()

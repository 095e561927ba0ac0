"""The Settings page: the pydantic model's verdict is shown by the field it is about."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from orban_desktop.config import AgentConfig
from orban_desktop.config.paths import AppPaths
from orban_desktop.events import EventBus
from orban_desktop.network.auth import Authenticator
from orban_desktop.ui.autostart import Autostart
from orban_desktop.ui.dashboard import Dashboard
from orban_desktop.ui.session import AgentSession
from orban_desktop.ui.settings_store import SettingsStore, needs_restart, with_gpu_enabled
from orban_desktop.ui.views.settings_view import SettingsView, error_belongs_to
from tests.ui.conftest import RunningAgent
from tests.ui.waiting import wait_until


def idle_view(qtbot: QtBot, paths: AppPaths, autostart: Autostart) -> SettingsView:
    """The page over an agent that is not started (validation needs none)."""
    session = AgentSession(
        paths=paths, config=AgentConfig(), identity=Authenticator.generate(), bus=EventBus()
    )
    view = SettingsView(SettingsStore(session, paths.config_file, autostart), lambda: [])
    qtbot.addWidget(view)
    view.show()
    return view


async def test_a_bad_platform_url_is_shown_under_its_field_and_nothing_is_saved(
    qtbot: QtBot, paths: AppPaths, autostart: Autostart
) -> None:
    view = idle_view(qtbot, paths, autostart)
    view.fields.platform_url.setText("http://platform.example.com")
    assert view.apply() is False
    url_error = view.fields.error_labels["agent.platform_url"]
    assert url_error.isVisible()
    assert "unencrypted" in url_error.text()
    others = [k for k, label in view.fields.error_labels.items() if label.isVisible()]
    assert others == ["agent.platform_url"]
    assert not paths.config_file.exists()


async def test_errors_in_a_list_go_to_the_list_field(
    qtbot: QtBot, paths: AppPaths, autostart: Autostart
) -> None:
    view = idle_view(qtbot, paths, autostart)
    view.fields.allowed_hours.setText("22:00-07:00, 25:00-26:00")
    assert view.apply() is False
    hours_error = view.fields.error_labels["schedule.allowed_hours"]
    assert hours_error.isVisible()
    assert "25:00-26:00" in hours_error.text()
    view.fields.allowed_hours.setText("22:00-07:00")
    view.show_errors(AgentConfig.validation_errors(view.form_data()))
    assert not hours_error.isVisible()


def test_error_keys_belong_to_their_field_only() -> None:
    assert error_belongs_to("schedule.allowed_hours[1]", "schedule.allowed_hours")
    assert error_belongs_to("agent.platform_url", "agent.platform_url")
    assert not error_belongs_to("gpu.reserved_vram_gb", "gpu.reserved")


def test_only_changes_outside_ui_restart_the_agent() -> None:
    config = AgentConfig()
    dark = config.model_copy(update={"ui": config.ui.model_copy(update={"theme": "dark"})})
    assert not needs_restart(config, dark)
    assert needs_restart(config, with_gpu_enabled(config, 1, False))
    assert with_gpu_enabled(with_gpu_enabled(config, 1, False), 1, True) == config


async def test_valid_settings_are_saved_and_the_agent_restarts_with_them(
    qtbot: QtBot, running_agent: RunningAgent, paths: AppPaths
) -> None:
    async with running_agent() as dashboard:
        await save_valid_settings(qtbot, dashboard, paths)


async def save_valid_settings(qtbot: QtBot, dashboard: Dashboard, paths: AppPaths) -> None:
    view = SettingsView(dashboard.store, dashboard.session.gpu_facts)
    qtbot.addWidget(view)
    view.show()
    assert set(view.fields.gpu_checks) == {0, 1}
    old_runtime = dashboard.session.runtime
    view.fields.max_tasks.setValue(2)
    view.fields.gpu_checks[1].setChecked(False)
    view.fields.start_on_login.setChecked(True)
    assert view.apply() is True
    await wait_until(lambda: "Saved" in view.status.text(), "the settings to be saved")
    saved = AgentConfig.load(paths.config_file)
    assert saved.gpu.max_concurrent_tasks == 2
    assert saved.gpu.disabled_gpu_indices == [1]
    assert dashboard.session.runtime is not old_runtime
    assert dashboard.session.parts.config.gpu.max_concurrent_tasks == 2
    assert not dashboard.session.parts.detector.is_enabled(1)
    desktop_file = dashboard.store.autostart.location
    assert desktop_file is not None and "--hidden" in desktop_file.read_text()

"""The Settings page: the model's verdict by its field; saved settings apply live; the theme."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from orban_desktop.agent.host import AgentHost
from orban_desktop.config import AgentConfig
from orban_desktop.config.paths import AppPaths
from orban_desktop.events import EventBus
from orban_desktop.network.auth import Authenticator
from orban_desktop.ui.autostart import Autostart
from orban_desktop.ui.dashboard import Dashboard
from orban_desktop.ui.main_window import MainWindow
from orban_desktop.ui.settings_store import SettingsStore, with_gpu_enabled
from orban_desktop.ui.theme import DARK, LIGHT
from orban_desktop.ui.views.settings_view import SettingsView, error_belongs_to
from tests.ui.conftest import RunningAgent
from tests.ui.waiting import wait_until


def idle_view(qtbot: QtBot, paths: AppPaths, autostart: Autostart) -> SettingsView:
    """The page over an agent that is not started (validation needs none)."""
    host = AgentHost(
        paths=paths, config=AgentConfig(), identity=Authenticator.generate(), bus=EventBus()
    )
    view = SettingsView(SettingsStore(host, paths.config_file, autostart), lambda: [])
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


def test_a_gpu_switched_off_and_on_again_is_the_same_setting() -> None:
    config = AgentConfig()
    assert with_gpu_enabled(config, 1, False).gpu.disabled_gpu_indices == [1]
    assert with_gpu_enabled(with_gpu_enabled(config, 1, False), 1, True) == config


async def test_valid_settings_are_saved_and_applied_without_a_restart(
    qtbot: QtBot, running_agent: RunningAgent, paths: AppPaths
) -> None:
    async with running_agent() as dashboard:
        await save_valid_settings(qtbot, dashboard, paths)


async def save_valid_settings(qtbot: QtBot, dashboard: Dashboard, paths: AppPaths) -> None:
    view = SettingsView(dashboard.store, dashboard.host.gpu_facts)
    qtbot.addWidget(view)
    view.show()
    assert set(view.fields.gpu_checks) == {0, 1}
    old_runtime = dashboard.host.runtime
    view.fields.max_tasks.setValue(2)
    view.fields.gpu_checks[1].setChecked(False)
    view.fields.start_on_login.setChecked(True)
    assert view.apply() is True
    await wait_until(lambda: "Saved" in view.status.text(), "the settings to be saved")
    saved = AgentConfig.load(paths.config_file)
    assert saved.gpu.max_concurrent_tasks == 2
    assert saved.gpu.disabled_gpu_indices == [1]
    assert view.status.text() == "Saved and applied."
    assert dashboard.host.runtime is old_runtime  # applied live: nothing was rebuilt
    assert dashboard.host.runtime.parts.config.gpu.max_concurrent_tasks == 2
    assert dashboard.host.runtime.service.handlers.ctx.max_concurrent_tasks == 2
    assert not dashboard.host.gpu_enabled(1) and dashboard.host.gpu_enabled(0)
    desktop_file = dashboard.store.autostart.location
    assert desktop_file is not None and "--hidden" in desktop_file.read_text()


async def test_choosing_a_theme_repaints_the_app_at_once(
    qtbot: QtBot, running_agent: RunningAgent
) -> None:
    async with running_agent() as dashboard:
        await switch_theme(qtbot, dashboard)


async def switch_theme(qtbot: QtBot, dashboard: Dashboard) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window = MainWindow(dashboard, close_to_tray=False)
    qtbot.addWidget(window)
    window.show()
    window.show_page("gpus")
    view = window.show_page("settings")
    assert isinstance(view, SettingsView)
    dashboard.set_theme("light")
    light_window = app.palette().color(QPalette.ColorRole.Window).name()
    assert light_window == LIGHT.background
    view.fields.theme.setCurrentIndex(view.fields.theme.findData("dark"))
    assert view.apply() is True
    # before the save finishes: the palette, the style sheet and the colours are dark already
    assert app.palette().color(QPalette.ColorRole.Window).name() == DARK.background
    assert DARK.card in app.styleSheet() and LIGHT.card not in app.styleSheet()
    assert dashboard.theme is DARK
    assert "gpus" not in window.pages  # the chart page is made again in the new colours
    await wait_until(lambda: "Saved" in view.status.text(), "the settings to be saved")
    assert AgentConfig.load(dashboard.store.config_file).ui.theme == "dark"
    dashboard.set_theme("light")

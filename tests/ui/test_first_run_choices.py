"""The wizard's platform choices, its simulated-GPU default, and copying and backing up the key."""

from __future__ import annotations

import stat
from pathlib import Path

from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from orban_desktop.config import LOCAL_PLATFORM_URL, PRODUCTION_PLATFORM_URL, AgentConfig
from orban_desktop.config.paths import AppPaths
from orban_desktop.gpu.device import GPUFacts
from orban_desktop.ui.first_run import FirstRunWizard
from orban_desktop.ui.platform_address import complete_platform_url
from tests.ui.waiting import wait_until


def start(
    qtbot: QtBot, paths: AppPaths, found: list[GPUFacts], backup_to: Path | None = None
) -> FirstRunWizard:
    wizard = FirstRunWizard(
        paths, AgentConfig(), detect=lambda: found, choose_backup_path=lambda _w, _p: backup_to
    )
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


async def test_the_orban_platform_comes_first_then_practice_then_another(
    qtbot: QtBot, paths: AppPaths
) -> None:
    wizard = start(qtbot, paths, [])
    wizard.next()
    page = wizard.platform_page
    layout = page.layout()
    order = [layout.itemAt(i).widget() for i in range(3)]
    assert order == [page.orban_choice, page.local_choice, page.url_choice]
    assert PRODUCTION_PLATFORM_URL in page.orban_choice.text()
    page.orban_choice.setChecked(True)
    wizard.next()
    gpu_page = wizard.gpu_page
    await wait_until(lambda: gpu_page.detected is not None, "GPU detection to finish")
    assert gpu_page.demo_choice.isVisibleTo(gpu_page)
    assert not gpu_page.demo_choice.isChecked()  # never preselected for a real platform
    wizard.back()
    page.local_choice.setChecked(True)
    wizard.next()
    assert gpu_page.demo_choice.isChecked()  # practice: the demo is offered ticked
    wizard.back()
    page.orban_choice.setChecked(True)
    wizard.next()
    assert not gpu_page.demo_choice.isChecked()
    wizard.accept()
    saved = AgentConfig.load(paths.config_file)
    assert (saved.agent.platform_url, saved.gpu.simulate_gpus) == (PRODUCTION_PLATFORM_URL, 0)


async def test_a_bare_host_name_is_completed_to_wss(qtbot: QtBot, paths: AppPaths) -> None:
    wizard = start(qtbot, paths, [])
    wizard.next()
    page = wizard.platform_page
    page.url_edit.setText("platform.example.com")
    page.url_choice.setChecked(True)
    assert page.chosen_url() == "wss://platform.example.com"
    wizard.next()
    assert wizard.currentPage() is wizard.gpu_page
    await wait_until(lambda: wizard.gpu_page.detected is not None, "GPU detection to finish")
    assert not wizard.gpu_page.demo_choice.isChecked()
    wizard.accept()
    assert AgentConfig.load(paths.config_file).agent.platform_url == "wss://platform.example.com"


def test_completion_leaves_urls_to_the_settings_rules() -> None:
    assert complete_platform_url(" host:8740 ") == "wss://host:8740"
    assert complete_platform_url("http://platform.example.com") == "http://platform.example.com"
    assert complete_platform_url(LOCAL_PLATFORM_URL) == LOCAL_PLATFORM_URL
    assert complete_platform_url("") == ""


async def test_copy_agent_id_and_back_up_the_key_once(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path
) -> None:
    backup = tmp_path / "backups" / "agent-key.backup"
    wizard = start(qtbot, paths, [], backup_to=backup)
    page = wizard.identity_page
    assert page.identity is not None
    page.copy_button.click()
    assert QGuiApplication.clipboard().text() == page.identity.agent_id
    page.backup_button.click()
    assert backup.read_bytes() == paths.key_file.read_bytes()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert str(backup) in page.action_status.text()
    backup.write_bytes(b"something else")
    page.backup_button.click()  # never over an existing file
    assert backup.read_bytes() == b"something else"
    assert "already a file" in page.action_status.text()


async def test_cancelling_the_backup_writes_nothing(qtbot: QtBot, paths: AppPaths) -> None:
    wizard = start(qtbot, paths, [], backup_to=None)
    wizard.identity_page.backup_button.click()
    assert wizard.identity_page.action_status.text() == ""

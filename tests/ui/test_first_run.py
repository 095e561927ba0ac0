"""The first-run wizard, driven page by page: it makes the key and saves the owner's choices."""

from __future__ import annotations

import stat

from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from orban_desktop.config import LOCAL_PLATFORM_URL, AgentConfig
from orban_desktop.config.paths import AppPaths
from orban_desktop.gpu.device import GPUFacts
from orban_desktop.network.auth import Authenticator
from orban_desktop.protocol.enums import GPUVendor
from orban_desktop.ui.first_run import FirstRunWizard
from tests.ui.waiting import wait_until

RTX = GPUFacts(0, GPUVendor.NVIDIA, "NVIDIA GeForce RTX 4090", "GPU-1", 24 * 1024**3)


def start(qtbot: QtBot, paths: AppPaths, found: list[GPUFacts]) -> FirstRunWizard:
    wizard = FirstRunWizard(paths, AgentConfig(), detect=lambda: found)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


async def test_first_run_creates_the_key_and_shows_the_agent_id(
    qtbot: QtBot, paths: AppPaths
) -> None:
    wizard = start(qtbot, paths, [RTX])
    key_file = paths.key_file
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    agent_id = Authenticator.from_private_key_file(key_file).agent_id
    assert wizard.identity is not None and wizard.identity.agent_id == agent_id
    assert agent_id in wizard.identity_page.agent_id.text()
    assert "new key was created" in wizard.identity_page.key_status.text()
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()


async def test_an_existing_key_is_kept(qtbot: QtBot, paths: AppPaths) -> None:
    existing = Authenticator.generate()
    existing.save(paths.key_file)
    wizard = start(qtbot, paths, [RTX])
    assert wizard.identity is not None and wizard.identity.agent_id == existing.agent_id
    assert "existing key" in wizard.identity_page.key_status.text()


async def test_a_bad_platform_url_is_shown_by_its_field_and_blocks_the_page(
    qtbot: QtBot, paths: AppPaths
) -> None:
    wizard = start(qtbot, paths, [RTX])
    wizard.next()
    page = wizard.platform_page
    assert wizard.currentPage() is page
    page.url_choice.setChecked(True)
    page.url_edit.setText("http://platform.example.com")
    wizard.next()
    assert wizard.currentPage() is page
    assert page.url_error.isVisibleTo(page)
    assert "unencrypted" in page.url_error.text()
    page.url_edit.setText("wss://platform.example.com")
    wizard.next()
    assert wizard.currentPage() is wizard.gpu_page


async def test_without_a_gpu_it_says_so_and_offers_labelled_simulated_gpus(
    qtbot: QtBot, paths: AppPaths
) -> None:
    wizard = start(qtbot, paths, [])
    wizard.next()
    wizard.platform_page.local_choice.setChecked(True)
    wizard.next()
    gpu_page = wizard.gpu_page
    await wait_until(lambda: gpu_page.detected is not None, "GPU detection to finish")
    assert "No GPU found" in gpu_page.gpu_text.text()
    assert gpu_page.demo_choice.isVisibleTo(gpu_page) and gpu_page.demo_choice.isChecked()
    assert "SIMULATED" in gpu_page.demo_choice.text()
    wizard.accept()
    saved = AgentConfig.load(paths.config_file)
    assert saved.agent.platform_url == LOCAL_PLATFORM_URL
    assert saved.gpu.simulate_gpus == 4


async def test_with_a_gpu_it_lists_it_and_simulates_nothing(qtbot: QtBot, paths: AppPaths) -> None:
    wizard = start(qtbot, paths, [RTX])
    wizard.next()
    wizard.platform_page.url_choice.setChecked(True)
    wizard.platform_page.url_edit.setText("wss://platform.example.com")
    wizard.next()
    await wait_until(lambda: wizard.gpu_page.detected is not None, "GPU detection to finish")
    assert "NVIDIA GeForce RTX 4090" in wizard.gpu_page.gpu_text.text()
    assert not wizard.gpu_page.demo_choice.isVisibleTo(wizard.gpu_page)
    wizard.accept()
    saved = AgentConfig.load(paths.config_file)
    assert saved.agent.platform_url == "wss://platform.example.com"
    assert saved.gpu.simulate_gpus == 0

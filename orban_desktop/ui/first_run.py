"""The first-run wizard: make the key, show the agent id, pick the platform, look for GPUs.

Shown when there is no settings file yet. Its pages live in
:mod:`orban_desktop.ui.first_run_pages`; finishing saves the settings the owner chose (the
platform, and simulated GPUs when none was found and the owner took the demo, which is offered
ticked only for practice on the local platform), and leaves the
outcome in :attr:`FirstRunWizard.config` and :attr:`FirstRunWizard.identity`. Imports QtWidgets.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget, QWizard

from orban_desktop.config import AgentConfig
from orban_desktop.config.paths import AppPaths
from orban_desktop.errors import ConfigError
from orban_desktop.gpu.detector import GPUDetector
from orban_desktop.gpu.device import GPUFacts
from orban_desktop.network.auth import Authenticator
from orban_desktop.ui.error_text import error_message, error_title
from orban_desktop.ui.first_run_identity import ChooseBackupPath, IdentityPage, ask_backup_path
from orban_desktop.ui.first_run_pages import DEMO_GPU_COUNT, GpuPage, PlatformPage
from orban_desktop.ui.icons import app_icon

translate = QCoreApplication.translate


def detect_gpus() -> list[GPUFacts]:
    """Every real GPU of this machine (blocking: run it in a thread)."""
    detector = GPUDetector()
    try:
        detector.detect_all()
        return detector.facts()
    finally:
        detector.close()


class FirstRunWizard(QWizard):
    """Three pages; after ``accept`` the settings are saved and :attr:`config` holds them."""

    def __init__(
        self,
        paths: AppPaths,
        config: AgentConfig,
        *,
        detect: Callable[[], list[GPUFacts]] = detect_gpus,
        choose_backup_path: ChooseBackupPath = ask_backup_path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.paths, self.config = paths, config
        self.setWindowTitle(translate("FirstRunWizard", "Welcome to Orban Agent"))
        self.setWindowIcon(app_icon())
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.resize(660, 440)
        self.identity_page = IdentityPage(paths, config, choose_backup_path)
        self.platform_page = PlatformPage(config)
        self.gpu_page = GpuPage(detect, lambda: self.platform_page.practice)
        for page in (self.identity_page, self.platform_page, self.gpu_page):
            self.addPage(page)

    @property
    def identity(self) -> Authenticator | None:
        return self.identity_page.identity

    def outcome(self) -> AgentConfig:
        """The settings the owner chose (not saved yet)."""
        agent = self.config.agent.model_copy(
            update={"platform_url": self.platform_page.chosen_url()}
        )
        simulate = DEMO_GPU_COUNT if self.gpu_page.wants_demo else 0
        gpu = self.config.gpu.model_copy(update={"simulate_gpus": simulate})
        return AgentConfig.from_toml_data(
            self.config.model_copy(update={"agent": agent, "gpu": gpu}).to_toml_data()
        )

    def accept(self) -> None:
        """Save the chosen settings, then close (a file that cannot be written is reported)."""
        config = self.outcome()
        try:
            config.save(self.paths.config_file)
        except ConfigError as exc:
            QMessageBox.warning(self, error_title(exc), error_message(exc))
            return
        self.config = config
        super().accept()

"""The first page of the first-run wizard: the identity key, the agent id, copy and back up.

:class:`IdentityPage` creates (or loads) the key when shown and shows the agent id, with "Copy
agent id" (to the clipboard) and "Back up key…": a save dialog, then the key written by the
project's own key writer (:meth:`Authenticator.save`, mode 0600, never over an existing file).
Imports QtWidgets.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from orban_desktop.config import AgentConfig
from orban_desktop.config.paths import AppPaths
from orban_desktop.errors import KeyFileError
from orban_desktop.network.auth import Authenticator
from orban_desktop.ui.error_text import error_message
from orban_desktop.ui.widgets.labels import label

translate = QCoreApplication.translate
#: Asks where to write the backup (``None``: the owner cancelled); tests pass their own.
ChooseBackupPath = Callable[[QWidget, Path], Path | None]


def ask_backup_path(parent: QWidget, suggested: Path) -> Path | None:
    """A save dialog for the key backup (it never offers to replace a file: we refuse that)."""
    chosen, _filter = QFileDialog.getSaveFileName(
        parent,
        translate("IdentityPage", "Back up the identity key"),
        str(suggested),
        options=QFileDialog.Option.DontConfirmOverwrite,
    )
    return Path(chosen) if chosen else None


def load_or_create_identity(paths: AppPaths, config: AgentConfig) -> tuple[Authenticator, bool]:
    """The key in the settings' key file, created there first if there is none.

    Raises:
        KeyFileError: A key exists but cannot be used (unsafe permissions, wrong size).
    """
    key_file = config.resolved(paths).key_file
    if not key_file.exists() and not key_file.is_symlink():
        identity = Authenticator.generate(config.agent.agent_id)
        identity.save(key_file)
        return identity, True
    return Authenticator.from_private_key_file(key_file, config.agent.agent_id), False


class IdentityPage(QWizardPage):
    """Creates the key on first display, shows the agent id, copies it and backs the key up."""

    def __init__(
        self,
        paths: AppPaths,
        config: AgentConfig,
        choose_backup_path: ChooseBackupPath = ask_backup_path,
    ) -> None:
        super().__init__()
        self.paths, self.config = paths, config
        self._choose_backup_path = choose_backup_path
        self.identity: Authenticator | None = None
        self.key_created = False
        self.setTitle(translate("IdentityPage", "Your agent's identity"))
        layout = QVBoxLayout(self)
        layout.addWidget(label(translate(
            "IdentityPage",
            "Orban Agent lends your GPU to the Orban platform while you do not need it, and "
            "the platform pays for the work. The platform knows this computer by a key that "
            "never leaves it.",
        ), wrap=True))  # fmt: skip
        self.key_status = label("", wrap=True)
        self.agent_id = label("", "agentId")
        self.agent_id.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        self.copy_button = QPushButton(translate("IdentityPage", "Copy agent id"))
        self.copy_button.clicked.connect(self.copy_agent_id)
        self.backup_button = QPushButton(translate("IdentityPage", "Back up key…"))
        self.backup_button.clicked.connect(self.back_up_key)
        for button in (self.copy_button, self.backup_button):
            button.setEnabled(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.action_status = label("", "muted", wrap=True)
        for widget in (self.key_status, self.agent_id):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addWidget(self.action_status)
        layout.addStretch(1)

    def initializePage(self) -> None:
        if self.identity is not None:
            return
        key_file = self.config.resolved(self.paths).key_file
        try:
            self.identity, self.key_created = load_or_create_identity(self.paths, self.config)
        except KeyFileError as exc:
            self.key_status.setText(error_message(exc))
            self.key_status.setObjectName("fieldError")
            return
        if self.key_created:
            text = translate(
                "IdentityPage",
                "A new key was created in {path}. Keep a copy: it is how you get paid.",
            )
        else:
            text = translate("IdentityPage", "Using your existing key in {path}.")
        self.key_status.setText(text.format(path=key_file))
        self.agent_id.setText(
            translate("IdentityPage", "Agent id: {agent_id}").format(
                agent_id=self.identity.agent_id
            )
        )
        self.copy_button.setEnabled(True)
        self.backup_button.setEnabled(True)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.identity is not None

    def copy_agent_id(self) -> None:
        if self.identity is None:
            return
        QGuiApplication.clipboard().setText(self.identity.agent_id)
        self.action_status.setText(translate("IdentityPage", "The agent id is on the clipboard."))

    def back_up_key(self) -> None:
        """Ask where, then write the key there (mode 0600); an existing file is never replaced."""
        if self.identity is None:
            return
        suggested = Path.home() / "orban-agent-key-backup.key"
        target = self._choose_backup_path(self, suggested)
        if target is None:
            return
        if target.exists() or target.is_symlink():
            self.action_status.setText(translate(
                "IdentityPage",
                "There is already a file at {path}. A backup never replaces a file: choose "
                "another name.",
            ).format(path=target))  # fmt: skip
            return
        try:
            self.identity.save(target)
        except KeyFileError as exc:
            self.action_status.setText(error_message(exc))
            return
        self.action_status.setText(translate(
            "IdentityPage",
            "The key was backed up to {path} (readable only by you). Keep it somewhere safe: "
            "whoever has it can work as this agent.",
        ).format(path=target))  # fmt: skip

"""The three pages of the first-run wizard: identity key, platform, GPUs.

:class:`IdentityPage` creates (or loads) the key when shown and shows the agent id;
:class:`PlatformPage` offers the local reference platform or a URL, checked by the settings'
own rules with the problem shown under the field; :class:`GpuPage` runs GPU detection in a
thread and, when nothing is found, says so and offers simulated GPUs, labelled as such.
Imports QtWidgets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QRadioButton, QVBoxLayout, QWizardPage

from orban_desktop.config import LOCAL_PLATFORM_URL, AgentConfig, normalize_platform_url
from orban_desktop.config.paths import AppPaths
from orban_desktop.errors import KeyFileError
from orban_desktop.gpu.device import GPUFacts
from orban_desktop.network.auth import Authenticator
from orban_desktop.ui.background import BackgroundTasks
from orban_desktop.ui.error_text import error_message
from orban_desktop.ui.formatting import gib_text
from orban_desktop.ui.widgets.labels import label

translate = QCoreApplication.translate
DEMO_GPU_COUNT = 4


def wrapped(text: str, name: str = "") -> QLabel:
    return label(text, name, wrap=True)


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
    """Creates the key on first display and shows the agent id."""

    def __init__(self, paths: AppPaths, config: AgentConfig) -> None:
        super().__init__()
        self.paths, self.config = paths, config
        self.identity: Authenticator | None = None
        self.key_created = False
        self.setTitle(translate("IdentityPage", "Your agent's identity"))
        layout = QVBoxLayout(self)
        layout.addWidget(wrapped(translate(
            "IdentityPage",
            "Orban Agent lends your GPU to the Orban platform while you do not need it, and "
            "the platform pays for the work. The platform knows this computer by a key that "
            "never leaves it.",
        )))  # fmt: skip
        self.key_status = wrapped("")
        self.agent_id = label("", "agentId")
        self.agent_id.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.key_status)
        layout.addWidget(self.agent_id)
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
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.identity is not None


class PlatformPage(QWizardPage):
    """The local reference platform, or a platform URL."""

    def __init__(self, config: AgentConfig) -> None:
        super().__init__()
        self.setTitle(translate("PlatformPage", "Which platform?"))
        layout = QVBoxLayout(self)
        self.local_choice = QRadioButton(translate(
            "PlatformPage",
            "Try it out with the local reference platform (it runs inside this app; "
            "what you earn there is practice)",
        ))  # fmt: skip
        self.url_choice = QRadioButton(
            translate("PlatformPage", "Connect to a platform at this address:")
        )
        self.url_edit = QLineEdit(placeholderText="wss://platform.example.com")
        self.url_error = wrapped("", "fieldError")
        self.url_error.hide()
        local = normalize_platform_url(config.agent.platform_url) == LOCAL_PLATFORM_URL
        self.local_choice.setChecked(local)
        self.url_choice.setChecked(not local)
        self.url_edit.setText("" if local else config.agent.platform_url)
        self.url_edit.textEdited.connect(lambda _text: self.url_choice.setChecked(True))
        for widget in (self.local_choice, self.url_choice, self.url_edit, self.url_error):
            layout.addWidget(widget)
        layout.addStretch(1)

    def chosen_url(self) -> str:
        return LOCAL_PLATFORM_URL if self.local_choice.isChecked() else self.url_edit.text().strip()

    def validatePage(self) -> bool:
        errors = AgentConfig.validation_errors({"agent": {"platform_url": self.chosen_url()}})
        message = errors.get("agent.platform_url", "")
        self.url_error.setText(message)
        self.url_error.setVisible(bool(message))
        return not message


class GpuPage(QWizardPage):
    """Lists the GPUs found; with none, offers simulated ones for a demo."""

    def __init__(self, detect: Callable[[], list[GPUFacts]]) -> None:
        super().__init__()
        self._detect = detect
        self.detected: list[GPUFacts] | None = None
        self.tasks = BackgroundTasks("first-run GPU detection")
        self.setTitle(translate("GpuPage", "Your GPUs"))
        layout = QVBoxLayout(self)
        self.gpu_text = wrapped(translate("GpuPage", "Looking for GPUs…"))
        self.demo_choice = QCheckBox(
            translate("GpuPage", "Use {count} SIMULATED GPUs for a demo").format(
                count=DEMO_GPU_COUNT
            )
        )
        self.demo_note = wrapped(translate(
            "GpuPage",
            "Simulated GPUs do no real work and earn nothing real; the app marks them "
            "SIMULATED everywhere. Turn them off later with gpu.simulate_gpus = 0 in the "
            "settings file.",
        ), "muted")  # fmt: skip
        for widget in (self.gpu_text, self.demo_choice, self.demo_note):
            layout.addWidget(widget)
        self.demo_choice.hide()
        self.demo_note.hide()
        layout.addStretch(1)

    def initializePage(self) -> None:
        if self.detected is None:
            self.tasks.spawn(self.detect_now(), "detect")

    async def detect_now(self) -> None:
        self.show_detected(await asyncio.to_thread(self._detect))

    def show_detected(self, found: list[GPUFacts]) -> None:
        self.detected = found
        if found:
            lines = [f"GPU {f.index} · {f.name} · {gib_text(f.memory_total_bytes)}" for f in found]
            heading = translate("GpuPage", "Found {count} GPU(s):").format(count=len(found))
            self.gpu_text.setText(heading + "\n" + "\n".join(lines))
        else:
            self.gpu_text.setText(translate(
                "GpuPage",
                "No GPU found on this computer. The agent needs an NVIDIA, AMD or Apple GPU to "
                "take tasks and earn.",
            ))  # fmt: skip
            self.demo_choice.setChecked(True)
        self.demo_choice.setVisible(not found)
        self.demo_note.setVisible(not found)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.detected is not None

    @property
    def wants_demo(self) -> bool:
        return not self.detected and self.demo_choice.isChecked()

"""The platform and GPU pages of the first-run wizard (the identity page has its own module).

:class:`PlatformPage` offers, in this order, the Orban platform, practice on this computer (the
local reference platform) and another address; a bare host name is completed to ``wss://`` and
checked by the settings' own rules, with the problem shown under the field. :class:`GpuPage`
runs GPU detection in a thread and, when nothing is found, says so and offers simulated GPUs,
labelled as such, ticked only when the owner chose practice (never for a real platform).
Imports QtWidgets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QRadioButton, QVBoxLayout, QWizardPage

from orban_desktop.config import (
    LOCAL_PLATFORM_URL,
    PRODUCTION_PLATFORM_URL,
    AgentConfig,
    normalize_platform_url,
)
from orban_desktop.gpu.device import GPUFacts
from orban_desktop.ui.background import BackgroundTasks
from orban_desktop.ui.first_run_identity import load_or_create_identity as load_or_create_identity
from orban_desktop.ui.formatting import gib_text
from orban_desktop.ui.platform_address import complete_platform_url
from orban_desktop.ui.widgets.labels import label

translate = QCoreApplication.translate
DEMO_GPU_COUNT = 4


def wrapped(text: str, name: str = "") -> QLabel:
    return label(text, name, wrap=True)


class PlatformPage(QWizardPage):
    """The Orban platform, practice on this computer, or another platform's address."""

    def __init__(self, config: AgentConfig) -> None:
        super().__init__()
        self.setTitle(translate("PlatformPage", "Which platform?"))
        layout = QVBoxLayout(self)
        self.orban_choice = QRadioButton(translate(
            "PlatformPage", "The Orban platform ({url}): your GPU's work is paid for"
        ).format(url=PRODUCTION_PLATFORM_URL))  # fmt: skip
        self.local_choice = QRadioButton(translate(
            "PlatformPage",
            "Practise on this computer: the local reference platform runs inside this app "
            "(what you earn there is practice)",
        ))  # fmt: skip
        self.url_choice = QRadioButton(
            translate("PlatformPage", "Another platform at this address:")
        )
        self.url_edit = QLineEdit(
            placeholderText=translate("PlatformPage", "platform.example.com or wss://host:port")
        )
        self.url_error = wrapped("", "fieldError")
        self.url_error.hide()
        current = normalize_platform_url(config.agent.platform_url)
        self.orban_choice.setChecked(current == PRODUCTION_PLATFORM_URL)
        self.local_choice.setChecked(current == LOCAL_PLATFORM_URL)
        other = current not in (PRODUCTION_PLATFORM_URL, LOCAL_PLATFORM_URL)
        self.url_choice.setChecked(other)
        self.url_edit.setText(config.agent.platform_url if other else "")
        self.url_edit.textEdited.connect(lambda _text: self.url_choice.setChecked(True))
        for widget in (
            self.orban_choice,
            self.local_choice,
            self.url_choice,
            self.url_edit,
            self.url_error,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)

    @property
    def practice(self) -> bool:
        """Whether the owner chose to practise on the local platform."""
        return self.local_choice.isChecked()

    def chosen_url(self) -> str:
        if self.orban_choice.isChecked():
            return PRODUCTION_PLATFORM_URL
        if self.local_choice.isChecked():
            return LOCAL_PLATFORM_URL
        return complete_platform_url(self.url_edit.text())

    def validatePage(self) -> bool:
        errors = AgentConfig.validation_errors({"agent": {"platform_url": self.chosen_url()}})
        message = errors.get("agent.platform_url", "")
        self.url_error.setText(message)
        self.url_error.setVisible(bool(message))
        return not message


class GpuPage(QWizardPage):
    """Lists the GPUs found; with none, offers simulated ones for a demo."""

    def __init__(self, detect: Callable[[], list[GPUFacts]], practice: Callable[[], bool]) -> None:
        super().__init__()
        self._detect, self._practice = detect, practice
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
            "SIMULATED everywhere. Turn them on or off later in Settings (Simulated GPUs).",
        ), "muted")  # fmt: skip
        for widget in (self.gpu_text, self.demo_choice, self.demo_note):
            layout.addWidget(widget)
        self.demo_choice.hide()
        self.demo_note.hide()
        layout.addStretch(1)

    def initializePage(self) -> None:
        if self.detected is None:
            self.tasks.spawn(self.detect_now(), "detect")
        else:  # back here after another platform choice: tick the demo only for practice
            self.demo_choice.setChecked(self._practice())

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
            self.demo_choice.setChecked(self._practice())
        self.demo_choice.setVisible(not found)
        self.demo_note.setVisible(not found)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.detected is not None

    @property
    def wants_demo(self) -> bool:
        return not self.detected and self.demo_choice.isChecked()

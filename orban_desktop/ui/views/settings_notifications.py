"""The Settings rows for desktop notifications, one switch per kind, and for simulated GPUs.

:class:`NotificationChoices` shows a check box per kind of notification (``ui.notify_*`` in
``config.toml``: tasks done, payouts, a GPU too hot, offline for long, problems that need the
owner). :class:`SimulatedGpuChoice` sets ``gpu.simulate_gpus`` (0: off); when the app was started
with ``--demo`` or ``--simulate-gpus`` the command line decides for this run, so the field shows
the count in use, is locked and says why. Imports QtWidgets.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QCheckBox, QSpinBox, QVBoxLayout, QWidget

from orban_desktop.config import AgentConfig

translate = QCoreApplication.translate
#: ``[ui]`` keys, in the order shown.
NOTIFY_KEYS = (
    "notify_task_done",
    "notify_payout",
    "notify_overheating",
    "notify_offline",
    "notify_problems",
)


def _caption(key: str) -> str:
    return {
        "notify_task_done": translate("SettingsNotifications", "Tasks done"),
        "notify_payout": translate("SettingsNotifications", "Payouts"),
        "notify_overheating": translate("SettingsNotifications", "A GPU too hot"),
        "notify_offline": translate("SettingsNotifications", "Offline for 10 minutes"),
        "notify_problems": translate(
            "SettingsNotifications", "Problems that need you (key rejected, agent stopped)"
        ),
    }[key]


class NotificationChoices(QWidget):
    """One check box per kind of notification."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.checks: dict[str, QCheckBox] = {}
        for key in NOTIFY_KEYS:
            check = QCheckBox(_caption(key))
            column.addWidget(check)
            self.checks[key] = check

    def load(self, config: AgentConfig) -> None:
        for key, check in self.checks.items():
            check.setChecked(bool(getattr(config.ui, key)))

    def write_into(self, ui: dict[str, Any]) -> None:
        for key, check in self.checks.items():
            ui[key] = check.isChecked()


class SimulatedGpuChoice(QSpinBox):
    """``gpu.simulate_gpus``: 0 is "Off"; locked while the command line sets it."""

    def __init__(self, maximum: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(0, maximum)
        self.setSpecialValueText(translate("SettingsNotifications", "Off"))
        self.shown = 0

    def load(self, config: AgentConfig, command_line: int | None) -> None:
        """Show the saved count, or ``command_line``'s (then locked) when the app was started
        with one."""
        self.shown = config.gpu.simulate_gpus if command_line is None else command_line
        self.setValue(self.shown)
        self.setEnabled(command_line is None)
        self.setToolTip(
            ""
            if command_line is None
            else translate(
                "SettingsNotifications",
                "Set by --demo or --simulate-gpus for this run; start without them to use this "
                "setting.",
            )
        )

    def write_into(self, gpu: dict[str, Any]) -> None:
        """Write the count only when the owner changed it (a locked field writes nothing)."""
        if self.isEnabled() and self.value() != self.shown:
            gpu["simulate_gpus"] = self.value()

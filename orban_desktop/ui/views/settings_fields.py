"""The widgets of the Settings form and how they map to keys of ``config.toml``.

:class:`SettingsFields` builds one row per setting (platform URL, GPUs used, simulated GPUs,
reserved VRAM, tasks at once (0: one per usable GPU), temperature limit, allowed hours, pause for
other programs, "only when I'm away", sandbox, start on login, notifications by kind, language,
theme), each with an error label under it keyed by its dotted setting name. :meth:`load` fills
the widgets from a config, :meth:`write_into` writes them into TOML data; a bare host name in
the platform field is completed to ``wss://``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from orban_desktop.config import LOCAL_PLATFORM_URL, AgentConfig, GpuSection, ScheduleSection
from orban_desktop.gpu.device import GPUFacts
from orban_desktop.ui.platform_address import complete_platform_url
from orban_desktop.ui.views.settings_notifications import NotificationChoices, SimulatedGpuChoice
from orban_desktop.ui.widgets.gpu_card import gpu_title
from orban_desktop.ui.widgets.labels import label

translate = QCoreApplication.translate


def model_bounds(model: type[BaseModel], name: str) -> tuple[float, float]:
    """The ``ge``/``gt`` and ``le`` bounds the pydantic model sets on a field."""
    low, high = 0.0, 1e9
    for rule in model.model_fields[name].metadata:
        for attribute in ("ge", "gt"):
            if getattr(rule, attribute, None) is not None:
                low = float(getattr(rule, attribute))
        if getattr(rule, "le", None) is not None:
            high = float(rule.le)
    return low, high


def _choices(box: QComboBox, items: tuple[tuple[str, str], ...]) -> QComboBox:
    for value, text in items:
        box.addItem(text, value)
    return box


def _select(box: QComboBox, value: str) -> None:
    box.setCurrentIndex(max(0, box.findData(value)))


class SettingsFields:
    """The form's widgets, laid out in ``container``."""

    def __init__(self, container: QWidget, gpu_facts: Callable[[], list[GPUFacts]]) -> None:
        self._gpu_facts = gpu_facts
        self.form = QFormLayout(container)
        self.error_labels: dict[str, QLabel] = {}
        url_row = QWidget()
        url_layout = QHBoxLayout(url_row)
        url_layout.setContentsMargins(0, 0, 0, 0)
        self.platform_url = QLineEdit()
        self.platform_url.setPlaceholderText(
            translate("SettingsFields", "platform.example.com or wss://host:port")
        )
        local = QPushButton(translate("SettingsFields", "Use the local platform"))
        local.clicked.connect(lambda: self.platform_url.setText(LOCAL_PLATFORM_URL))
        url_layout.addWidget(self.platform_url, 1)
        url_layout.addWidget(local)
        self._row(translate("SettingsFields", "Platform URL"), "agent.platform_url", url_row)
        self.gpu_box = QWidget()
        self.gpu_layout = QVBoxLayout(self.gpu_box)
        self.gpu_layout.setContentsMargins(0, 0, 0, 0)
        self.gpu_checks: dict[int, QCheckBox] = {}
        self._row(
            translate("SettingsFields", "GPUs used for tasks"),
            "gpu.disabled_gpu_indices",
            self.gpu_box,
        )
        simulated_max = int(model_bounds(GpuSection, "simulate_gpus")[1])
        self.simulated = SimulatedGpuChoice(simulated_max)
        self._row(
            translate("SettingsFields", "Simulated GPUs"), "gpu.simulate_gpus", self.simulated
        )
        self.reserved_vram = QDoubleSpinBox(decimals=1, singleStep=0.5, suffix=" GiB")
        self.reserved_vram.setRange(*model_bounds(GpuSection, "reserved_vram_gb"))
        self._row(
            translate("SettingsFields", "VRAM kept free"),
            "gpu.reserved_vram_gb",
            self.reserved_vram,
        )
        self.max_tasks = QSpinBox()
        self.max_tasks.setRange(0, int(model_bounds(GpuSection, "max_concurrent_tasks")[1]))
        self.max_tasks.setSpecialValueText(translate("SettingsFields", "One per usable GPU"))
        self._row(
            translate("SettingsFields", "Tasks at once"), "gpu.max_concurrent_tasks", self.max_tasks
        )
        self.temperature = QSpinBox(suffix=" °C")
        self.temperature.setRange(
            *(int(b) for b in model_bounds(GpuSection, "temperature_limit_c"))
        )
        self._row(
            translate("SettingsFields", "Pause above"), "gpu.temperature_limit_c", self.temperature
        )
        self.allowed_hours = QLineEdit()
        self.allowed_hours.setPlaceholderText(
            translate("SettingsFields", "Any time. Example: 22:00-07:00, 12:00-13:00")
        )
        self._row(
            translate("SettingsFields", "Allowed hours"),
            "schedule.allowed_hours",
            self.allowed_hours,
        )
        self.pause_foreign = QCheckBox(
            translate("SettingsFields", "Pause while another program (a game) uses the GPU")
        )
        self._row("", "schedule.pause_when_foreign_process", self.pause_foreign)
        self.only_when_away = QCheckBox(
            translate("SettingsFields", "Only when I'm away (no keyboard or mouse input)")
        )
        self._row("", "schedule.only_when_away", self.only_when_away)
        self.away_after = QSpinBox(suffix=translate("SettingsFields", " min"))
        self.away_after.setRange(
            *(int(b) for b in model_bounds(ScheduleSection, "away_after_minutes"))
        )
        self._row(
            translate("SettingsFields", "Away after"),
            "schedule.away_after_minutes",
            self.away_after,
        )
        self.on_return = _choices(
            QComboBox(),
            (
                ("hand_back", translate("SettingsFields", "Hand the task back at once")),
                ("finish", translate("SettingsFields", "Finish the current task")),
            ),
        )
        self._row(
            translate("SettingsFields", "When I'm back"), "schedule.on_return", self.on_return
        )
        self.only_when_away.toggled.connect(self.away_after.setEnabled)
        self.only_when_away.toggled.connect(self.on_return.setEnabled)
        self.sandbox = _choices(
            QComboBox(),
            (
                ("auto", translate("SettingsFields", "Automatic (Docker when available)")),
                ("docker", translate("SettingsFields", "Docker only")),
                ("process", translate("SettingsFields", "Restricted process")),
            ),
        )
        self._row(translate("SettingsFields", "Sandbox"), "sandbox.preference", self.sandbox)
        self.start_on_login = QCheckBox(
            translate("SettingsFields", "Start Orban Agent when I log in")
        )
        self._row("", "ui.start_on_login", self.start_on_login)
        self.notifications = NotificationChoices()
        self._row(translate("SettingsFields", "Notify me about"), "ui.notify", self.notifications)
        self.language = _choices(
            QComboBox(),
            (
                ("auto", translate("SettingsFields", "System language")),
                ("en", "English"),
                ("zh_TW", "繁體中文"),
            ),
        )
        self.language.setToolTip(
            translate("SettingsFields", "Takes effect when the app starts again.")
        )
        self._row(translate("SettingsFields", "Language"), "ui.language", self.language)
        self.theme = _choices(
            QComboBox(),
            (
                ("auto", translate("SettingsFields", "Follow the system")),
                ("light", translate("SettingsFields", "Light")),
                ("dark", translate("SettingsFields", "Dark")),
            ),
        )
        self._row(translate("SettingsFields", "Appearance"), "ui.theme", self.theme)

    def _row(self, caption: str, key: str, widget: QWidget) -> None:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        error = label("", "fieldError")
        error.setWordWrap(True)
        error.hide()
        column.addWidget(error)
        self.error_labels[key] = error
        self.form.addRow(caption, holder)

    def load(self, config: AgentConfig, simulated_by_command_line: int | None = None) -> None:
        """Fill the widgets from ``config`` (``simulated_by_command_line``: the simulated GPUs
        ``--demo``/``--simulate-gpus`` chose for this run, which the field then shows, locked)."""
        self.platform_url.setText(config.agent.platform_url)
        for check in self.gpu_checks.values():
            self.gpu_layout.removeWidget(check)
            check.deleteLater()
        self.gpu_checks = {}
        gpu = config.gpu
        for facts in self._gpu_facts():
            title = gpu_title(facts.index, facts.name)
            if facts.simulated:
                title += " [" + translate("SettingsFields", "SIMULATED") + "]"
            check = QCheckBox(title)
            allowed = gpu.allowed_gpu_indices is None or facts.index in gpu.allowed_gpu_indices
            check.setChecked(allowed and facts.index not in gpu.disabled_gpu_indices)
            self.gpu_layout.addWidget(check)
            self.gpu_checks[facts.index] = check
        self.simulated.load(config, simulated_by_command_line)
        self.reserved_vram.setValue(gpu.reserved_vram_gb)
        self.max_tasks.setValue(gpu.max_concurrent_tasks or 0)
        self.temperature.setValue(gpu.temperature_limit_c)
        self.allowed_hours.setText(", ".join(config.schedule.allowed_hours))
        self.pause_foreign.setChecked(config.schedule.pause_when_foreign_process)
        self.only_when_away.setChecked(config.schedule.only_when_away)
        self.away_after.setValue(config.schedule.away_after_minutes)
        _select(self.on_return, config.schedule.on_return)
        self.away_after.setEnabled(config.schedule.only_when_away)
        self.on_return.setEnabled(config.schedule.only_when_away)
        _select(self.sandbox, config.sandbox.preference)
        self.start_on_login.setChecked(config.ui.start_on_login)
        self.notifications.load(config)
        _select(self.language, config.ui.language)
        _select(self.theme, config.ui.theme)

    def write_into(self, data: dict[str, Any]) -> None:
        """Write the widgets' values into TOML data of our layout (in place)."""
        agent, gpu = data.setdefault("agent", {}), data.setdefault("gpu", {})
        schedule, ui = data.setdefault("schedule", {}), data.setdefault("ui", {})
        agent["platform_url"] = complete_platform_url(self.platform_url.text())
        disabled = set(gpu.get("disabled_gpu_indices", []))
        allowed = gpu.get("allowed_gpu_indices")
        for index, check in self.gpu_checks.items():
            if check.isChecked():
                disabled.discard(index)
                if allowed is not None and index not in allowed:
                    allowed = sorted({*allowed, index})
            else:
                disabled.add(index)
        gpu["disabled_gpu_indices"] = sorted(disabled)
        if allowed is not None:
            gpu["allowed_gpu_indices"] = allowed
        gpu["reserved_vram_gb"] = self.reserved_vram.value()
        self.simulated.write_into(gpu)
        if self.max_tasks.value():
            gpu["max_concurrent_tasks"] = self.max_tasks.value()
        else:  # 0: one per usable GPU (the setting left out)
            gpu.pop("max_concurrent_tasks", None)
        gpu["temperature_limit_c"] = self.temperature.value()
        text = self.allowed_hours.text()
        schedule["allowed_hours"] = [part.strip() for part in text.split(",") if part.strip()]
        schedule["pause_when_foreign_process"] = self.pause_foreign.isChecked()
        schedule["only_when_away"] = self.only_when_away.isChecked()
        schedule["away_after_minutes"] = self.away_after.value()
        schedule["on_return"] = self.on_return.currentData()
        data.setdefault("sandbox", {})["preference"] = self.sandbox.currentData()
        ui["start_on_login"] = self.start_on_login.isChecked()
        self.notifications.write_into(ui)
        ui["language"] = self.language.currentData()
        ui["theme"] = self.theme.currentData()

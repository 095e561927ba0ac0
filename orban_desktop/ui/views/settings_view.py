"""The Settings page: the agent's settings as a form, checked by the pydantic model.

Each field edits one key of ``config.toml``. "Apply" puts the form's values into the saved
settings' data, asks :meth:`AgentConfig.validation_errors` and shows each problem under its
field (list keys like ``schedule.allowed_hours[1]`` go to their field); a valid form is saved and
applied by :class:`~orban_desktop.ui.settings_store.SettingsStore`, and the confirmation says
what the agent did with it (:func:`confirmation`). A theme chosen here repaints at once
(``theme_chosen``); a new language shows after the app restarts (its texts are made once).
Number boxes take their bounds from the model, so the model stays the one place that defines
them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from orban_desktop.config import AgentConfig
from orban_desktop.errors import OrbanError
from orban_desktop.events import SettingsApplied
from orban_desktop.gpu.device import GPUFacts
from orban_desktop.ui.background import BackgroundTasks
from orban_desktop.ui.error_text import error_message
from orban_desktop.ui.settings_store import SettingsStore
from orban_desktop.ui.views.settings_fields import SettingsFields
from orban_desktop.ui.widgets.labels import card_frame, label

translate = QCoreApplication.translate


def error_belongs_to(error_key: str, field_key: str) -> bool:
    """``schedule.allowed_hours[1]`` belongs to the ``schedule.allowed_hours`` field."""
    return error_key == field_key or (
        error_key.startswith(field_key) and error_key[len(field_key)] in ".["
    )


def confirmation(applied: SettingsApplied, language_changed: bool) -> str:
    """What the page says after a save, from what the agent did with the settings."""
    if applied.restarted:
        parts = [translate("SettingsView", "Saved. The agent restarted with the new settings.")]
    elif applied.waiting_for_idle:
        parts = [
            translate(
                "SettingsView",
                "Saved. Sandbox and cache settings apply once the running tasks finish.",
            )
        ]
    else:
        parts = [translate("SettingsView", "Saved and applied.")]
    if applied.next_start:
        parts.append(translate("SettingsView", "Logging settings apply at the next start."))
    if language_changed:
        parts.append(
            translate("SettingsView", "The new language shows when you restart Orban Agent.")
        )
    return " ".join(parts)


class SettingsView(QScrollArea):
    """The settings form with Apply and Revert."""

    theme_chosen = Signal(str)

    def __init__(
        self,
        store: SettingsStore,
        gpu_facts: Callable[[], list[GPUFacts]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.tasks = BackgroundTasks("settings view")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        page = QWidget()
        self.setWidget(page)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(label(translate("SettingsView", "Settings"), "pageTitle"))
        card = card_frame()
        self.fields = SettingsFields(card, gpu_facts)
        layout.addWidget(card)
        self.general_error = label("", "fieldError")
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        layout.addWidget(self.general_error)
        buttons = QHBoxLayout()
        self.status = label("", "muted")
        self.status.setWordWrap(True)
        buttons.addWidget(self.status, 1)
        self.revert_button = QPushButton(translate("SettingsView", "Revert"))
        self.revert_button.clicked.connect(self.load)
        self.apply_button = QPushButton(translate("SettingsView", "Apply"))
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self.apply)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.apply_button)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.load()

    def load(self) -> None:
        """Show the saved settings (dropping unsaved edits)."""
        self.fields.load(self.store.config, self.store.host.simulate_gpus)
        self.show_errors({})
        self.status.clear()

    def form_data(self) -> dict[str, Any]:
        data = self.store.config.to_toml_data()
        self.fields.write_into(data)
        return data

    def show_errors(self, errors: dict[str, str]) -> None:
        """Show each message under its field; ones no field owns go below the form."""
        unclaimed = dict(errors)
        for key, error_label in self.fields.error_labels.items():
            mine = [m for k, m in errors.items() if error_belongs_to(k, key)]
            for k in [k for k in unclaimed if error_belongs_to(k, key)]:
                del unclaimed[k]
            error_label.setText("\n".join(mine))
            error_label.setVisible(bool(mine))
        self.general_error.setText("\n".join(f"{k}: {m}" for k, m in unclaimed.items()))
        self.general_error.setVisible(bool(unclaimed))

    def apply(self) -> bool:
        """Validate the form; save and apply it when valid. Returns whether it was valid."""
        data = self.form_data()
        errors = AgentConfig.validation_errors(data)
        self.show_errors(errors)
        if errors:
            self.status.setText(
                translate("SettingsView", "Not saved: fix the fields marked in red.")
            )
            return False
        config = AgentConfig.from_toml_data(data)
        self.theme_chosen.emit(config.ui.theme)
        self.apply_button.setEnabled(False)
        self.status.setText(translate("SettingsView", "Saving…"))
        self.tasks.spawn(self._save(config), "save settings")
        return True

    async def _save(self, config: AgentConfig) -> None:
        language_changed = config.ui.language != self.store.config.ui.language
        try:
            applied = await self.store.save_and_apply(config)
        except (OrbanError, OSError) as exc:
            message = error_message(exc) if isinstance(exc, OrbanError) else str(exc)
            self.status.setText(
                translate("SettingsView", "Not saved: {error}").format(error=message)
            )
            return
        finally:
            self.apply_button.setEnabled(True)
        self.status.setText(confirmation(applied, language_changed))

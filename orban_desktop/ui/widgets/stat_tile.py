"""A card with a big figure and a caption (today's earnings, pending, ...). Imports QtWidgets."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from orban_desktop.ui.widgets.labels import label


class StatTile(QFrame):
    """``caption`` above ``value``; :meth:`set_value` changes the figure."""

    def __init__(self, caption: str, value: str = "–", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        self.caption = label(caption, "tileLabel")
        self.value = label(value, "tileValue")
        layout.addWidget(self.caption)
        layout.addWidget(self.value)

    def set_value(self, text: str) -> None:
        self.value.setText(text)

"""Named labels and cards: the style sheet styles widgets by object name. Imports QtWidgets."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel


def label(text: str = "", name: str = "", *, wrap: bool = False) -> QLabel:
    """A label the style sheet knows as ``name`` (``headline``, ``muted``, ``fieldError``...)."""
    widget = QLabel(text)
    if name:
        widget.setObjectName(name)
    widget.setWordWrap(wrap)
    return widget


def card_frame() -> QFrame:
    """A rounded, bordered panel (object name ``card``)."""
    frame = QFrame()
    frame.setObjectName("card")
    return frame

"""Light and dark palettes and the small style sheet the widgets share.

:func:`apply_theme` sets the Fusion style, a palette (``"light"``, ``"dark"`` or ``"auto"``, which
follows the desktop's colour scheme) and a style sheet keyed on object names (``card``,
``headline``, ``fieldError``, ``simulatedBadge`` ...). It returns a :class:`Theme` whose colours
the charts use, since pyqtgraph does not read the palette. Imports QtGui and QtWidgets.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory


@dataclass(frozen=True)
class Theme:
    """Colours of one palette, for what the style sheet cannot reach (charts, sparklines)."""

    dark: bool
    background: str
    card: str
    text: str
    muted: str
    grid: str
    accent: str
    good: str
    warn: str
    bad: str
    series: tuple[str, ...]


LIGHT = Theme(
    dark=False, background="#f4f5f7", card="#ffffff", text="#1d2129", muted="#5f6673",
    grid="#d9dce1", accent="#3b6fd8", good="#2e9d5b", warn="#c7820f", bad="#d23f3f",
    series=("#3b6fd8", "#8e44ad", "#d2552b", "#c7820f", "#16a085"),
)  # fmt: skip
DARK = Theme(
    dark=True, background="#1e2026", card="#272a31", text="#e6e8eb", muted="#9aa1ad",
    grid="#3a3e47", accent="#6b9bff", good="#4cc37e", warn="#e8a93a", bad="#f06464",
    series=("#6b9bff", "#c58af0", "#ff8a5c", "#e8a93a", "#4fd1b5"),
)  # fmt: skip

_STYLE = """
QFrame#card {{ background: {card}; border: 1px solid {grid}; border-radius: 8px; }}
QLabel#headline {{ font-size: 17pt; font-weight: 600; }}
QLabel#pageTitle {{ font-size: 15pt; font-weight: 600; }}
QLabel#agentId {{ font-size: 12pt; font-weight: 600; }}
QLabel#muted, QLabel#advice {{ color: {muted}; }}
QLabel#tileValue {{ font-size: 16pt; font-weight: 600; }}
QLabel#tileLabel {{ color: {muted}; }}
QLabel#fieldError {{ color: {bad}; }}
QLabel#realWorkMissing {{ color: {warn}; }}
QLabel#simulatedBadge {{ background: {warn}; color: white; border-radius: 4px;
    padding: 1px 6px; font-weight: 600; }}
QListWidget#nav {{ background: {card}; border: none; border-right: 1px solid {grid};
    font-size: 11pt; outline: 0; }}
QPushButton {{ padding: 4px 12px; }}
QListWidget#nav::item {{ padding: 9px 14px; }}
QListWidget#nav::item:selected {{ background: {accent}; color: white; }}
"""


def _palette(theme: Theme) -> QPalette:
    palette = QPalette()
    role = QPalette.ColorRole
    window, base, text = QColor(theme.background), QColor(theme.card), QColor(theme.text)
    for group_role, colour in (
        (role.Window, window),
        (role.Base, base),
        (role.AlternateBase, window),
        (role.Button, base),
        (role.Text, text),
        (role.WindowText, text),
        (role.ButtonText, text),
        (role.ToolTipBase, base),
        (role.ToolTipText, text),
        (role.PlaceholderText, QColor(theme.muted)),
        (role.Highlight, QColor(theme.accent)),
        (role.HighlightedText, QColor("white")),
        (role.Link, QColor(theme.accent)),
        (role.Mid, QColor(theme.grid)),
    ):
        palette.setColor(group_role, colour)
    muted = QColor(theme.muted)
    for disabled_role in (role.Text, role.WindowText, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, disabled_role, muted)
    return palette


def wants_dark(choice: str, app: QApplication) -> bool:
    """Whether ``choice`` (``"auto"``, ``"light"``, ``"dark"``) means the dark palette."""
    if choice in ("light", "dark"):
        return choice == "dark"
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, choice: str) -> Theme:
    """Style ``app`` with the palette ``choice`` names; returns its colours."""
    theme = DARK if wants_dark(choice, app) else LIGHT
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        app.setStyle(fusion)
    app.setPalette(_palette(theme))
    app.setStyleSheet(_STYLE.format(**vars(theme)))
    return theme

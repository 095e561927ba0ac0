"""Traditional Chinese: every visible string is translated, the compiled file is current, and
the widgets speak it once the translator is installed."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from pytestqt.qtbot import QtBot

from orban_desktop.gpu.device import GPUStatus
from orban_desktop.protocol.enums import GPUVendor
from orban_desktop.ui import i18n
from orban_desktop.ui.bridge import EventBridge
from orban_desktop.ui.task_model import TaskBoard
from orban_desktop.ui.views.tasks_view import TasksView
from orban_desktop.ui.widgets.gpu_card import GpuCard

TS_FILE = i18n.I18N_DIR / "orban_zh_TW.ts"
BIN = Path(sys.executable).parent
UI_SOURCES = [*sorted(i18n.I18N_DIR.parent.rglob("*.py")), i18n.I18N_DIR.parents[1] / "app.py"]


def messages(path: Path) -> dict[tuple[str, str], str | None]:
    """``{(context, source): translation or None when unfinished}``."""
    found: dict[tuple[str, str], str | None] = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            text = None
            if translation is not None and translation.get("type") is None:
                text = translation.text or None
            found[(name, message.findtext("source", ""))] = text
    return found


def test_every_string_is_translated() -> None:
    untranslated = [key for key, text in messages(TS_FILE).items() if not text]
    assert untranslated == []


def test_the_translation_source_lists_every_string_in_the_code(tmp_path: Path) -> None:
    lupdate = shutil.which("pyside6-lupdate", path=str(BIN))
    if lupdate is None:
        pytest.skip("pyside6-lupdate is not installed")
    fresh = tmp_path / "fresh.ts"
    shutil.copy(TS_FILE, fresh)
    args = [lupdate, *map(str, UI_SOURCES), "-ts", str(fresh), "-no-obsolete", "-locations", "none"]
    subprocess.run(args, check=True, capture_output=True)
    assert set(messages(fresh)) == set(messages(TS_FILE))


def test_the_compiled_translation_is_current(tmp_path: Path) -> None:
    lrelease = shutil.which("pyside6-lrelease", path=str(BIN))
    if lrelease is None:
        pytest.skip("pyside6-lrelease is not installed")
    compiled = tmp_path / "fresh.qm"
    subprocess.run([lrelease, str(TS_FILE), "-qm", str(compiled)], check=True, capture_output=True)
    assert compiled.read_bytes() == i18n.translation_file("zh_TW").read_bytes()


@pytest.mark.parametrize(
    ("setting", "locale", "expected"),
    [
        ("auto", "zh_TW", "zh_TW"),
        ("auto", "zh_HK", "zh_TW"),
        ("auto", "zh_CN", "en"),
        ("auto", "de_DE", "en"),
        ("en", "zh_TW", "en"),
        ("zh_TW", "en_US", "zh_TW"),
    ],
)
def test_language_choice(setting: str, locale: str, expected: str) -> None:
    assert i18n.pick_language(setting, QLocale(locale)) == expected


def test_widgets_speak_traditional_chinese(qtbot: QtBot, chinese: None) -> None:
    status = GPUStatus(0, None, "Simulated RTX", GPUVendor.NVIDIA, True, utilization_pct=None)
    card = GpuCard(status, colour="#3b6fd8")
    qtbot.addWidget(card)
    assert card.badge.text() == "模擬"
    assert card.readings["utilization"].text() == "未回報"
    tasks = TasksView(TaskBoard(EventBridge()))
    qtbot.addWidget(tasks)
    header = tasks.table.horizontalHeaderItem
    headers = [item.text() for c in range(3) if (item := header(c)) is not None]
    assert headers == ["任務", "開始時間", "執行於"]

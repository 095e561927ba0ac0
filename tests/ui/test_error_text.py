"""The core's errors in the user's language: every reason the core raises is worded, in English
and in Traditional Chinese, with its parameters filled in; anything else keeps its English."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

import orban_desktop
from orban_desktop.config import AgentConfig
from orban_desktop.errors import (
    ConfigError,
    DownloadFailed,
    KeyFileError,
    OrbanError,
    error_details,
)
from orban_desktop.protocol.keyfile import read_secret_key
from orban_desktop.ui.error_text import (
    details_text,
    error_message,
    error_title,
    known_reasons,
)

CORE = Path(orban_desktop.__file__).resolve().parent
CJK = re.compile(r"[\u4e00-\u9fff]")


def _reasons_raised_by_the_core() -> set[str]:
    found: set[str] = set()
    for path in CORE.rglob("*.py"):
        if "ui" in path.relative_to(CORE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    value = keyword.value
                    is_text = isinstance(value, ast.Constant) and isinstance(value.value, str)
                    if keyword.arg == "reason" and is_text:
                        found.add(str(getattr(value, "value", "")))
    return found


def _strings_in_the_core() -> set[str]:
    found: set[str] = set()
    for path in CORE.rglob("*.py"):
        if "ui" not in path.relative_to(CORE).parts:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    found.add(node.value)
    return found


def test_every_reason_the_core_raises_is_worded_and_none_is_dead() -> None:
    assert _reasons_raised_by_the_core() - known_reasons() == set()
    assert known_reasons() - _strings_in_the_core() == set()  # tables of reasons count too


def _missing_key(tmp_path: Path) -> KeyFileError:
    with pytest.raises(KeyFileError) as caught:
        read_secret_key(tmp_path / "agent.key")
    return caught.value


def test_english_words_a_missing_key_with_its_path(qapp: QApplication, tmp_path: Path) -> None:
    error = _missing_key(tmp_path)
    text = error_message(error)
    assert str(tmp_path / "agent.key") in text
    assert "orban-agent keygen" in text
    assert error_title(error) == "Identity key problem"


def test_chinese_words_a_missing_key(chinese: None, tmp_path: Path) -> None:
    error = _missing_key(tmp_path)
    text = error_message(error)
    assert CJK.search(text), text
    assert str(tmp_path / "agent.key") in text
    assert CJK.search(error_title(error))


def test_chinese_words_a_bad_settings_file(chinese: None, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[gpu\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        AgentConfig.load(path)
    assert CJK.search(error_message(caught.value))
    assert str(path) in error_message(caught.value)


def test_an_error_without_a_reason_keeps_its_english_under_a_translated_title(
    chinese: None,
) -> None:
    error = DownloadFailed("The model server answered 503.")
    assert error_message(error) == "The model server answered 503."
    assert CJK.search(error_title(error))  # DownloadFailed is a TaskError


def test_a_missing_parameter_falls_back_to_english(qapp: QApplication) -> None:
    error = KeyFileError("No key at /x.", reason="key_missing")  # no path in its context
    assert error_message(error) == "No key at /x."


def test_an_error_sent_as_data_is_worded_the_same(chinese: None, tmp_path: Path) -> None:
    error = _missing_key(tmp_path)
    title, message = details_text(error_details(error))
    assert (title, message) == (error_title(error), error_message(error))
    assert details_text(error_details(ValueError("boom")))[1] == "boom"
    assert isinstance(error, OrbanError)

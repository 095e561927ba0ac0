"""The Logs page's level filter, and the words and icons for the agent's states."""

from __future__ import annotations

import logging
from collections import deque
from pathlib import Path

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from orban_desktop.events import (
    ConnectionState,
    ConnectionStateChanged,
    EventBus,
    LogRecorded,
    PauseChanged,
    PauseReason,
)
from orban_desktop.ui.bridge import EventBridge
from orban_desktop.ui.formatting import money_text, percent_text
from orban_desktop.ui.icons import state_icon
from orban_desktop.ui.status_model import AgentStatusModel, DisplayState
from orban_desktop.ui.views.logs_view import LogsView
from orban_desktop.ui.wording import advice, headline


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_logs_page_shows_live_lines_at_the_chosen_level(qtbot: QtBot, tmp_path: Path) -> None:
    bus = EventBus()
    bridge = EventBridge()
    bridge.attach(bus)
    kept: deque[LogRecorded] = deque(maxlen=100)
    bridge.log_recorded.connect(kept.append)
    bus.publish(LogRecorded(logging.INFO, "orban.test", "before the page was opened", 0.0))
    view = LogsView(bridge, kept, tmp_path / "agent.log")
    qtbot.addWidget(view)
    view.show()
    assert "before the page was opened" in view.text.toPlainText()
    bus.publish(LogRecorded(logging.INFO, "orban.test", "connected to the platform", 0.0))
    bus.publish(LogRecorded(logging.WARNING, "orban.test", "GPU 0 is hot", 1.0))
    bus.publish(LogRecorded(logging.DEBUG, "orban.test", "frame details", 2.0))
    assert "GPU 0 is hot" not in view.text.toPlainText()  # a burst waits for the next frame
    qtbot.waitUntil(lambda: "GPU 0 is hot" in view.text.toPlainText())
    text = view.text.toPlainText()
    assert "connected to the platform" in text and "GPU 0 is hot" in text
    assert "frame details" not in text
    view.level.setCurrentIndex(view.level.findData(logging.WARNING))
    assert view.text.toPlainText().count("\n") == 0
    assert "GPU 0 is hot" in view.text.toPlainText()
    bridge.detach()
    bus.publish(LogRecorded(logging.ERROR, "orban.test", "after detach", 3.0))
    assert "after detach" not in view.text.toPlainText()


def test_long_log_lines_wrap_inside_the_page(qtbot: QtBot, tmp_path: Path) -> None:
    bus = EventBus()
    bridge = EventBridge()
    bridge.attach(bus)
    kept: deque[LogRecorded] = deque(maxlen=100)
    bridge.log_recorded.connect(kept.append)
    view = LogsView(bridge, kept, tmp_path / "agent.log")
    qtbot.addWidget(view)
    view.resize(480, 400)
    view.show()
    long_words = "Docker cannot run tasks here, so they run in the process sandbox " * 6
    digest = "sha256:" + "0123456789abcdef" * 8  # one word longer than the page
    bus.publish(LogRecorded(logging.WARNING, "orban.test", long_words + digest, 0.0))
    view.frames.flush()
    block = view.text.document().firstBlock()
    assert block.layout().lineCount() > 3  # wrapped onto several lines
    assert view.text.horizontalScrollBar().maximum() == 0  # nothing to scroll sideways
    bridge.detach()


def test_states_in_words_with_a_live_countdown(qtbot: QtBot) -> None:
    bridge, clock = EventBridge(), Clock()
    model = AgentStatusModel(bridge, agent_id="agent-abc", clock=clock)
    bridge.connection_changed.emit(ConnectionStateChanged(ConnectionState.SERVING))
    assert (headline(model), model.display_state) == ("Connected", DisplayState.ACTIVE)
    bridge.pause_changed.emit(PauseChanged(frozenset({PauseReason.USER, PauseReason.TOO_HOT})))
    bridge.connection_changed.emit(ConnectionStateChanged(ConnectionState.PAUSED))
    assert headline(model) == "Paused: a GPU is too hot, you paused contribution"
    assert model.display_state is DisplayState.PAUSED
    bridge.connection_changed.emit(
        ConnectionStateChanged(ConnectionState.OFFLINE, "retrying", retry_in_s=8.0)
    )
    assert headline(model) == "Offline: retrying in 8 s"
    clock.now += 3
    assert (headline(model), model.display_state) == (
        "Offline: retrying in 5 s",
        DisplayState.OFFLINE,
    )
    assert model.offline_for_s() == 3
    bridge.connection_changed.emit(
        ConnectionStateChanged(ConnectionState.AUTH_REJECTED, "auth_failed")
    )
    rejected = (headline(model), model.display_state)
    assert rejected == ("Key rejected: see below for what to do", DisplayState.ERROR)
    assert "agent-abc" in advice(model) and "Retry now" in advice(model)


def test_each_state_has_its_own_icon(qtbot: QtBot) -> None:
    images = {
        state: state_icon(state)
        .pixmap(32, 32)
        .toImage()
        .convertToFormat(QImage.Format.Format_ARGB32)
        for state in DisplayState
    }
    raw = {state: bytes(image.constBits()) for state, image in images.items()}
    assert len(set(raw.values())) == len(DisplayState)


def test_amounts_are_exact_and_missing_readings_are_named() -> None:
    assert money_text(104_000) == "$0.104"
    assert money_text(1_000_000) == "$1.00"
    assert money_text(1_234_567_891) == "$1,234.567891"
    assert money_text(-50) == "-$0.00005"
    assert percent_text(None) == "not reported"
    assert percent_text(0.0) == "0 %"

"""Views stay bounded and idle off screen: the Tasks board keeps the last N finished tasks, the
Logs page at most the lines the dashboard keeps, and the charts, cards and log lines draw
nothing while hidden, then catch up when shown; a burst of samples is one redraw."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import deque
from pathlib import Path

import pytest
from PySide6.QtWidgets import QProgressBar
from pytestqt.qtbot import QtBot

from orban_desktop.events import EventBus, GpuSampled, LogRecorded, TaskFinished, TaskProgressed
from orban_desktop.ui import dashboard as dashboard_module
from orban_desktop.ui.bridge import EventBridge
from orban_desktop.ui.formatting import percent_text
from orban_desktop.ui.main_window import MainWindow
from orban_desktop.ui.task_model import TaskBoard
from orban_desktop.ui.views import logs_view
from orban_desktop.ui.views.gpus_view import GpusView
from orban_desktop.ui.views.logs_view import LogsView
from orban_desktop.ui.views.overview_view import OverviewView
from orban_desktop.ui.views.tasks_view import TasksView
from orban_desktop.ui.widgets.task_list import RunningTaskList
from tests.ui.conftest import RunningAgent
from tests.ui.waiting import wait_until


def test_the_task_board_keeps_only_the_last_finished_tasks(qtbot: QtBot) -> None:
    bridge = EventBridge()
    board = TaskBoard(bridge, max_recent=5)
    view = TasksView(board)
    qtbot.addWidget(view)
    view.show()
    bridge.task_progressed.emit(TaskProgressed("running-1", "running", 0.5, gpu_index=0))
    for number in range(40):
        bridge.task_finished.emit(TaskFinished(f"done-{number}", succeeded=True))
    assert [row.task_id for row in board.recent()] == [f"done-{n}" for n in range(39, 34, -1)]
    assert [row.task_id for row in board.running()] == ["running-1"]
    assert board.completed_count == 40  # the count goes on; the rows do not
    view.frames.flush()
    assert view.table.rowCount() == 6


def test_the_running_list_reuses_its_rows_as_tasks_come_and_go(qtbot: QtBot) -> None:
    bridge = EventBridge()
    board = TaskBoard(bridge)
    tasks = RunningTaskList(board)
    qtbot.addWidget(tasks)
    tasks.show()
    for number in range(30):  # two at a time, as two task slots run them
        for task_id in (f"a-{number}", f"b-{number}"):
            bridge.task_progressed.emit(TaskProgressed(task_id, "running", 0.5, gpu_index=0))
        tasks.frames.flush()
        shown = [line.text.text() for line in tasks.lines if line.isVisible()]
        assert [text.split(" · ")[0] for text in shown] == [f"a-{number}", f"b-{number}"]
        bridge.task_finished.emit(TaskFinished(f"a-{number}", succeeded=True))
        tasks.frames.flush()
        assert [line.isVisible() for line in tasks.lines] == [True, False]
        bridge.task_finished.emit(TaskFinished(f"b-{number}", succeeded=True))
    tasks.frames.flush()
    assert len(tasks.findChildren(QProgressBar)) == 2  # made once, not per task
    assert not any(line.isVisible() for line in tasks.lines)
    assert tasks.empty.isVisible()


def test_the_dashboard_keeps_a_ring_of_log_lines() -> None:
    assert dashboard_module.LOG_LINES <= 5000


def test_the_logs_page_holds_at_most_the_kept_lines_and_formats_nothing_hidden(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    formatted: list[str] = []

    def counting_line(event: LogRecorded) -> str:
        formatted.append(event.message)
        return f"line {event.message}"

    monkeypatch.setattr(logs_view, "log_line", counting_line)
    bus, bridge = EventBus(), EventBridge()
    bridge.attach(bus)
    kept: deque[LogRecorded] = deque(maxlen=50)
    bridge.log_recorded.connect(kept.append)
    view = LogsView(bridge, kept, tmp_path / "agent.log")
    qtbot.addWidget(view)
    for number in range(200):  # the page was never shown: nothing is worded
        bus.publish(LogRecorded(logging.INFO, "orban.test", str(number), 0.0))
    assert formatted == []
    view.show()  # shown: it catches up with what is kept, and no more
    assert view.text.blockCount() == 50
    assert view.text.toPlainText().splitlines()[-1] == "line 199"
    for number in range(200, 400):
        bus.publish(LogRecorded(logging.INFO, "orban.test", str(number), 0.0))
    view.frames.flush()
    assert view.text.blockCount() <= 50
    assert view.text.toPlainText().splitlines()[-1] == "line 399"
    bridge.detach()


def _window(qtbot: QtBot, dashboard: dashboard_module.Dashboard, page: str) -> MainWindow:
    window = MainWindow(dashboard, close_to_tray=False)
    qtbot.addWidget(window)
    window.show()
    window.show_page(page)
    return window


def _sample_with(dashboard: dashboard_module.Dashboard, utilization: float) -> GpuSampled:
    latest = dashboard.gpu_ring.latest()
    return GpuSampled((dataclasses.replace(latest[0], utilization_pct=utilization), *latest[1:]))


async def test_a_hidden_chart_does_not_redraw_and_catches_up_when_shown(
    qtbot: QtBot, running_agent: RunningAgent
) -> None:
    async with running_agent() as dashboard:
        window = _window(qtbot, dashboard, "gpus")
        view = window.page("gpus")
        assert isinstance(view, GpusView)
        await wait_until(lambda: len(dashboard.gpu_ring.latest()) == 2, "a first sample")
        window.show_page("tasks")
        hidden_draws = view.charts.draw_count

        def drawn_utilization() -> list[float]:
            _x, y = view.charts.curves["utilization"].getOriginalDataset()
            return [] if y is None else [float(v) for v in y]

        for utilization in (11.0, 22.0, 33.0):
            dashboard.host.bus.publish(_sample_with(dashboard, utilization))
        await asyncio.sleep(0.2)
        assert view.charts.draw_count == hidden_draws
        window.show_page("gpus")
        assert view.charts.draw_count == hidden_draws + 1  # caught up at once
        assert {11.0, 22.0, 33.0} <= set(drawn_utilization())  # the agent's own may follow
        shown_draws = view.charts.draw_count
        burst = (44.0, 55.0, 66.0, 77.0, 88.0)
        real_samples: list[GpuSampled] = []  # the agent's own, which may come in between
        dashboard.bridge.gpu_sampled.connect(
            lambda e: real_samples.append(e) if e.statuses[0].utilization_pct not in burst else None
        )
        for utilization in burst:  # a burst: one frame
            dashboard.host.bus.publish(_sample_with(dashboard, utilization))

        await wait_until(lambda: 88.0 in drawn_utilization(), "the burst drawn")
        assert set(burst) <= set(drawn_utilization())
        assert view.charts.draw_count - shown_draws <= 1 + len(real_samples)


async def test_overview_cards_draw_nothing_while_hidden_and_catch_up(
    qtbot: QtBot, running_agent: RunningAgent
) -> None:
    async with running_agent() as dashboard:
        window = _window(qtbot, dashboard, "overview")
        overview = window.page("overview")
        assert isinstance(overview, OverviewView)
        await wait_until(lambda: len(overview.cards) == 2, "a card per GPU")
        await wait_until(lambda: overview.frames.draws >= 1, "a first frame")
        card = overview.cards[0]
        window.hide()
        paints, frames = card.sparkline.paint_count, overview.frames.draws
        dashboard.host.bus.publish(_sample_with(dashboard, 12.5))
        await asyncio.sleep(0.2)
        assert overview.frames.draws == frames
        assert card.sparkline.paint_count == paints
        assert card.readings["utilization"].text() != "12.5 %"  # not worded while hidden
        window.show()
        assert overview.frames.draws == frames + 1
        assert 12.5 in card.sparkline.values  # the agent's own sample may have come after it
        newest = dashboard.gpu_ring.latest()[0].utilization_pct
        assert card.readings["utilization"].text() == percent_text(newest)

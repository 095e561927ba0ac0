"""Tasks and Earnings pages over real work: tasks run on the local platform and get paid."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from orban_desktop.ui.dashboard import Dashboard
from orban_desktop.ui.views.earnings_view import EarningsView
from orban_desktop.ui.views.tasks_view import TasksView
from tests.ui.conftest import RunningAgent
from tests.ui.waiting import wait_until


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return "" if item is None else item.text()


def done_and_paid(dashboard: Dashboard) -> bool:
    rows = dashboard.board.recent()
    return any(row.succeeded and row.earned_micros for row in rows)


async def test_tasks_and_earnings_pages_over_real_work(
    qtbot: QtBot, running_agent: RunningAgent, tmp_path: Path
) -> None:
    async with running_agent() as dashboard:
        await check_tasks_page(qtbot, dashboard)
        await check_earnings_page(qtbot, dashboard, tmp_path)
        await wait_until(lambda: dashboard.earnings.today_micros > 0, "today's earnings to show")


async def check_tasks_page(qtbot: QtBot, dashboard: Dashboard) -> None:
    view = TasksView(dashboard.board)
    qtbot.addWidget(view)
    view.show()
    await wait_until(lambda: done_and_paid(dashboard), "a task done and its earning recorded")
    view.redraw()
    columns = (0, 3, 6, 7, 1)  # task, stage, earned, result, started
    texts = [[cell(view.table, r, c) for c in columns] for r in range(view.table.rowCount())]
    done = [row for row in texts if row[3] == "Done"]
    assert done, texts
    assert any(row[2].startswith("$") for row in done)
    assert all(row[1] == "Completed" for row in done)
    assert all(re.fullmatch(r"\d\d:\d\d:\d\d", row[4]) for row in texts), texts  # start times
    assert "done" in view.summary.text()


async def check_earnings_page(qtbot: QtBot, dashboard: Dashboard, tmp_path: Path) -> None:
    await wait_until(lambda: done_and_paid(dashboard), "an earning recorded")
    view = EarningsView(dashboard.host, dashboard.bridge, dashboard.theme)
    qtbot.addWidget(view)
    view.show()
    await view.tasks.wait_idle()
    assert view.summary is not None and view.summary.history_count >= 1
    assert view.tiles["today"].value.text().startswith("$")
    assert view.tiles["today"].value.text() != "$0.00"
    assert view.history.rowCount() >= 1
    assert cell(view.history, 0, 3).startswith("$")  # Amount
    assert "GPU h ×" in cell(view.history, 0, 4)  # how it was made
    assert view.chart.days and view.chart.days[-1].amount_micros > 0
    assert view.page_label.text().startswith("Page 1 of 1")

    target = tmp_path / "earnings.csv"
    rows = await view.export_to(target)
    with target.open(newline="", encoding="utf-8") as handle:
        records = list(csv.reader(handle))
    assert rows >= 1 and len(records) == rows + 1
    assert str(target) in view.status.text()

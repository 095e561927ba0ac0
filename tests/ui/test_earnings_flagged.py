"""The Earnings page over a real ledger with records kept apart: the "Not counted" section."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from orban_desktop.earnings import AsyncEarningsLedger, EarningEntry, EarningFlag, FlaggedSummary
from orban_desktop.earnings.net import PriceCheck, usable_price
from orban_desktop.money import Money
from orban_desktop.protocol.enums import EarningStatus
from orban_desktop.ui.bridge import EventBridge
from orban_desktop.ui.theme import LIGHT
from orban_desktop.ui.views.earnings_not_counted import NotCountedSection
from orban_desktop.ui.views.earnings_view import EarningsView

if TYPE_CHECKING:
    from orban_desktop.agent.host import AgentHost

NOW = datetime.now(UTC)


def entry(
    task_id: str, amount: str, minutes_ago: int, flag: EarningFlag | None = None
) -> EarningEntry:
    return EarningEntry(
        record_id=task_id,
        task_id=task_id,
        amount=Money.parse(amount),
        gpu_hours=0.5,
        rate_per_hour=Money.parse("1.25"),
        status=EarningStatus.CONFIRMED,
        recorded_at=NOW - timedelta(minutes=minutes_ago),
        gpu_index=0,
        flag=flag,
    )


class LedgerHost:
    """What the Earnings page reads of the agent host: that it runs, and its ledger."""

    running = True

    def __init__(self, ledger: AsyncEarningsLedger) -> None:
        self._ledger = ledger

    def earnings(self) -> AsyncEarningsLedger:
        return self._ledger

    def electricity_price(self, currency: str) -> PriceCheck:
        return usable_price("0", "USD", currency)


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return "" if item is None else item.text()


@contextlib.asynccontextmanager
async def open_ledger(tmp_path: Path) -> AsyncIterator[AsyncEarningsLedger]:
    """A real ledger file, opened inside the test (see the conftest: no async fixtures)."""
    async with await AsyncEarningsLedger.open(tmp_path / "earnings.sqlite3") as opened:
        yield opened


async def shown_view(qtbot: QtBot, ledger: AsyncEarningsLedger) -> EarningsView:
    host = cast("AgentHost", LedgerHost(ledger))
    view = EarningsView(host, EventBridge(), LIGHT)
    qtbot.addWidget(view)
    view.resize(1100, 900)
    view.show()
    await view.tasks.wait_idle()
    return view


async def test_flagged_records_are_listed_apart_and_not_in_the_tiles(
    qtbot: QtBot, tmp_path: Path
) -> None:
    async with open_ledger(tmp_path) as ledger:
        await ledger.record_earnings(entry("task-ours", "0.625", 3))
        await ledger.record_earnings(entry("task-stranger", "1.00", 2, EarningFlag.NOT_OUR_TASK))
        await ledger.record_earnings(entry("task-minus", "-2.50", 1))
        view = await shown_view(qtbot, ledger)

    assert view.tiles["earned"].value.text() == "$0.625"
    assert view.tiles["today"].value.text() == "$0.625"
    section = view.not_counted
    assert section.isVisible()
    assert section.title.text() == "Not counted · 2 records · -$1.50"
    assert "not in your totals" in section.explanation.text()
    table = section.table
    assert table.rowCount() == 2
    assert [cell(table, r, 1) for r in range(2)] == ["task-minus", "task-stranger"]
    assert [cell(table, r, 2) for r in range(2)] == ["-$2.50", "$1.00"]
    assert [cell(table, r, 4) for r in range(2)] == [
        "a negative amount",
        "not from a task of this agent",
    ]
    history = view.history
    assert history.rowCount() == 3  # the history keeps every record, and says which not counted
    assert [cell(history, r, 9) for r in range(3)] == [  # the Note column
        "Not counted: a negative amount",
        "Not counted: not from a task of this agent",
        "",
    ]
    assert view.page_label.text().startswith("Page 1 of 1 · 3 records")


async def test_the_section_stays_hidden_while_everything_counts(
    qtbot: QtBot, tmp_path: Path
) -> None:
    async with open_ledger(tmp_path) as ledger:
        await ledger.record_earnings(entry("task-ours", "0.625", 3))
        view = await shown_view(qtbot, ledger)
        assert not view.not_counted.isVisible()
        assert view.not_counted.table.rowCount() == 0
        await ledger.record_earnings(entry("task-big", "900", 0, EarningFlag.OUT_OF_RANGE))
        view.reload()
        await view.tasks.wait_idle()
    assert view.not_counted.isVisible()
    assert view.not_counted.title.text() == "Not counted · 1 record · $900.00"
    assert cell(view.not_counted.table, 0, 4) == "far outside the task's priced range"
    assert view.tiles["earned"].value.text() == "$0.625"


def test_the_section_speaks_traditional_chinese(qtbot: QtBot, chinese: None) -> None:
    section = NotCountedSection()
    qtbot.addWidget(section)
    section.show_flagged(FlaggedSummary(1, -2_500_000, "USD"), [entry("task-minus", "-2.50", 1)])
    assert section.title.text().startswith("未計入")
    assert "總額" in section.explanation.text()
    assert cell(section.table, 0, 4) == "負數金額"

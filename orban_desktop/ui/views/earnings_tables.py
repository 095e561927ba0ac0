"""The Earnings page's tables: one page of earning records, the payouts, and what is not counted.

Dates are shown in local time, amounts exactly as the ledger holds them (the platform's own
text where it was finer than a micro-unit), statuses in words. A record kept apart (flagged, in
no total) says why in the history's Note column and is listed in the "Not counted" section,
which shows only while there is such a record. Imports QtWidgets.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from orban_desktop.earnings import EarningEntry, EarningFlag, FlaggedSummary, PayoutEntry
from orban_desktop.ui.formatting import money_text
from orban_desktop.ui.widgets.labels import label
from orban_desktop.ui.wording import earning_status_text

translate = QCoreApplication.translate


def flag_text(flag: EarningFlag) -> str:
    """Why a flagged record is not counted, in the UI's language."""
    texts = {
        EarningFlag.NOT_OUR_TASK: translate("EarningFlag", "not from a task of this agent"),
        EarningFlag.NEGATIVE: translate("EarningFlag", "a negative amount"),
        EarningFlag.OUT_OF_RANGE: translate("EarningFlag", "far outside the task's priced range"),
    }
    return texts[flag]


def _when(entry: EarningEntry) -> str:
    return entry.recorded_at.astimezone().strftime("%Y-%m-%d %H:%M")


def _set_up(table: QTableWidget, headers: list[str]) -> None:
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)


def _fill(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    table.setRowCount(len(rows))
    for number, cells in enumerate(rows):
        for column, text in enumerate(cells):
            table.setItem(number, column, QTableWidgetItem(text))


class HistoryTable(QTableWidget):
    """Earning records, newest first."""

    def __init__(self) -> None:
        super().__init__()
        _set_up(
            self,
            [
                translate("HistoryTable", "Recorded"),
                translate("HistoryTable", "Task"),
                translate("HistoryTable", "GPU"),
                translate("HistoryTable", "GPU hours"),
                translate("HistoryTable", "Amount"),
                translate("HistoryTable", "Status"),
                translate("HistoryTable", "Note"),
            ],
        )

    def show_entries(self, entries: Sequence[EarningEntry]) -> None:
        _fill(
            self,
            [
                (
                    _when(entry),
                    entry.task_id or "–",
                    "–" if entry.gpu_index is None else str(entry.gpu_index),
                    f"{entry.gpu_hours:.4f}",
                    money_text(entry.amount.micros, entry.currency),
                    earning_status_text(entry.status.value),
                    ""
                    if entry.flag is None
                    else translate("HistoryTable", "Not counted: {reason}").format(
                        reason=flag_text(entry.flag)
                    ),
                )
                for entry in entries
            ],
        )


class FlaggedTable(QTableWidget):
    """Records kept apart, newest first, each with the reason it is not counted."""

    def __init__(self) -> None:
        super().__init__()
        _set_up(
            self,
            [
                translate("FlaggedTable", "Recorded"),
                translate("FlaggedTable", "Task"),
                translate("FlaggedTable", "Amount"),
                translate("FlaggedTable", "Status"),
                translate("FlaggedTable", "Why it is not counted"),
            ],
        )

    def show_entries(self, entries: Sequence[EarningEntry]) -> None:
        _fill(
            self,
            [
                (
                    _when(entry),
                    entry.task_id or "–",
                    money_text(entry.amount.micros, entry.currency),
                    earning_status_text(entry.status.value),
                    "" if entry.flag is None else flag_text(entry.flag),
                )
                for entry in entries
            ],
        )


class NotCountedSection(QWidget):
    """The "Not counted" section: what the platform reported that this agent cannot vouch for.

    Hidden while nothing is flagged; :meth:`show_flagged` fills and shows it.
    """

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        self.title = label("")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.explanation = label(
            translate(
                "NotCountedSection",
                "The platform reported these, but they do not match work this agent did, so "
                "they are not in your totals.",
            ),
            "muted",
            wrap=True,
        )
        self.table = FlaggedTable()
        self.table.setMaximumHeight(150)
        for widget in (self.title, self.explanation, self.table):
            layout.addWidget(widget)
        self.setVisible(False)

    def show_flagged(self, summary: FlaggedSummary, entries: Sequence[EarningEntry]) -> None:
        """Show ``entries`` (a page of the flagged records) under a title with their count."""
        amount = money_text(summary.total_micros, summary.currency)
        if summary.count == 1:
            title = translate("NotCountedSection", "Not counted · 1 record · {amount}")
        else:
            title = translate("NotCountedSection", "Not counted · {count} records · {amount}")
        self.title.setText(title.format(count=summary.count, amount=amount))
        self.table.show_entries(entries)
        self.setVisible(bool(entries) or summary.count > 0)


class PayoutTable(QTableWidget):
    """Payouts, newest first."""

    def __init__(self) -> None:
        super().__init__()
        _set_up(
            self,
            [
                translate("PayoutTable", "Payout period"),
                translate("PayoutTable", "Tasks"),
                translate("PayoutTable", "Net"),
                translate("PayoutTable", "Status"),
            ],
        )

    def show_payouts(self, payouts: Sequence[PayoutEntry]) -> None:
        _fill(
            self,
            [
                (
                    f"{payout.period_start[:10]} – {payout.period_end[:10]}",
                    str(payout.total_tasks),
                    money_text(payout.net.micros, payout.currency),
                    earning_status_text(payout.status.value),
                )
                for payout in payouts
            ],
        )

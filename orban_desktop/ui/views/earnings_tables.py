"""The Earnings page's two tables: one page of earning records, and the payouts.

Dates are shown in local time, amounts exactly as the ledger holds them (the platform's own
text where it was finer than a micro-unit), statuses in words. Imports QtWidgets.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from orban_desktop.earnings import EarningEntry, PayoutEntry
from orban_desktop.ui.formatting import money_text
from orban_desktop.ui.wording import earning_status_text

translate = QCoreApplication.translate


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
            ],
        )

    def show_entries(self, entries: Sequence[EarningEntry]) -> None:
        _fill(
            self,
            [
                (
                    entry.recorded_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                    entry.task_id or "–",
                    "–" if entry.gpu_index is None else str(entry.gpu_index),
                    f"{entry.gpu_hours:.4f}",
                    money_text(entry.amount.micros, entry.currency),
                    earning_status_text(entry.status.value),
                )
                for entry in entries
            ],
        )


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

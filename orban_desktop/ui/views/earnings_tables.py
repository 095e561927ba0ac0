"""The Earnings page's tables: one page of earning records, the payouts, and what is not counted.

Dates are shown in local time, amounts from their exact micro-units (as the CLI and the exports
write them), statuses in words; each record shows how its amount was made (GPU hours × rate ×
bonus), the energy its task drew and what it nets at the owner's price, and when it is expected
to be paid. A record kept apart (flagged, in
no total) says why in the history's Note column and is listed in the "Not counted" section,
which shows only while there is such a record (``earnings_not_counted``). Imports QtWidgets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
)

from orban_desktop.earnings import EarningEntry, EarningFlag, PayoutEntry
from orban_desktop.earnings.explain import amount_parts, energy_text, hours_text
from orban_desktop.earnings.net import TaskEnergy, cost_micros
from orban_desktop.money import Money
from orban_desktop.ui.formatting import money_text
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


def when_text(entry: EarningEntry) -> str:
    return entry.recorded_at.astimezone().strftime("%Y-%m-%d %H:%M")


def set_up_table(table: QTableWidget, headers: list[str]) -> None:
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)


def fill_table(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    table.setRowCount(len(rows))
    for number, cells in enumerate(rows):
        for column, text in enumerate(cells):
            table.setItem(number, column, QTableWidgetItem(text))


def how_made_text(entry: EarningEntry) -> str:
    """GPU hours × rate × bonus = amount, in the UI's language."""
    parts = amount_parts(entry)
    text = translate("HistoryTable", "{hours} GPU h × {rate}/h").format(
        hours=hours_text(parts.gpu_hours), rate=money_text(parts.rate_micros, entry.currency)
    )
    if parts.bonus is not None:
        bonus = (
            translate("HistoryTable", "× {bonus} bonus (implied)")
            if parts.bonus_implied
            else translate("HistoryTable", "× {bonus} bonus")
        )
        text += " " + bonus.format(bonus=parts.bonus)
    return f"{text} = {money_text(parts.amount_micros, entry.currency)}"


def _energy_cells(
    entry: EarningEntry, energy: TaskEnergy | None, price: Money | None
) -> tuple[str, str]:
    if energy is None:
        return translate("HistoryTable", "not measured"), "–"
    kwh = energy_text(energy.energy_mwh)
    if price is None:
        return kwh, translate("HistoryTable", "no price set")
    net = entry.amount.micros - cost_micros(energy.energy_mwh, price)
    return kwh, money_text(net, entry.currency)


class HistoryTable(QTableWidget):
    """Earning records, newest first: how each amount was made, its energy and net."""

    def __init__(self) -> None:
        super().__init__()
        set_up_table(
            self,
            [
                translate("HistoryTable", "Recorded"),
                translate("HistoryTable", "Task"),
                translate("HistoryTable", "GPU"),
                translate("HistoryTable", "Amount"),
                translate("HistoryTable", "How it was made"),
                translate("HistoryTable", "Energy"),
                translate("HistoryTable", "Net"),
                translate("HistoryTable", "Status"),
                translate("HistoryTable", "Payout expected"),
                translate("HistoryTable", "Note"),
            ],
        )

    def show_entries(
        self,
        entries: Sequence[EarningEntry],
        energy: Mapping[str, TaskEnergy] | None = None,
        price: Money | None = None,
    ) -> None:
        readings = energy or {}
        fill_table(
            self,
            [
                (
                    when_text(entry),
                    entry.task_id or "–",
                    "–" if entry.gpu_index is None else str(entry.gpu_index),
                    money_text(entry.amount.micros, entry.currency),
                    how_made_text(entry),
                    *_energy_cells(entry, readings.get(entry.task_id), price),
                    earning_status_text(entry.status.value),
                    entry.estimated_payout_date or "–",
                    ""
                    if entry.flag is None
                    else translate("HistoryTable", "Not counted: {reason}").format(
                        reason=flag_text(entry.flag)
                    ),
                )
                for entry in entries
            ],
        )


class PayoutTable(QTableWidget):
    """Payouts, newest first, as PAYOUT_NOTIFICATION reported them."""

    def __init__(self) -> None:
        super().__init__()
        set_up_table(
            self,
            [
                translate("PayoutTable", "Payout period"),
                translate("PayoutTable", "Tasks"),
                translate("PayoutTable", "Gross"),
                translate("PayoutTable", "Fee"),
                translate("PayoutTable", "Net"),
                translate("PayoutTable", "Status"),
            ],
        )

    def show_payouts(self, payouts: Sequence[PayoutEntry]) -> None:
        fill_table(
            self,
            [
                (
                    f"{payout.period_start[:10]} – {payout.period_end[:10]}",
                    str(payout.total_tasks),
                    money_text(payout.gross.micros, payout.currency),
                    money_text(payout.fee.micros, payout.currency),
                    money_text(payout.net.micros, payout.currency),
                    earning_status_text(payout.status.value),
                )
                for payout in payouts
            ],
        )


def no_payout_text() -> str:
    """Said under the payouts table while it is empty."""
    return translate(
        "PayoutTable",
        "The platform pays confirmed earnings in a payout it announces, net of its fee; "
        "nothing has been paid to this agent yet. Each record shows when it is expected to be "
        "paid.",
    )

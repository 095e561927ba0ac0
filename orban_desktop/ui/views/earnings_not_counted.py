"""The Earnings page's "Not counted" section: records the platform reported that this agent
cannot vouch for (flagged, kept apart, in no total), each with the reason. Imports QtWidgets.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QTableWidget, QVBoxLayout, QWidget

from orban_desktop.earnings import EarningEntry, FlaggedSummary
from orban_desktop.ui.formatting import money_text
from orban_desktop.ui.views.earnings_tables import fill_table, flag_text, set_up_table, when_text
from orban_desktop.ui.widgets.labels import label
from orban_desktop.ui.wording import earning_status_text

translate = QCoreApplication.translate


class FlaggedTable(QTableWidget):
    """Records kept apart, newest first, each with the reason it is not counted."""

    def __init__(self) -> None:
        super().__init__()
        set_up_table(
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
        fill_table(
            self,
            [
                (
                    when_text(entry),
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

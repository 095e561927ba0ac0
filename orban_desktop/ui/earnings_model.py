"""The earnings figures the Overview, the tray and the Earnings page share.

:class:`EarningsModel` keeps the ledger's latest :class:`EarningsSummary` (total, today, pending,
confirmed, paid). It refreshes when an earning or a payout is recorded (at most every half
second), once a minute (so "today" rolls over at midnight) and on request; ``changed`` fires
after each refresh. The ledger is read through a callable because the agent's parts are rebuilt
when settings change. Imports QtCore and the earnings types.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from orban_desktop.earnings import AsyncEarningsLedger, EarningsSummary
from orban_desktop.errors import OrbanError
from orban_desktop.ui.background import BackgroundTasks
from orban_desktop.ui.bridge import EventBridge

logger = logging.getLogger(__name__)
REFRESH_DEBOUNCE_MS = 500
PERIODIC_REFRESH_MS = 60_000


class EarningsModel(QObject):
    """The latest earnings summary (``None`` until the first read)."""

    changed = Signal()

    def __init__(
        self,
        bridge: EventBridge,
        ledger: Callable[[], AsyncEarningsLedger],
        *,
        currency: str = "USD",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ledger = ledger
        self.currency = currency
        self.summary: EarningsSummary | None = None
        self.tasks = BackgroundTasks("earnings model")
        self._debounce = QTimer(self, singleShot=True, interval=REFRESH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._start_refresh)
        self._periodic = QTimer(self, interval=PERIODIC_REFRESH_MS)
        self._periodic.timeout.connect(self._start_refresh)
        self._periodic.start()
        bridge.earning_recorded.connect(self.refresh_soon)
        bridge.payout_received.connect(self.refresh_soon)

    def stop(self) -> None:
        """Stop refreshing (the app is closing)."""
        self._debounce.stop()
        self._periodic.stop()

    def refresh_soon(self, *_event: object) -> None:
        """Refresh within half a second (several events in a burst cost one read)."""
        if not self._debounce.isActive():
            self._debounce.start()

    def _start_refresh(self) -> None:
        self.tasks.spawn(self.refresh(), "refresh")

    async def refresh(self) -> None:
        """Read the summary now."""
        try:
            ledger = self._ledger()
            self.summary = await ledger.get_data(page=0, page_size=1, currency=self.currency)
        except (OrbanError, RuntimeError) as exc:  # restarting, or the ledger is closed
            logger.debug("earnings not refreshed: %s", exc)
            return
        self.changed.emit()

    @property
    def today_micros(self) -> int:
        return 0 if self.summary is None else self.summary.today_micros

    @property
    def pending_micros(self) -> int:
        return 0 if self.summary is None else self.summary.pending_micros

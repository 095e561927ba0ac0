"""Earnings and payouts: credited once per task, confirmed after a delay, paid on a schedule.

A verified TASK_COMPLETE earns one Pending EARNINGS_RECORD (keyed by task id, so a duplicate
result never pays twice); ``confirm_delay_s`` later the same task gets a Confirmed record; every
``payout_interval_s`` the confirmed earnings of each agent are summed into a PAYOUT_NOTIFICATION
(gross, 5 % platform fee, net) and their records move to Paid. Each record is sent as a tracked
delivery (spec §9): with ``ack`` it is re-sent after the next REGISTER_ACK until acknowledged;
without it, at most once per session and never in a loop. Imports the store, pricing and the
protocol; no I/O of its own, nothing from Qt.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from orban_desktop.money import Money
from orban_desktop.protocol.enums import EarningStatus, PayoutStatus
from orban_desktop.protocol.messages import EarningsRecord, PayoutNotification
from orban_desktop.protocol.types import EarningsDetail, PayoutPeriod, PayoutSummary
from orban_platform.earnings_db import EarningsTable
from orban_platform.mail import Mail
from orban_platform.pricing import (
    AgentTerms,
    earning_for,
    payout_summary,
)
from orban_platform.records import EarningRow, PayoutRow, TaskRecord
from orban_platform.session import Delivery
from orban_platform.settings import PlatformSettings
from orban_platform.store import PlatformStore

_RANK = {EarningStatus.PENDING: 0, EarningStatus.CONFIRMED: 1, EarningStatus.PAID: 2}
_NEXT_PAYOUT_KEY = "next_payout_at"
_WEEK_S = 7 * 86400


def _day(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%d")


def earnings_record(row: EarningRow) -> EarningsRecord:
    """The EARNINGS_RECORD frame of a stored earning, in its current status."""
    return EarningsRecord(
        task_id=row.task_id,
        earnings=EarningsDetail(
            gpu_hours=row.gpu_hours,
            rate_usd_per_hour=Money.parse(row.rate),
            amount_usd=Money.parse(row.amount),
            bonus_multiplier=float(Decimal(row.bonus)),
            final_amount_usd=Money.parse(row.final),
        ),
        status=row.status,
        estimated_payout_date=row.estimated_payout_date,
    )


class EarningsService:
    """Credits, confirms and pays earnings, and gets their records to the agents."""

    def __init__(self, store: PlatformStore, settings: PlatformSettings, mail: Mail) -> None:
        self._store = store
        self.table = EarningsTable(store.connection)
        self._settings = settings
        self._mail = mail
        self._next_payout_at = 0.0

    def start(self, now: float) -> None:
        """Resume the payout schedule stored by an earlier run (or start one)."""
        stored = self._store.meta(_NEXT_PAYOUT_KEY)
        self._next_payout_at = float(stored) if stored else now + self._settings.payout_interval_s
        self._store.set_meta(_NEXT_PAYOUT_KEY, repr(self._next_payout_at))

    def payout_date(self, now: float) -> str:
        """The day of the first payout run that will include an earning made now."""
        interval = self._settings.payout_interval_s
        if interval <= 0:
            return _day(now + _WEEK_S)
        when = self._next_payout_at
        ready = now + self._settings.confirm_delay_s
        if when < ready:
            when += interval * (int((ready - when) // interval) + 1)
        return _day(when)

    def credit(
        self,
        agent_id: str,
        task: TaskRecord,
        terms: AgentTerms,
        seconds: Decimal,
        now: float,
        *,
        on_cpu: bool = False,
    ) -> EarningRow | None:
        """Record and send the Pending earning of a verified task (``None``: already paid).

        ``seconds`` is the compute time paid (see ``pricing.paid_seconds``).
        """
        policy = self._settings.pricing
        detail = earning_for(terms, seconds, on_cpu=on_cpu, cpu_multiplier=policy.cpu_multiplier)
        row = EarningRow(
            task_id=task.task_id,
            agent_id=agent_id,
            gpu_hours=detail.gpu_hours,
            rate=detail.rate_usd_per_hour.text,
            amount=detail.amount_usd.text,
            bonus=format(terms.bonus.normalize(), "f"),
            final=detail.final_amount_usd.text,
            final_micros=detail.final_amount_usd.micros,
            status=EarningStatus.PENDING,
            created_at=now,
            estimated_payout_date=self.payout_date(now),
        )
        if not self.table.add(row):
            return None
        self._send(row, now)
        return row

    def _send(self, row: EarningRow, now: float) -> None:
        delivery = Delivery("earning", row.task_id, row.status.value)
        self._mail.deliver(row.agent_id, earnings_record(row), delivery, now)

    def _send_payout(self, payout: PayoutRow, now: float) -> None:
        message = PayoutNotification(
            payout_id=payout.payout_id,
            period=PayoutPeriod(start=payout.period_start, end=payout.period_end),
            summary=PayoutSummary(
                total_tasks=payout.total_tasks,
                total_gpu_hours=payout.total_gpu_hours,
                gross_amount_usd=Money.parse(payout.gross),
                platform_fee_usd=Money.parse(payout.fee),
                net_amount_usd=Money.parse(payout.net),
            ),
            payment_method=self._settings.payment_method,
            payment_address=f"local:{payout.agent_id}",
            status=PayoutStatus(payout.status),
        )
        self._mail.deliver(payout.agent_id, message, Delivery("payout", payout.payout_id), now)

    def redeliver(self, agent_id: str, now: float) -> None:
        """Send again what the agent has not received: after its REGISTER_ACK."""
        for payout in self.table.undelivered_payouts(agent_id):
            self._send_payout(payout, now)
        for row in self.table.undelivered(agent_id):
            self._send(row, now)

    def delivered(self, delivery: Delivery) -> None:
        """The agent has the frame named by ``delivery`` (ACKed, or survived an interval)."""
        if delivery.kind == "payout":
            self.table.mark_payout_delivered(delivery.key)
            return
        row = self.table.get(delivery.key)
        status = EarningStatus(delivery.status)
        if row is not None and (
            row.delivered_status is None or _RANK[status] > _RANK[row.delivered_status]
        ):
            self.table.mark_delivered(row.task_id, status)

    def tick(self, now: float) -> None:
        """Confirm what is due; run the payouts when their time comes."""
        due = self.table.due_for_confirmation(now - self._settings.confirm_delay_s)
        if due:
            self.table.confirm([row.task_id for row in due])
            for row in due:
                self._send(replace(row, status=EarningStatus.CONFIRMED), now)
        interval = self._settings.payout_interval_s
        if interval > 0 and now >= self._next_payout_at:
            self.run_payouts(now)
            skipped = int((now - self._next_payout_at) // interval) + 1
            self._next_payout_at += interval * skipped
            self._store.set_meta(_NEXT_PAYOUT_KEY, repr(self._next_payout_at))

    def run_payouts(self, now: float) -> list[PayoutRow]:
        """Pay every agent's confirmed earnings now; returns the payouts made."""
        by_agent: dict[str, list[EarningRow]] = {}
        for row in self.table.confirmed_unpaid():
            by_agent.setdefault(row.agent_id, []).append(row)
        payouts = []
        for agent_id, rows in by_agent.items():
            summary = payout_summary(
                [Money.parse(r.final) for r in rows],
                [r.gpu_hours for r in rows],
                self._settings.pricing.platform_fee_percent,
            )
            payout = PayoutRow(
                payout_id=f"payout-{_day(now).replace('-', '')}-{uuid.uuid4().hex[:12]}",
                agent_id=agent_id,
                period_start=_day(min(r.created_at for r in rows)),
                period_end=_day(max(r.created_at for r in rows)),
                total_tasks=summary.total_tasks,
                total_gpu_hours=summary.total_gpu_hours,
                gross=summary.gross_amount_usd.text,
                fee=summary.platform_fee_usd.text,
                net=summary.net_amount_usd.text,
                status=PayoutStatus.COMPLETED.value,
                created_at=now,
            )
            with self._store.transaction():
                self.table.add_payout(payout, [r.task_id for r in rows])
            payouts.append(payout)
            self._send_payout(payout, now)
            for row in rows:
                self._send(replace(row, status=EarningStatus.PAID, payout_id=payout.payout_id), now)
        return payouts

"""SQL of the platform's earnings and payouts (tables created by ``store.py``'s migrations).

An earning is keyed by its task id, so a task is credited at most once whatever arrives twice.
``delivered_status`` is the last status the agent is known to have received (acknowledged with
``ack``, or survived a heartbeat interval on a connection that stayed up without it); rows whose
status is ahead of it are sent again after the agent's next REGISTER_ACK. Imports only the
records and the protocol enums; nothing from Qt.
"""

from __future__ import annotations

import sqlite3

from orban_desktop.protocol.enums import EarningStatus
from orban_platform.records import EarningRow, PayoutRow

_EARNING_COLUMNS = (
    "task_id, agent_id, gpu_hours, rate, amount, bonus, final, final_micros, status, "
    "created_at, estimated_payout_date, delivered_status, payout_id"
)


def _earning(row: tuple[object, ...]) -> EarningRow:
    return EarningRow(
        task_id=str(row[0]),
        agent_id=str(row[1]),
        gpu_hours=float(str(row[2])),
        rate=str(row[3]),
        amount=str(row[4]),
        bonus=str(row[5]),
        final=str(row[6]),
        final_micros=int(str(row[7])),
        status=EarningStatus(str(row[8])),
        created_at=float(str(row[9])),
        estimated_payout_date=str(row[10]),
        delivered_status=None if row[11] is None else EarningStatus(str(row[11])),
        payout_id=None if row[12] is None else str(row[12]),
    )


class EarningsTable:
    """Earnings and payouts in the platform database ``db`` (an autocommit connection)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def add(self, row: EarningRow) -> bool:
        """Store a new earning; ``False`` (and nothing changed) if its task already has one."""
        cursor = self._db.execute(
            f"INSERT OR IGNORE INTO earnings ({_EARNING_COLUMNS}) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                row.task_id,
                row.agent_id,
                row.gpu_hours,
                row.rate,
                row.amount,
                row.bonus,
                row.final,
                row.final_micros,
                row.status.value,
                row.created_at,
                row.estimated_payout_date,
                None,
                None,
            ),
        )
        return cursor.rowcount == 1

    def _select(self, where: str, args: tuple[object, ...]) -> list[EarningRow]:
        rows = self._db.execute(f"SELECT {_EARNING_COLUMNS} FROM earnings WHERE {where}", args)
        return [_earning(row) for row in rows.fetchall()]

    def get(self, task_id: str) -> EarningRow | None:
        rows = self._select("task_id = ?", (task_id,))
        return rows[0] if rows else None

    def for_agent(self, agent_id: str) -> list[EarningRow]:
        return self._select("agent_id = ? ORDER BY created_at", (agent_id,))

    def due_for_confirmation(self, created_before: float) -> list[EarningRow]:
        return self._select(
            "status = 'Pending' AND created_at <= ? ORDER BY created_at", (created_before,)
        )

    def confirm(self, task_ids: list[str]) -> None:
        self._db.executemany(
            "UPDATE earnings SET status = 'Confirmed' WHERE task_id = ? AND status = 'Pending'",
            [(task_id,) for task_id in task_ids],
        )

    def confirmed_unpaid(self) -> list[EarningRow]:
        return self._select("status = 'Confirmed' ORDER BY agent_id, created_at", ())

    def undelivered(self, agent_id: str) -> list[EarningRow]:
        return self._select(
            "agent_id = ? AND (delivered_status IS NULL OR delivered_status != status) "
            "ORDER BY created_at",
            (agent_id,),
        )

    def mark_delivered(self, task_id: str, status: EarningStatus) -> None:
        self._db.execute(
            "UPDATE earnings SET delivered_status = ? WHERE task_id = ?", (status.value, task_id)
        )

    def add_payout(self, payout: PayoutRow, task_ids: list[str]) -> None:
        """Record a payout and mark its earnings Paid (call inside a transaction)."""
        self._db.execute(
            "INSERT INTO payouts VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                payout.payout_id,
                payout.agent_id,
                payout.period_start,
                payout.period_end,
                payout.total_tasks,
                payout.total_gpu_hours,
                payout.gross,
                payout.fee,
                payout.net,
                payout.status,
                payout.created_at,
                int(payout.delivered),
            ),
        )
        self._db.executemany(
            "UPDATE earnings SET status = 'Paid', payout_id = ? WHERE task_id = ?",
            [(payout.payout_id, task_id) for task_id in task_ids],
        )

    def undelivered_payouts(self, agent_id: str) -> list[PayoutRow]:
        rows = self._db.execute(
            "SELECT * FROM payouts WHERE agent_id = ? AND delivered = 0 ORDER BY created_at",
            (agent_id,),
        ).fetchall()
        return [
            PayoutRow(
                payout_id=row[0],
                agent_id=row[1],
                period_start=row[2],
                period_end=row[3],
                total_tasks=row[4],
                total_gpu_hours=row[5],
                gross=row[6],
                fee=row[7],
                net=row[8],
                status=row[9],
                created_at=row[10],
                delivered=bool(row[11]),
            )
            for row in rows
        ]

    def mark_payout_delivered(self, payout_id: str) -> None:
        self._db.execute("UPDATE payouts SET delivered = 1 WHERE payout_id = ?", (payout_id,))

    def summary(self) -> dict[str, dict[str, object]]:
        """Per agent: micro-dollars and task counts by status, and the payouts made."""
        result: dict[str, dict[str, object]] = {}
        rows = self._db.execute(
            "SELECT agent_id, status, count(*), sum(final_micros) FROM earnings "
            "GROUP BY agent_id, status"
        ).fetchall()
        for agent_id, status, count, micros in rows:
            entry = result.setdefault(agent_id, {"tasks": 0, "payouts": 0})
            entry[f"{str(status).lower()}_micros"] = int(micros)
            entry["tasks"] = int(str(entry["tasks"])) + int(count)
        for agent_id, count in self._db.execute(
            "SELECT agent_id, count(*) FROM payouts GROUP BY agent_id"
        ).fetchall():
            result.setdefault(agent_id, {"tasks": 0})["payouts"] = int(count)
        return result

"""The result outbox: each TASK_COMPLETE / TASK_FAILED is stored before it is sent (nothing lost).

:class:`ResultOutbox` keeps, in one SQLite file (WAL, ``synchronous=FULL``), each result frame's
exact JSON text until the platform has it, and a journal of the tasks running now, so a restart
after a crash knows what to report. Every write is one ``BEGIN IMMEDIATE`` ... ``COMMIT``: when it
returns, the change is on disk. Delivery follows docs/orban-protocol.md §9: with the ``ack``
extension a result is delivered when its ACK arrives (:meth:`ResultOutbox.mark_acked`); without
it, once one heartbeat interval has passed after it was sent on a connection that is still up
(:meth:`ResultOutbox.settle_without_ack`); anything else stays pending and is re-sent, with the
same ``message_id``, after the next reconnect. ``outbox_async.AsyncResultOutbox`` runs the
same calls on one worker thread for the event loop. Connection, transactions, lifetime and the
worker thread come from ``orban_desktop.storage``. Imports nothing from Qt and no protocol
message models.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from orban_desktop.agent.outbox_records import (
    RESULT_TYPES,
    JournaledTask,
    OutboxItem,
    OutboxStats,
    TaskRun,
)
from orban_desktop.agent.outbox_schema import open_outbox_connection
from orban_desktop.errors import StorageError
from orban_desktop.storage.database import integrity_problems, move_aside
from orban_desktop.storage.store import SqliteStore

__all__ = [
    "RESULT_TYPES",
    "JournaledTask",
    "OutboxItem",
    "OutboxStats",
    "ResultOutbox",
    "TaskRun",
]

#: How long a delivered result is kept (a re-assignment of the task re-sends it, never re-runs).
DELIVERED_RETENTION_S = 7 * 86_400
#: How long an undelivered result is kept: past this the platform has long re-queued the task.
UNDELIVERED_RETENTION_S = 30 * 86_400
#: How long the agent remembers the tasks it took (for checking the earnings reported for them).
TASKS_RUN_RETENTION_S = 180 * 86_400


class ResultOutbox(SqliteStore):
    """The outbox over one SQLite file; use from one thread, close when done.

    Args:
        path: The database file (``AppPaths.outbox_db``); created with its folder when missing.

    Raises:
        CorruptOutboxError: The file failed its integrity check (a copy was saved beside it).
        StorageError: The file cannot be opened or is from a newer agent.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path, open_outbox_connection(path))

    @classmethod
    def recover(cls, path: Path) -> tuple[ResultOutbox, Path | None]:
        """Move a damaged file aside and start an empty outbox; returns it and the old file."""
        moved = move_aside(path)
        return cls(path), moved

    def _write_failure(self, exc: sqlite3.Error) -> StorageError:
        return StorageError(
            f"Could not write to the result outbox {self.path}: {exc}; the change was "
            "not stored. Check free disk space and permissions.",
            context={"path": str(self.path)},
        )

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[Any]:
        try:
            return list(self._conn.execute(sql, params))
        except sqlite3.Error as exc:
            raise StorageError(
                f"Could not read the result outbox {self.path}: {exc}.",
                context={"path": str(self.path)},
            ) from exc

    # -- results ------------------------------------------------------------------------------

    def put(self, item: OutboxItem) -> bool:
        """Store a result before it is sent; committed when this returns.

        The first result stored for a task wins. Storing it also ends the task's running-task
        journal entry, in the same transaction, so a crash can never leave a task that has a
        result looking as if it were still running.

        Returns:
            True if stored; False if a result for ``item.task_id`` was already stored.

        Raises:
            ValueError: ``item.message_id`` is already used by another task's result.
        """
        try:
            with self._transaction() as conn:
                cursor = conn.execute(
                    "INSERT INTO results (task_id, message_id, message_type, frame_json,"
                    " created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (task_id) DO NOTHING",
                    (
                        item.task_id,
                        item.message_id,
                        item.message_type,
                        item.frame_json,
                        item.created_at,
                    ),
                )
                conn.execute("DELETE FROM running_tasks WHERE task_id = ?", (item.task_id,))
                return cursor.rowcount == 1
        except StorageError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                raise ValueError(
                    f"message_id {item.message_id} already belongs to another task's result"
                ) from exc
            raise

    def result_for(self, task_id: str) -> OutboxItem | None:
        """The stored result of ``task_id``, delivered or not (``None``: none kept)."""
        rows = self._read(
            "SELECT task_id, message_id, message_type, frame_json, created_at FROM results"
            " WHERE task_id = ?",
            (task_id,),
        )
        return OutboxItem(*rows[0]) if rows else None

    def result_ids(self) -> set[str]:
        """The ids of every task with a stored result."""
        return {row[0] for row in self._read("SELECT task_id FROM results")}

    def pending(self) -> list[OutboxItem]:
        """Results not yet delivered, oldest first (what to re-send after a reconnect)."""
        rows = self._read(
            "SELECT task_id, message_id, message_type, frame_json, created_at FROM results"
            " WHERE delivered_at IS NULL ORDER BY created_at, rowid"
        )
        return [
            OutboxItem(task_id, message_id, kind, frame, created)
            for task_id, message_id, kind, frame, created in rows
        ]

    def mark_sent(self, task_id: str, connection_id: str, sent_at: float) -> bool:
        """Record that a pending result was written on ``connection_id`` at ``sent_at``.

        Returns:
            False when there is no pending result for the task (unknown or delivered).
        """
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE results SET sent_connection = ?, sent_at = ?, send_count = send_count + 1"
                " WHERE task_id = ? AND delivered_at IS NULL",
                (connection_id, sent_at, task_id),
            )
            return cursor.rowcount == 1

    def mark_acked(self, message_id: str, *, now: float | None = None) -> str | None:
        """The platform ACKed this result frame: it is delivered.

        Returns:
            The result's task id (also when it was delivered already), or None for a
            ``message_id`` that is no result of ours.
        """
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT task_id FROM results WHERE message_id = ?", (message_id,)
            ).fetchone()
            conn.execute(
                "UPDATE results SET delivered_at = ?, delivered_by = 'ack'"
                " WHERE message_id = ? AND delivered_at IS NULL",
                (_now(now), message_id),
            )
        return None if row is None else str(row[0])

    def mark_delivered(self, task_id: str, *, now: float | None = None) -> bool:
        """Count a task's result as delivered (e.g. the platform said it already has it).

        Returns:
            False when there is no pending result for the task.
        """
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE results SET delivered_at = ?, delivered_by = 'marked'"
                " WHERE task_id = ? AND delivered_at IS NULL",
                (_now(now), task_id),
            )
            return cursor.rowcount == 1

    def settle_without_ack(
        self, connection_id: str, now: float, heartbeat_interval_s: float
    ) -> list[str]:
        """Without ``ack``: deliver results sent on this connection an interval ago or more.

        Call it periodically, only while ``connection_id`` is up, with an id that is new for
        every connection. A result last sent on another connection (one that dropped) is left
        pending, to be re-sent after the reconnect; re-sending it moves it to the new connection.

        Returns:
            The task ids that this call counted as delivered, oldest first.
        """
        with self._transaction() as conn:
            rows = conn.execute(
                "UPDATE results SET delivered_at = ?, delivered_by = 'settled'"
                " WHERE delivered_at IS NULL AND sent_connection = ? AND sent_at <= ?"
                " RETURNING task_id, created_at",
                (now, connection_id, now - heartbeat_interval_s),
            ).fetchall()
        return [str(task_id) for task_id, _ in sorted(rows, key=lambda row: float(row[1]))]

    def prune(
        self,
        older_than_s: float = DELIVERED_RETENTION_S,
        *,
        undelivered_older_than_s: float | None = None,
        tasks_older_than_s: float | None = None,
        now: float | None = None,
    ) -> int:
        """Delete results delivered more than ``older_than_s`` seconds ago and, when given,
        undelivered results and remembered tasks older than the other limits; returns how many
        results went."""
        now = _now(now)
        with self._transaction() as conn:
            removed = conn.execute(
                "DELETE FROM results WHERE delivered_at IS NOT NULL AND delivered_at < ?",
                (now - older_than_s,),
            ).rowcount
            if undelivered_older_than_s is not None:
                removed += conn.execute(
                    "DELETE FROM results WHERE delivered_at IS NULL AND created_at < ?",
                    (now - undelivered_older_than_s,),
                ).rowcount
            if tasks_older_than_s is not None:
                conn.execute(
                    "DELETE FROM tasks_run WHERE started_at < ?", (now - tasks_older_than_s,)
                )
            return int(removed)

    def stats(self) -> OutboxStats:
        [(pending, delivered, running)] = self._read(
            "SELECT (SELECT count(*) FROM results WHERE delivered_at IS NULL),"
            " (SELECT count(*) FROM results WHERE delivered_at IS NOT NULL),"
            " (SELECT count(*) FROM running_tasks)"
        )
        return OutboxStats(pending, delivered, running)

    # -- running-task journal -------------------------------------------------------------------

    def task_started(self, task: JournaledTask) -> None:
        """Journal a task as running (a second call for the same task replaces the entry)."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO running_tasks"
                " (task_id, assign_json, gpu_index, workspace, started_at) VALUES (?, ?, ?, ?, ?)",
                (task.task_id, task.assign_json, task.gpu_index, task.workspace, task.started_at),
            )
            conn.execute(
                "INSERT OR IGNORE INTO tasks_run (task_id, started_at, priced_ceiling_micros)"
                " VALUES (?, ?, ?)",
                (task.task_id, task.started_at, task.priced_ceiling_micros),
            )

    def task_run(self, task_id: str) -> TaskRun | None:
        """What the agent remembers of a task it took (``None``: it never took it, or forgot)."""
        rows = self._read(
            "SELECT task_id, started_at, priced_ceiling_micros FROM tasks_run WHERE task_id = ?",
            (task_id,),
        )
        return TaskRun(*rows[0]) if rows else None

    def task_finished(self, task_id: str) -> bool:
        """Remove a task from the journal; False when it was not there."""
        with self._transaction() as conn:
            cursor = conn.execute("DELETE FROM running_tasks WHERE task_id = ?", (task_id,))
            return cursor.rowcount == 1

    def running_tasks(self) -> list[JournaledTask]:
        """Tasks journaled as running, oldest first (after a crash: what was running then)."""
        rows = self._read(
            "SELECT r.task_id, r.assign_json, r.gpu_index, r.workspace, r.started_at,"
            " t.priced_ceiling_micros FROM running_tasks r"
            " LEFT JOIN tasks_run t ON t.task_id = r.task_id ORDER BY r.started_at, r.rowid"
        )
        return [JournaledTask(*row) for row in rows]

    # -- lifetime -------------------------------------------------------------------------------

    def integrity_check(self) -> str:
        """``"ok"``, or what ``PRAGMA integrity_check`` found."""
        try:
            return integrity_problems(self._conn) or "ok"
        except sqlite3.Error as exc:
            return str(exc)


def _now(now: float | None) -> float:
    return time.time() if now is None else now

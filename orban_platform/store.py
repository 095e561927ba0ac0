"""The platform's SQLite database: agents and their enrolled keys, tasks, attempts, earnings.

One file, WAL mode, ``synchronous=NORMAL``, a schema version in ``PRAGMA user_version`` and an
ordered list of migrations, so a restarted platform carries on where it stopped. Every method
commits what it changes (small writes, run on the event loop thread; nothing here is large).
Imports only the records, the protocol types and ``errors``; nothing from Qt.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from orban_desktop.errors import StorageError
from orban_desktop.protocol.jobspec import parse_job_config
from orban_desktop.protocol.types import TaskRequirements
from orban_platform.records import Attempt, Outcome, TaskRecord, TaskState

_V1 = (
    """CREATE TABLE agents (agent_id TEXT PRIMARY KEY, public_key TEXT NOT NULL,
        enrolled_at REAL NOT NULL, last_seen REAL, registration TEXT,
        pow_passed INTEGER NOT NULL DEFAULT 0, pow_failed INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE tasks (task_id TEXT PRIMARY KEY, job_id TEXT NOT NULL,
        workload TEXT NOT NULL, state TEXT NOT NULL, config TEXT NOT NULL,
        requirements TEXT NOT NULL, priority INTEGER NOT NULL,
        estimated_duration_sec INTEGER NOT NULL, model_sha256 TEXT NOT NULL,
        input_sha256 TEXT NOT NULL, expected_sha256 TEXT NOT NULL, created_at REAL NOT NULL,
        agent_id TEXT, assigned_at REAL, attempts INTEGER NOT NULL, progress REAL NOT NULL,
        excluded TEXT NOT NULL)""",
    "CREATE INDEX tasks_by_state ON tasks (state)",
    """CREATE TABLE attempts (task_id TEXT NOT NULL, agent_id TEXT NOT NULL,
        token TEXT NOT NULL UNIQUE, assigned_at REAL NOT NULL, accepted_at REAL,
        upload_sha256 TEXT, upload_size INTEGER, outcome TEXT,
        PRIMARY KEY (task_id, agent_id))""",
    """CREATE TABLE earnings (task_id TEXT PRIMARY KEY, agent_id TEXT NOT NULL,
        gpu_hours REAL NOT NULL, rate TEXT NOT NULL, amount TEXT NOT NULL, bonus TEXT NOT NULL,
        final TEXT NOT NULL, final_micros INTEGER NOT NULL, status TEXT NOT NULL,
        created_at REAL NOT NULL, estimated_payout_date TEXT NOT NULL,
        delivered_status TEXT, payout_id TEXT)""",
    "CREATE INDEX earnings_by_status ON earnings (status, created_at)",
    "CREATE INDEX earnings_by_agent ON earnings (agent_id)",
    """CREATE TABLE payouts (payout_id TEXT PRIMARY KEY, agent_id TEXT NOT NULL,
        period_start TEXT NOT NULL, period_end TEXT NOT NULL, total_tasks INTEGER NOT NULL,
        total_gpu_hours REAL NOT NULL, gross TEXT NOT NULL, fee TEXT NOT NULL,
        net TEXT NOT NULL, status TEXT NOT NULL, created_at REAL NOT NULL,
        delivered INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE metrics (agent_id TEXT NOT NULL, received_at REAL NOT NULL,
        body TEXT NOT NULL)""",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
#: Version 2: a task's canary rows, an attempt's verdict (real model jobs).
_V2 = (
    "ALTER TABLE tasks ADD COLUMN canary_rows TEXT NOT NULL DEFAULT '[]'",
    "ALTER TABLE attempts ADD COLUMN verdict TEXT",
)
MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2)
SCHEMA_VERSION = len(MIGRATIONS)


class PlatformStore:
    """The database at ``path`` (created and migrated on open).

    Raises:
        StorageError: The file cannot be opened, or was written by a newer platform.
    """

    def __init__(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.Error as exc:
            raise StorageError(f"Cannot open the platform database {path}: {exc}.") from exc

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"The platform database has schema {version}, newer than this build's "
                f"{SCHEMA_VERSION}; use a newer orban-agent or another --data folder."
            )
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                for statement in statements:
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The open connection (autocommit; use :meth:`transaction` to group writes)."""
        return self._db

    # ---- meta ----
    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # ---- agents ----
    def enrolled_key(self, agent_id: str) -> str | None:
        row = self._db.execute(
            "SELECT public_key FROM agents WHERE agent_id = ?", (agent_id,)
        ).fetchone()
        return None if row is None else str(row[0])

    def enroll(self, agent_id: str, public_key_b64: str, now: float) -> None:
        self._db.execute(
            "INSERT INTO agents (agent_id, public_key, enrolled_at, last_seen) VALUES (?,?,?,?)",
            (agent_id, public_key_b64, now, now),
        )

    def save_registration(self, agent_id: str, registration: str, now: float) -> None:
        self._db.execute(
            "UPDATE agents SET registration = ?, last_seen = ? WHERE agent_id = ?",
            (registration, now, agent_id),
        )

    def touch_agent(self, agent_id: str, now: float) -> None:
        self._db.execute("UPDATE agents SET last_seen = ? WHERE agent_id = ?", (now, agent_id))

    def count_pow(self, agent_id: str, passed: bool) -> None:
        column = "pow_passed" if passed else "pow_failed"
        self._db.execute(
            f"UPDATE agents SET {column} = {column} + 1 WHERE agent_id = ?", (agent_id,)
        )

    def agents(self) -> list[dict[str, object]]:
        rows = self._db.execute(
            "SELECT agent_id, enrolled_at, last_seen, registration IS NOT NULL, pow_passed, "
            "pow_failed FROM agents ORDER BY agent_id"
        ).fetchall()
        keys = ("agent_id", "enrolled_at", "last_seen", "registered", "pow_passed", "pow_failed")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def add_metrics(self, agent_id: str, body: str, now: float) -> None:
        self._db.execute(
            "INSERT INTO metrics (agent_id, received_at, body) VALUES (?, ?, ?)",
            (agent_id, now, body),
        )

    def metrics_counts(self) -> dict[str, int]:
        """METRICS_BATCH frames received, per agent."""
        rows = self._db.execute("SELECT agent_id, count(*) FROM metrics GROUP BY agent_id")
        return {str(agent_id): int(count) for agent_id, count in rows.fetchall()}

    # ---- tasks ----
    def save_task(self, task: TaskRecord) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO tasks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                task.task_id,
                task.job_id,
                task.workload,
                task.state.value,
                json.dumps(task.spec.to_config()),
                task.requirements.model_dump_json(),
                task.priority,
                task.estimated_duration_sec,
                task.model_sha256,
                task.input_sha256,
                task.expected_sha256,
                task.created_at,
                task.agent_id,
                task.assigned_at,
                task.attempts,
                task.progress,
                json.dumps(sorted(task.excluded)),
                json.dumps(list(task.canary_rows)),
            ),
        )

    def _task(self, row: tuple[object, ...]) -> TaskRecord:
        return TaskRecord(
            task_id=str(row[0]),
            job_id=str(row[1]),
            workload=str(row[2]),
            state=TaskState(str(row[3])),
            spec=parse_job_config(json.loads(str(row[4]))),
            requirements=TaskRequirements.model_validate_json(str(row[5])),
            priority=int(str(row[6])),
            estimated_duration_sec=int(str(row[7])),
            model_sha256=str(row[8]),
            input_sha256=str(row[9]),
            expected_sha256=str(row[10]),
            created_at=float(str(row[11])),
            agent_id=None if row[12] is None else str(row[12]),
            assigned_at=None if row[13] is None else float(str(row[13])),
            attempts=int(str(row[14])),
            progress=float(str(row[15])),
            excluded=set(json.loads(str(row[16]))),
            canary_rows=tuple(int(r) for r in json.loads(str(row[17]))),
        )

    def open_tasks(self) -> list[TaskRecord]:
        """Tasks not yet completed, failed or cancelled, oldest first."""
        rows = self._db.execute(
            "SELECT * FROM tasks WHERE state IN ('queued', 'assigned', 'running') "
            "ORDER BY created_at"
        ).fetchall()
        return [self._task(row) for row in rows]

    def task(self, task_id: str) -> TaskRecord | None:
        row = self._db.execute("SELECT * FROM tasks WHERE task_id = ?", (task_id,)).fetchone()
        return None if row is None else self._task(row)

    def workload_stats(self) -> dict[str, dict[str, Any]]:
        """Per workload: attempts ``assigned``, results ``verified`` and ``rejected``, and the
        rows per second of the verified embedding results (their rows over their compute time)."""
        stats: dict[str, dict[str, Any]] = {}
        totals: dict[str, list[float]] = {}
        query = (
            "SELECT t.workload, a.outcome, a.verdict FROM attempts a JOIN tasks t USING (task_id)"
        )
        for workload, outcome, verdict in self._db.execute(query):
            entry = stats.setdefault(
                str(workload), {"assigned": 0, "verified": 0, "rejected": 0, "rows_per_s": None}
            )
            entry["assigned"] += 1
            entry["verified"] += outcome == Outcome.COMPLETED.value
            entry["rejected"] += outcome == Outcome.INVALID.value
            if outcome == Outcome.COMPLETED.value and verdict:
                checked = json.loads(verdict)
                total = totals.setdefault(str(workload), [0.0, 0.0])
                total[0] += float(checked.get("rows") or 0)
                total[1] += float(checked.get("infer_s") or 0)
        for workload, (rows, seconds) in totals.items():
            if seconds > 0:
                stats[workload]["rows_per_s"] = round(rows / seconds, 1)
        return stats

    def task_counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT state, count(*) FROM tasks GROUP BY state").fetchall()
        counts = {state.value: 0 for state in TaskState}
        counts.update({str(state): int(n) for state, n in rows})
        return counts

    # ---- attempts ----
    def save_attempt(self, attempt: Attempt) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO attempts VALUES (?,?,?,?,?,?,?,?,?)",
            (
                attempt.task_id,
                attempt.agent_id,
                attempt.token,
                attempt.assigned_at,
                attempt.accepted_at,
                attempt.upload_sha256,
                attempt.upload_size,
                None if attempt.outcome is None else attempt.outcome.value,
                None if attempt.verdict is None else json.dumps(attempt.verdict),
            ),
        )

    def _attempt(self, where: str, args: tuple[str, ...]) -> Attempt | None:
        row = self._db.execute(f"SELECT * FROM attempts WHERE {where}", args).fetchone()
        if row is None:
            return None
        return Attempt(
            task_id=row[0],
            agent_id=row[1],
            token=row[2],
            assigned_at=row[3],
            accepted_at=row[4],
            upload_sha256=row[5],
            upload_size=row[6],
            outcome=None if row[7] is None else Outcome(row[7]),
            verdict=None if row[8] is None else json.loads(row[8]),
        )

    def attempt(self, task_id: str, agent_id: str) -> Attempt | None:
        return self._attempt("task_id = ? AND agent_id = ?", (task_id, agent_id))

    def attempt_by_token(self, task_id: str, token: str) -> Attempt | None:
        return self._attempt("task_id = ? AND token = ?", (task_id, token))

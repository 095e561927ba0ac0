"""The platform database: migrations, a refused newer schema, records that survive a reopen."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from orban_desktop.errors import StorageError
from orban_platform.jobs import JobFactory
from orban_platform.records import Attempt, Outcome, TaskRecord, TaskState
from orban_platform.store import SCHEMA_VERSION, PlatformStore


def test_a_new_database_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    PlatformStore(tmp_path / "p.sqlite3").close()
    db = sqlite3.connect(tmp_path / "p.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "p.sqlite3")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StorageError, match="newer than this build"):
        PlatformStore(tmp_path / "p.sqlite3")


def test_tasks_and_attempts_survive_a_reopen(tmp_path: Path) -> None:
    job = JobFactory(random.Random(1), 64).make("job-1")
    task = TaskRecord(
        task_id="task-1",
        job_id=job.job_id,
        workload=job.workload,
        spec=job.spec,
        requirements=job.requirements,
        priority=2,
        estimated_duration_sec=60,
        model_sha256="a" * 64,
        input_sha256="b" * 64,
        expected_sha256="c" * 64,
        created_at=5.0,
        state=TaskState.RUNNING,
        agent_id="agent-1",
        assigned_at=6.0,
        attempts=1,
        progress=0.5,
        excluded={"agent-0"},
    )
    store = PlatformStore(tmp_path / "p.sqlite3")
    store.save_task(task)
    store.save_attempt(Attempt("task-1", "agent-1", "tok", 6.0, outcome=Outcome.REQUEUED))
    store.enroll("agent-1", "key", 1.0)
    store.close()
    again = PlatformStore(tmp_path / "p.sqlite3")
    assert again.open_tasks() == [task]
    attempt = again.attempt_by_token("task-1", "tok")
    assert attempt is not None and attempt.outcome is Outcome.REQUEUED
    assert again.enrolled_key("agent-1") == "key"
    assert again.task_counts()["running"] == 1

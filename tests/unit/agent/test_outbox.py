"""ResultOutbox: results stored before sending, delivered by ACK or by the no-ack rule, journal."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from orban_desktop.agent.outbox import JournaledTask, OutboxItem, OutboxStats, ResultOutbox
from orban_desktop.agent.outbox_schema import SCHEMA_VERSION, CorruptOutboxError
from orban_desktop.errors import StorageError
from orban_desktop.protocol import messages as m
from orban_desktop.protocol.codec import decode_json
from tests.unit.agent.results import item

HEARTBEAT_S = 30.0


@pytest.fixture
def outbox_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "outbox.sqlite3"


@pytest.fixture
def outbox(outbox_path: Path) -> Iterator[ResultOutbox]:
    with ResultOutbox(outbox_path) as opened:
        yield opened


def test_put_is_idempotent_by_task_first_result_wins(outbox: ResultOutbox) -> None:
    first, second = item("task-1"), item("task-1", failed=True)
    assert outbox.put(first) is True
    assert outbox.put(second) is False
    assert outbox.put(first) is False
    assert outbox.pending() == [first]
    assert outbox.stats() == OutboxStats(pending=1, delivered=0, running=0)


def test_the_stored_frame_is_the_exact_text_and_decodes_to_the_same_message(
    outbox: ResultOutbox,
) -> None:
    stored = item("task-1", failed=True)
    outbox.put(stored)
    [pending] = outbox.pending()
    assert pending.frame_json == stored.frame_json
    decoded = decode_json(pending.frame_json)
    assert isinstance(decoded, m.TaskFailed)
    assert decoded.message_id == stored.message_id  # a re-send keeps the message id


def test_a_message_id_of_another_task_is_refused(outbox: ResultOutbox) -> None:
    stored = item("task-1")
    outbox.put(stored)
    clash = OutboxItem("task-2", stored.message_id, "TASK_FAILED", "{}", 1.0)
    with pytest.raises(ValueError, match="already belongs"):
        outbox.put(clash)
    assert [i.task_id for i in outbox.pending()] == ["task-1"]


def test_an_item_must_be_a_result_type() -> None:
    with pytest.raises(ValueError, match="not a result message type"):
        OutboxItem("task-1", "m-1", "HEARTBEAT", "{}", 1.0)


def test_pending_is_oldest_first_and_ties_keep_insertion_order(outbox: ResultOutbox) -> None:
    for task_id, created in [("c", 30.0), ("a", 10.0), ("b2", 20.0), ("b1", 20.0)]:
        outbox.put(item(task_id, created))
    assert [i.task_id for i in outbox.pending()] == ["a", "b2", "b1", "c"]


def test_ack_marks_delivered_and_returns_the_task(outbox: ResultOutbox) -> None:
    one, two = item("task-1", 1.0), item("task-2", 2.0)
    outbox.put(one)
    outbox.put(two)
    outbox.mark_sent("task-1", "conn-a", 5.0)
    assert outbox.mark_acked(one.message_id) == "task-1"
    assert [i.task_id for i in outbox.pending()] == ["task-2"]
    assert outbox.mark_acked(one.message_id) == "task-1"  # a duplicate ACK is harmless
    assert outbox.mark_acked("not-ours") is None
    assert outbox.stats() == OutboxStats(pending=1, delivered=1, running=0)
    assert outbox.mark_sent("task-1", "conn-b", 6.0) is False  # delivered: nothing to send


def test_mark_delivered(outbox: ResultOutbox) -> None:
    outbox.put(item("task-1"))
    assert outbox.mark_delivered("task-1") is True
    assert outbox.mark_delivered("task-1") is False
    assert outbox.mark_delivered("unknown") is False
    assert outbox.pending() == []


def test_without_ack_a_result_settles_one_interval_after_it_was_sent(outbox: ResultOutbox) -> None:
    outbox.put(item("task-1", 1.0))
    outbox.put(item("task-2", 2.0))
    outbox.put(item("never-sent", 3.0))
    outbox.mark_sent("task-1", "conn-a", 100.0)
    outbox.mark_sent("task-2", "conn-a", 110.0)

    assert outbox.settle_without_ack("conn-a", 129.9, HEARTBEAT_S) == []
    assert outbox.settle_without_ack("conn-a", 130.0, HEARTBEAT_S) == ["task-1"]
    assert outbox.settle_without_ack("conn-a", 200.0, HEARTBEAT_S) == ["task-2"]
    assert outbox.settle_without_ack("conn-a", 10_000.0, HEARTBEAT_S) == []
    assert [i.task_id for i in outbox.pending()] == ["never-sent"]


def test_a_drop_before_the_interval_keeps_the_result_pending_until_resent(
    outbox: ResultOutbox,
) -> None:
    outbox.put(item("task-1"))
    outbox.mark_sent("task-1", "conn-a", 100.0)
    # conn-a drops at 110 s; the next connection is conn-b: its settling ignores conn-a's sends.
    assert outbox.settle_without_ack("conn-b", 500.0, HEARTBEAT_S) == []
    assert [i.task_id for i in outbox.pending()] == ["task-1"]
    # Re-sent after the reconnect; it counts once conn-b stayed up for an interval.
    outbox.mark_sent("task-1", "conn-b", 520.0)
    assert outbox.settle_without_ack("conn-b", 549.0, HEARTBEAT_S) == []
    assert outbox.settle_without_ack("conn-b", 550.0, HEARTBEAT_S) == ["task-1"]
    assert outbox.pending() == []


def test_prune_deletes_only_old_delivered_results(outbox: ResultOutbox) -> None:
    for task_id in ("old", "recent", "pending"):
        outbox.put(item(task_id))
    outbox.mark_delivered("old", now=1000.0)
    outbox.mark_delivered("recent", now=9000.0)
    assert outbox.prune(7 * 86400.0, now=1000.0 + 7 * 86400.0 + 1) == 1
    assert outbox.stats() == OutboxStats(pending=1, delivered=1, running=0)
    assert outbox.put(item("old")) is True  # forgotten: (a very late duplicate would be new)


def test_journal_survives_reopen(outbox_path: Path) -> None:
    running = [
        JournaledTask("task-1", '{"type":"TASK_ASSIGN"}', 0, "/tmp/work/task-1", 50.0),
        JournaledTask("task-2", '{"type":"TASK_ASSIGN"}', 1, None, 40.0),
    ]
    with ResultOutbox(outbox_path) as outbox:
        for task in running:
            outbox.task_started(task)
        outbox.task_started(JournaledTask("task-3", "{}", 0, None, 60.0))
        assert outbox.task_finished("task-3") is True
        assert outbox.task_finished("task-3") is False
        outbox.put(item("task-1"))
    with ResultOutbox(outbox_path) as reopened:  # the process died and started again
        assert reopened.running_tasks() == [running[1]]  # task-1 has its result stored
        assert [i.task_id for i in reopened.pending()] == ["task-1"]
        assert reopened.stats() == OutboxStats(pending=1, delivered=0, running=1)
        assert reopened.integrity_check() == "ok"


def test_task_started_twice_replaces_the_entry(outbox: ResultOutbox) -> None:
    outbox.task_started(JournaledTask("task-1", "{}", 0, None, 1.0))
    outbox.task_started(JournaledTask("task-1", "{}", 1, "/w", 2.0))
    assert outbox.running_tasks() == [JournaledTask("task-1", "{}", 1, "/w", 2.0)]


def test_the_file_is_wal_with_full_sync_and_versioned(outbox: ResultOutbox) -> None:
    with sqlite3.connect(outbox.path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert other.execute("SELECT max(version) FROM schema_version").fetchone()[0] == (
            SCHEMA_VERSION
        )
    other.close()


def test_the_outboxs_page_cache_is_bounded(outbox: ResultOutbox) -> None:
    # negative: KiB; the outbox is written far more than read, a small cache is enough
    assert outbox._conn.execute("PRAGMA cache_size").fetchone()[0] == -256


def test_a_damaged_file_is_reported_with_a_copy_and_can_be_recovered(outbox_path: Path) -> None:
    outbox_path.parent.mkdir(parents=True)
    outbox_path.write_bytes(b"this is not an SQLite database" * 100)
    with pytest.raises(CorruptOutboxError) as caught:
        ResultOutbox(outbox_path)
    assert caught.value.backup.exists()
    assert "ResultOutbox.recover" in caught.value.message
    outbox, moved = ResultOutbox.recover(outbox_path)
    with outbox:
        assert moved is not None and moved.read_bytes().startswith(b"this is not")
        assert outbox.put(item("task-1")) is True


def test_a_newer_schema_is_refused(outbox_path: Path) -> None:
    ResultOutbox(outbox_path).close()
    with sqlite3.connect(outbox_path) as other:
        other.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION + 1,))
    other.close()
    with pytest.raises(StorageError, match="Update Orban Agent"):
        ResultOutbox(outbox_path)


def test_a_failed_write_is_a_storage_error_and_stores_nothing(outbox_path: Path) -> None:
    outbox = ResultOutbox(outbox_path)
    outbox.close()
    with pytest.raises(StorageError, match="the change was not stored"):
        outbox.put(item("task-1"))
    with ResultOutbox(outbox_path) as reopened:
        assert reopened.pending() == []


def test_prune_drops_old_undelivered_results_and_old_task_memories(tmp_path: Path) -> None:
    box = ResultOutbox(tmp_path / "prune.db")
    try:
        for task_id, started in (("old", 1_000.0), ("new", 9_000.0)):
            box.task_started(JournaledTask(task_id, "{}", 0, None, started, 5))
            box.put(item(task_id, created_at=started))  # never delivered
        assert box.task_run("old") is not None
        removed = box.prune(
            100, undelivered_older_than_s=5_000, tasks_older_than_s=5_000, now=10_000
        )
        assert removed == 1
        assert box.result_for("old") is None and box.result_for("new") is not None
        assert box.task_run("old") is None
        run = box.task_run("new")
        assert run is not None and run.priced_ceiling_micros == 5
        assert box.prune(100, now=10_000) == 0  # without the limits only delivered ones go
    finally:
        box.close()

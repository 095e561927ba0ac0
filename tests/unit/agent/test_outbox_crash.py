"""Crash safety: a writer killed with SIGKILL at random moments loses nothing it reported stored.

A child process opens the outbox and, in a loop, journals a task as running, stores its result
(which ends the journal entry in the same transaction) and marks every other result delivered,
printing each step only after the call (and so its COMMIT) returned. The parent kills it with
SIGKILL at random moments, about 50 times, on the same file: sometimes while it opens (quick
check, migrations), mostly in the middle of writes. Afterwards every reported result must be
stored, every reported delivery must hold, the journal must never list a task whose result is
stored, and the file must pass the full integrity check. A file damaged on disk (not by a crash)
is caught by the quick check at open, before anything writes to it.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orban_desktop.agent.outbox import OutboxItem, ResultOutbox
from orban_desktop.agent.outbox_schema import CorruptOutboxError

KILL_CYCLES = 50
REPO_ROOT = Path(__file__).resolve().parents[3]

WRITER = r"""
import sys
from pathlib import Path

from orban_desktop.agent.outbox import OutboxItem, ResultOutbox, JournaledTask

outbox = ResultOutbox(Path(sys.argv[1]))
prefix = sys.argv[2]
index = 0
while True:
    task_id = f"{prefix}-{index}"
    outbox.task_started(JournaledTask(task_id, '{"type":"TASK_ASSIGN"}', index % 2, None, index))
    print("started", task_id, flush=True)
    frame = '{"message_id":"m-%s","type":"TASK_COMPLETE","task_id":"%s"}' % (task_id, task_id)
    outbox.put(OutboxItem(task_id, "m-" + task_id, "TASK_COMPLETE", frame, float(index)))
    print("stored", task_id, flush=True)
    if index % 2:
        outbox.mark_acked("m-" + task_id)
        print("delivered", task_id, flush=True)
    index += 1
"""


def _run_and_kill(db: Path, prefix: str, rng: random.Random) -> list[tuple[str, str]]:
    """Start a writer, SIGKILL it at a random moment, return the (step, task) lines it printed."""
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), prefix],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert writer.stdout is not None and writer.stderr is not None
    output = b""
    if rng.random() < 0.2:
        time.sleep(rng.uniform(0.0, 0.1))  # may land while it starts, opens or migrates
    else:
        output = writer.stdout.readline()  # it is writing now
        if not output:
            writer.wait()
            raise AssertionError(writer.stderr.read().decode(errors="replace"))
        time.sleep(rng.uniform(0.0, 0.03))
    writer.send_signal(signal.SIGKILL)
    output += writer.stdout.read()
    writer.wait()
    writer.stdout.close()
    writer.stderr.close()
    assert writer.returncode == -signal.SIGKILL
    # Only complete lines were reported; a torn last line (no newline) was not.
    lines = [line.decode().split() for line in output.split(b"\n")[:-1]]
    return [(step, task_id) for step, task_id in lines]


def test_sigkilled_writer_loses_nothing_it_reported(tmp_path: Path) -> None:
    db = tmp_path / "outbox.sqlite3"
    seed = int(os.environ.get("ORBAN_CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    reported: list[tuple[str, str]] = []
    for cycle in range(KILL_CYCLES):
        reported += _run_and_kill(db, f"c{cycle}", rng)

    def reported_as(step: str) -> set[str]:
        return {task for kind, task in reported if kind == step}

    assert len(reported_as("stored")) > KILL_CYCLES, f"too few writes to matter (seed {seed})"
    with ResultOutbox(db) as outbox:  # opening runs the quick check; this is the full one
        assert outbox.integrity_check() == "ok"
        running = {task.task_id for task in outbox.running_tasks()}
    with sqlite3.connect(db) as conn:
        results = dict(conn.execute("SELECT task_id, delivered_at FROM results").fetchall())
    conn.close()
    delivered = {task for task, delivered_at in results.items() if delivered_at is not None}

    lost = sorted(reported_as("stored") - results.keys())
    assert not lost, f"reported stored but lost (seed {seed}): {lost[:10]}"
    undone = sorted(reported_as("delivered") - delivered)
    assert not undone, f"reported delivered but pending again (seed {seed}): {undone[:10]}"
    vanished = sorted(reported_as("started") - running - results.keys())
    assert not vanished, f"neither running nor with a result (seed {seed}): {vanished[:10]}"
    both = sorted(running & results.keys())
    assert not both, f"journaled as running with a stored result (seed {seed}): {both[:10]}"


def test_damaged_pages_are_caught_at_open_before_any_write(tmp_path: Path) -> None:
    db = tmp_path / "outbox.sqlite3"
    with ResultOutbox(db) as outbox:
        for index in range(400):
            frame = f'{{"message_id":"m-{index}","type":"TASK_COMPLETE"}}'
            outbox.put(OutboxItem(f"t-{index}", f"m-{index}", "TASK_COMPLETE", frame, 1.0))
    data = bytearray(db.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    assert len(data) > 4 * page_size
    data[2 * page_size : 4 * page_size] = bytes([0x5A]) * (2 * page_size)  # pages 3 and 4
    db.write_bytes(data)
    with pytest.raises(CorruptOutboxError) as caught:
        ResultOutbox(db)
    assert db.read_bytes() == bytes(data)  # left exactly as found
    assert caught.value.backup.read_bytes() == bytes(data)
    assert "ResultOutbox.recover" in caught.value.message

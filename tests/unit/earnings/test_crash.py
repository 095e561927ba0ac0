"""Crash safety: a writer process killed with SIGKILL at random moments loses nothing it reported.

A child process opens the ledger and appends records in a loop, printing each id only after
``record_earnings`` (and so its COMMIT) returned. The parent kills it with SIGKILL at random
moments, 200+ times, on the same database file: sometimes while it opens (integrity check,
migrations), mostly in the middle of appends. Afterwards every reported id must be stored,
``integrity_check`` must say ok, and the trigger-kept totals must equal the records' sum.
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

from orban_desktop.earnings.ledger import EarningsLedger

pytestmark = pytest.mark.slow

KILL_CYCLES = 220
REPO_ROOT = Path(__file__).resolve().parents[3]

WRITER = r"""
import sys
from datetime import UTC, datetime
from pathlib import Path

from orban_desktop.earnings.ledger import EarningsLedger
from orban_desktop.earnings.records import EarningEntry
from orban_desktop.money import Money

ledger = EarningsLedger(Path(sys.argv[1]))
amount, rate = Money.parse("0.1036875"), Money.parse("1.25")
index = 0
while True:
    record_id = f"{sys.argv[2]}-{index}"
    ledger.record_earnings(EarningEntry(
        record_id=record_id, task_id=record_id, amount=amount, gpu_hours=0.079,
        rate_per_hour=rate, recorded_at=datetime.now(UTC), gpu_index=index % 4,
    ))
    sys.stdout.write(record_id + "\n")
    sys.stdout.flush()
    index += 1
"""


def _run_and_kill(db: Path, prefix: str, rng: random.Random) -> list[str]:
    """Start a writer, SIGKILL it at a random moment, return the ids it reported committed."""
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), prefix],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert writer.stdout is not None and writer.stderr is not None
    output = b""
    if rng.random() < 0.25:
        time.sleep(rng.uniform(0.0, 0.15))  # may land while it imports, opens or migrates
    else:
        output = writer.stdout.readline()  # it is appending now
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
    return [line.decode() for line in output.split(b"\n")[:-1]]


def test_sigkilled_writer_loses_nothing_it_reported(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite3"
    seed = int(os.environ.get("ORBAN_CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    reported: list[str] = []
    for cycle in range(KILL_CYCLES):
        reported += _run_and_kill(db, f"c{cycle}", rng)

    assert len(reported) > KILL_CYCLES, f"too few appends to mean anything (seed {seed})"
    with sqlite3.connect(db) as conn:
        stored = {row[0] for row in conn.execute("SELECT record_id FROM earnings")}
        [(records_sum, totals_sum)] = conn.execute(
            "SELECT (SELECT coalesce(sum(amount_micros), 0) FROM earnings),"
            " (SELECT coalesce(sum(amount_micros), 0) FROM totals)"
        )
    conn.close()
    missing = sorted(set(reported) - stored)
    assert not missing, f"committed but lost (seed {seed}): {missing[:10]}"
    assert records_sum == totals_sum == len(stored) * 103_688
    with EarningsLedger(db) as ledger:  # opening runs integrity_check too
        assert ledger.integrity_check() == "ok"
        assert ledger.get_data().history_count == len(stored)

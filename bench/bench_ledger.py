"""Benchmark of the earnings ledger against the seed's approach (rewrite earnings.json per record).

Prints, at 10k, 100k and 1M stored records: the time to open the ledger (integrity check included),
the latency of single committed appends (median and p99, each one a COMMIT with synchronous=FULL),
the dashboard summary (``get_data`` page 0), 30 daily totals and the per-GPU sums. In the same run
it times the seed's way, which rewrites the whole JSON file (and fsyncs it) for every record, at
10k and 100k records. The "open" section times, at 1M records, the ledger ready to use (the
quick check that opening runs) against an open with the full ``integrity_check`` (the check
opening ran before; now ``orban-agent check-data``), and their ratio (target: ready in under
0.5 s). Its 1M-record file is built once and kept in the temp folder, named by schema version.
Run: ``.venv/bin/python -m bench.bench_ledger [--only open]``. Imports nothing from Qt.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bench.targets import target_line
from orban_desktop.earnings.ledger import EarningsLedger
from orban_desktop.earnings.local_time import rfc3339, to_us
from orban_desktop.earnings.records import EarningEntry
from orban_desktop.earnings.schema import SCHEMA_VERSION
from orban_desktop.earnings.storage import LEDGER_FILE
from orban_desktop.money import Money, micros_to_text
from orban_desktop.protocol.enums import EarningStatus
from orban_desktop.storage.database import CheckDepth, open_database

LEDGER_SIZES = (10_000, 100_000, 1_000_000)
SEED_APPENDS = {10_000: 20, 100_000: 5}
LEDGER_APPENDS = 300
SUMMARY_RUNS = 20
OPEN_RECORDS = 1_000_000
OPEN_ROUNDS = 3
NOW = datetime.now(UTC)
_STATUSES = [s.value for s in EarningStatus]


def _bulk_rows(start: int, stop: int, rng: random.Random) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for i in range(start, stop):
        at = NOW - timedelta(seconds=rng.uniform(0, 365 * 86400))
        micros = rng.randrange(1_000, 5_000_000)
        text = micros_to_text(micros)
        rows.append((f"bulk-{i}", f"bulk-{i}", "USD", micros, text, 0.5, 1_250_000, "1.25",
                     rng.choice(_STATUSES), to_us(at), rng.randrange(4), to_us(NOW)))  # fmt: skip
    return rows


def _grow(path: Path, start: int, stop: int, rng: random.Random) -> None:
    """Add rows ``start..stop`` with one executemany in one transaction (the ledger is closed)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO earnings (record_id, task_id, currency, amount_micros, amount_text, gpu_hours,"
        " rate_micros, rate_text, status, recorded_at_us, gpu_index, updated_at_us)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        _bulk_rows(start, stop, rng),
    )
    conn.execute("COMMIT")
    conn.close()


def _entry(record_id: str) -> EarningEntry:
    return EarningEntry(
        record_id=record_id,
        task_id=record_id,
        amount=Money.parse("0.1036875"),
        gpu_hours=0.079,
        rate_per_hour=Money.parse("1.25"),
        amount_before_bonus=Money.parse("0.09875"),
        bonus_multiplier=1.05,
        status=EarningStatus.PENDING,
        recorded_at=datetime.now(UTC),
        gpu_index=0,
    )


def _timed(action: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[98]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:9.2f}"


def _measure_ledger(path: Path, size: int) -> str:
    """Open the ledger at ``size`` records and time appends and reads; one table line."""
    started = time.perf_counter()
    ledger = EarningsLedger(path)
    opened = time.perf_counter() - started
    ids = (f"append-{size}-{i}" for i in range(LEDGER_APPENDS))
    appends = _timed(lambda: ledger.record_earnings(_entry(next(ids))), LEDGER_APPENDS)
    summary = _timed(lambda: ledger.get_data(page=0), SUMMARY_RUNS)
    days = _timed(lambda: ledger.daily_totals(days=30), 3)
    gpus = _timed(ledger.totals_by_gpu, 3)
    ledger.close()
    return (
        f"{_ms(opened)}  | {_ms(statistics.median(appends))}  | {_ms(_p99(appends))}  |"
        f" {_ms(statistics.median(summary))}   |{_ms(statistics.median(days))}|"
        f"{_ms(statistics.median(gpus))}"
    )


def bench_ledger(folder: Path) -> None:
    path = folder / "ledger.sqlite3"
    EarningsLedger(path).close()
    rng, have = random.Random(7), 0
    print("ledger (SQLite WAL, synchronous=FULL), times in ms")
    print(" records | build s | open+check | append med | append p99 | summary med |"
          " 30 days | by GPU")  # fmt: skip
    for size in LEDGER_SIZES:
        started = time.perf_counter()
        _grow(path, have, size, rng)
        build, have = time.perf_counter() - started, size
        print(f"{size:8d} | {build:7.1f} | {_measure_ledger(path, size)}", flush=True)


def _cached_million() -> Path:
    """The 1M-record ledger kept in the temp folder (built on first use: about a minute)."""
    name = f"orban-bench-ledger-v{SCHEMA_VERSION}-{OPEN_RECORDS}.sqlite3"
    cached = Path(tempfile.gettempdir()) / name
    if not cached.exists():
        print(f"building {cached} ({OPEN_RECORDS} records, once)...", flush=True)
        building = cached.with_name(cached.name + ".building")
        for leftover in building.parent.glob(building.name + "*"):
            leftover.unlink()
        EarningsLedger(building).close()
        _grow(building, 0, OPEN_RECORDS, random.Random(7))
        EarningsLedger(building).close()  # checkpointed: one self-contained file
        os.replace(building, cached)
    return cached


def _open_ready(path: Path) -> None:
    EarningsLedger(path).close()


def _open_full(path: Path) -> None:
    open_database(LEDGER_FILE, path, CheckDepth.FULL).close()


def _quick_with_checks(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA quick_check").fetchall()
    conn.close()


def bench_open(folder: Path) -> None:
    """Ledger ready (quick check) against an open with integrity_check, at 1M records."""
    path = folder / "million.sqlite3"
    shutil.copyfile(_cached_million(), path)
    ready, full = "ready (quick check, opening now)", "open with integrity_check (before)"
    ways = {ready: _open_ready, "plain PRAGMA quick_check (CHECK too)": _quick_with_checks,
            full: _open_full}  # fmt: skip
    samples: dict[str, list[float]] = {label: [] for label in ways}
    for _ in range(OPEN_ROUNDS):  # interleaved: the machine's load changes over time
        for label, way in ways.items():
            samples[label] += _timed(functools.partial(way, path), 1)
    print(f"\nopen at {OPEN_RECORDS} records ({path.stat().st_size >> 20} MiB),"
          f" median of {OPEN_ROUNDS} interleaved rounds, seconds")  # fmt: skip
    for label, times in samples.items():
        print(f"  {label:38s} {statistics.median(times):7.3f}  (min {min(times):.3f})")
    ready_s, full_s = statistics.median(samples[ready]), statistics.median(samples[full])
    print(f"  ready / integrity_check open           {ready_s / full_s:7.3f}x")
    print("bench_ledger targets (issue 21):")
    print(target_line("1M-record ledger ready, median", ready_s, "s", 0.5, digits=3), flush=True)


def _seed_record(i: int) -> dict[str, object]:
    return {"timestamp": rfc3339(NOW - timedelta(minutes=i)), "task_id": "", "gpu_hours": 0.079,
            "rate_per_hour": "1.25", "amount": "0.1036875", "status": "Pending"}  # fmt: skip


def _seed_save(path: Path, data: dict[str, object]) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps(data, indent=2))  # serde_json::to_string_pretty
        out.flush()
        os.fsync(out.fileno())


def _measure_seed(path: Path, size: int, runs: int) -> str:
    history = [_seed_record(i) for i in range(size)]
    data: dict[str, object] = {"total_earnings": "0", "today_earnings": "0",
                               "pending_earnings": "0", "history": history}  # fmt: skip
    _seed_save(path, data)

    def append() -> None:
        history.append(_seed_record(0))
        _seed_save(path, data)

    def today_scan() -> None:  # the seed's update_today_earnings
        today = rfc3339(NOW)[:10]
        sum(Decimal(str(h["amount"])) for h in history if str(h["timestamp"])[:10] == today)

    appends = _timed(append, runs)
    scans = _timed(today_scan, 5)
    return (
        f"{_ms(statistics.median(appends))}  | {_ms(max(appends))}  |"
        f" {_ms(statistics.median(scans))}"
    )


def bench_seed(folder: Path) -> None:
    print("\nseed approach (whole earnings.json rewritten + fsync per record), times in ms")
    print(" records | append med | append max | summary (today scan)")
    for size, runs in SEED_APPENDS.items():
        print(f"{size:8d} | {_measure_seed(folder / 'earnings.json', size, runs)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["open"], help="run only that section")
    only = parser.parse_args().only
    where = tempfile.gettempdir()
    print(f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, files under {where}")
    with tempfile.TemporaryDirectory(prefix="bench-ledger-") as folder:
        if only is None:
            bench_ledger(Path(folder))
            bench_seed(Path(folder))
        bench_open(Path(folder))


if __name__ == "__main__":
    main()

"""What grows in the running desktop app: tracemalloc snapshots and object counts, minutes apart.

Runs the app as :mod:`bench.bench_app` does (offscreen, 8 simulated GPUs at 1 Hz, against a local
platform in its own process, ``busy`` or ``idle``, window shown or ``--hidden``), but inside a
wrapper that starts :mod:`tracemalloc` first. After ``--warm-up`` seconds a thread takes a first
snapshot and counts the live Python objects by type; every ``--every`` seconds after that it
prints the source lines whose allocations grew most since the first snapshot, and the object
types whose counts grew most. A finding tool, not a figure: tracemalloc itself slows the app.

Run: ``.venv/bin/python -m bench.memory_trace --minutes 4 [--load idle] [--hidden]``. Imports no
Qt itself (the child runs the app).
"""

from __future__ import annotations

import argparse
import collections
import gc
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

from bench.app_process import launch, platform, stop

TOP = 15


def object_counts() -> collections.Counter[str]:
    return collections.Counter(type(o).__qualname__ for o in gc.get_objects())


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def report_growth(first: tracemalloc.Snapshot, counts: collections.Counter[str]) -> None:
    """Print what grew since ``first`` (allocations by line, objects by type) to stderr."""
    now = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)]
    )
    traced = sum(stat.size for stat in now.statistics("filename"))
    rss_kb = _rss_kb()
    lines = [
        f"--- memory_trace at {time.monotonic():.0f}: Python heap {traced / 2**20:.1f} MB "
        f"(tracemalloc), RSS {rss_kb / 1024:.1f} MB; top growth by line"
    ]
    for stat in now.compare_to(first, "lineno")[:TOP]:
        lines.append(f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d}  {stat.traceback}")
    grown = object_counts()
    grown.subtract(counts)
    lines.append("--- object types that grew")
    for name, diff in grown.most_common(TOP):
        lines.append(f"  {diff:+8d}  {name}")
    print("\n".join(lines), file=sys.stderr, flush=True)


def watch(warm_up_s: float, every_s: float) -> None:
    time.sleep(warm_up_s)
    first = tracemalloc.take_snapshot()
    counts = object_counts()
    print("--- memory_trace: first snapshot taken", file=sys.stderr, flush=True)
    while True:
        time.sleep(every_s)
        report_growth(first, counts)


def child(argv: list[str], warm_up_s: float, every_s: float) -> int:
    """Run the app under tracemalloc, with the watching thread."""
    tracemalloc.start(1)
    threading.Thread(target=watch, args=(warm_up_s, every_s), daemon=True).start()
    from orban_desktop.app import main

    return main(argv)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=4.0)
    parser.add_argument("--warm-up", type=float, default=60.0)
    parser.add_argument("--every", type=float, default=60.0)
    parser.add_argument("--load", choices=("idle", "busy"), default="busy")
    parser.add_argument("--hidden", action="store_true")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        return child(args.child, args.warm_up, args.every)
    with tempfile.TemporaryDirectory(prefix="orban-memory-trace-") as folder:
        root = Path(folder)
        with platform(root, 0 if args.load == "idle" else 4) as url:
            process, _started, lines = launch(
                root / "app",
                args.hidden,
                url,
                wrapper=["-m", "bench.memory_trace", "--warm-up", str(args.warm_up),
                         "--every", str(args.every), "--child"],
            )  # fmt: skip
            try:
                time.sleep(args.warm_up + args.minutes * 60)
            finally:
                stop(process)
        time.sleep(0.5)
        for line in lines:
            text = line.split(" ", 1)[1] if " " in line else line
            if text.startswith(("---", "  ")):
                print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

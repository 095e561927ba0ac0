"""The desktop app's cost: resident memory and CPU over time, and launch to first paint.

Runs ``orban-desktop --demo --simulate-gpus 8 --sample-interval 1`` (the embedded local platform
and 8 simulated GPUs sampled at 1 Hz, real demo tasks in the process sandbox) under offscreen
Qt, once with the window shown and once started hidden (``--hidden``), each for ``--minutes``
(default 10, as the issue asks). After a warm-up it reads ``/proc`` every ``--every`` seconds:
RSS of the app process, and its CPU time (user + system, the embedded platform included; task
processes are counted apart). It also launches the app ``--launches`` times to time launch to
first painted window (from ``Popen`` to the app's "first window painted" log line).

Run: ``.venv/bin/python -m bench.bench_app --minutes 1``. Linux only (reads ``/proc``). Prints
figures only; no pass/fail. Targets from the issue: RSS under 160 MB and flat; CPU under 3 % of a
core shown, under 1 % hidden. Imports no Qt itself.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PAINTED = "first window painted"


@dataclass
class Sample:
    at_s: float
    rss_mb: float
    cpu_s: float
    children_cpu_s: float


@dataclass
class Run:
    mode: str
    samples: list[Sample] = field(default_factory=list)
    painted_after_s: float | None = None


def read_proc(pid: int) -> tuple[float, float, float]:
    """(RSS in MB, own CPU seconds, waited-for children's CPU seconds) of ``pid``."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(fields[i]) for i in (11, 12, 13, 14))
    return rss_kb / 1024, (utime + stime) / TICKS, (cutime + cstime) / TICKS


def launch(root: Path, hidden: bool) -> tuple[subprocess.Popen[str], float, list[str]]:
    argv = [sys.executable, "-m", "orban_desktop.app", "--demo", "--simulate-gpus", "8",
            "--sample-interval", "1", "--root", str(root)]  # fmt: skip
    if hidden:
        argv.append("--hidden")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.monotonic()
    process = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    lines: list[str] = []

    def pump() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(f"{time.monotonic() - started:.3f} {line.rstrip()}")

    threading.Thread(target=pump, daemon=True).start()
    return process, started, lines


def painted_after(lines: list[str]) -> float | None:
    for line in list(lines):
        if PAINTED in line:
            return float(line.split(" ", 1)[0])
    return None


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def measure(mode: str, minutes: float, every_s: float, warm_up_s: float) -> Run:
    run = Run(mode)
    with tempfile.TemporaryDirectory(prefix="orban-bench-app-") as folder:
        process, started, lines = launch(Path(folder), hidden=mode == "hidden")
        try:
            time.sleep(warm_up_s)
            run.painted_after_s = painted_after(lines)
            end = time.monotonic() + minutes * 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError("the app exited early:\n" + "\n".join(lines[-20:]))
                run.samples.append(Sample(time.monotonic() - started, *read_proc(process.pid)))
                if time.monotonic() >= end:
                    break
                time.sleep(min(every_s, max(0.0, end - time.monotonic())))
        finally:
            stop(process)
    return run


def slope_mb_per_min(samples: list[Sample]) -> float:
    if len(samples) < 2:
        return 0.0
    xs = [s.at_s / 60 for s in samples]
    ys = [s.rss_mb for s in samples]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def report(run: Run) -> None:
    first, last = run.samples[0], run.samples[-1]
    span = last.at_s - first.at_s
    cpu = 100 * (last.cpu_s - first.cpu_s) / span if span else 0.0
    tasks = 100 * (last.children_cpu_s - first.children_cpu_s) / span if span else 0.0
    rss = [s.rss_mb for s in run.samples]
    print(f"\n{run.mode}: {len(run.samples)} samples over {span / 60:.1f} min (after warm-up)")
    print(f"  RSS MB      start {rss[0]:.1f}  end {rss[-1]:.1f}  max {max(rss):.1f}  "
          f"slope {slope_mb_per_min(run.samples):+.2f} MB/min")  # fmt: skip
    print(f"  CPU         {cpu:.2f} % of one core (app + embedded platform)")
    print(f"  task procs  {tasks:.2f} % of one core (demo tasks in the process sandbox)")
    minute_marks = [s for s in run.samples if round(s.at_s) % 60 < 10] or run.samples
    trail = "  ".join(f"{s.at_s / 60:.0f}m:{s.rss_mb:.0f}" for s in minute_marks[::1][:12])
    print(f"  RSS by minute  {trail}")


def launch_times(count: int) -> list[float]:
    times = []
    for _ in range(count):
        with tempfile.TemporaryDirectory(prefix="orban-bench-launch-") as folder:
            process, _started, lines = launch(Path(folder), hidden=False)
            deadline = time.monotonic() + 120
            while painted_after(lines) is None and time.monotonic() < deadline:
                time.sleep(0.02)
            painted = painted_after(lines)
            stop(process)
            if painted is not None:
                times.append(painted)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Memory and CPU of the running desktop app.")
    parser.add_argument("--minutes", type=float, default=10.0, help="per mode (default 10)")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--warm-up", type=float, default=30.0, help="seconds before sampling")
    parser.add_argument("--launches", type=int, default=3, help="launches timed to first paint")
    parser.add_argument("--modes", default="shown,hidden", help="shown, hidden or both")
    args = parser.parse_args(argv)
    print(f"bench_app: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, offscreen Qt, "
          f"8 simulated GPUs at 1 Hz, {args.minutes:g} min per mode")  # fmt: skip
    times = launch_times(args.launches)
    if times:
        print(f"launch to first painted window: median {statistics.median(times):.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in times)})")  # fmt: skip
    for mode in args.modes.split(","):
        run = measure(mode.strip(), args.minutes, args.every, args.warm_up)
        report(run)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The desktop app's cost: resident memory and CPU over time, and launch to first paint.

Runs ``orban-desktop --simulate-gpus 8 --sample-interval 1`` (8 simulated GPUs sampled at 1 Hz)
under offscreen Qt against a local platform in its own process (``orban-agent platform``), so
the figures are the app's alone: ``idle`` (the platform queues no job: the cost of the agent's
loops and the UI) and ``busy`` (jobs keep coming, 2 at a time, in the process sandbox: the
platform's real model jobs when the runner environment ``.runner-venv`` exists, checksum canaries
otherwise; the process sandbox even where Docker runs; ``bench.app_process.prepare_agent``), each
with the window shown and started hidden (``--hidden``), each for ``--minutes``. After
``--warm-up`` seconds it reads ``/proc`` every ``--every`` seconds: RSS and CPU time (user +
system) of the app process; task processes are counted apart. The memory slope is the least
squares fit of RSS over those samples, in MB per minute. It also times ``--launches`` launches
of ``orban-desktop --demo`` (the ``make run`` path, platform embedded) from ``Popen`` to the
"first window painted" line, and prints every issue-21 target next to its figure.

``--soak`` is the long run: busy, window shown (unless ``--modes``/``--loads`` say otherwise),
60 minutes unless ``--minutes`` says otherwise, with the RSS every ten minutes and, beside the
slope of the whole run (the target), the slope of its second half alone: whether the growth bends
once the bounded stores (the task book, the log ring, SQLite's page caches) are full.

Run: ``.venv/bin/python -m bench.bench_app --minutes 1`` or ``... --soak``. Linux only (reads
``/proc``). Figures only; no pass/fail exit status. Imports no Qt itself.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.app_process import (
    TASK_SLOTS,
    jobs_done,
    launch,
    painted_after,
    platform,
    read_proc,
    runner_python,
    stop,
)
from bench.targets import target_line

RSS_LIMIT_MB = 160.0
SLOPE_LIMIT_MB_MIN = 0.05
CPU_LIMITS = {"shown": 3.0, "hidden": 1.0}  # % of one core, app process alone, busy
PAINT_LIMIT_S = 1.0


@dataclass
class Sample:
    at_s: float
    rss_mb: float
    cpu_s: float
    children_cpu_s: float


@dataclass
class Run:
    load: str
    mode: str
    samples: list[Sample] = field(default_factory=list)
    #: Tasks done while sampling: (seconds after the first sample, real model job?).
    jobs: list[tuple[float, bool]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.load}, window {self.mode}"


def measure(load: str, mode: str, minutes: float, every_s: float, warm_up_s: float) -> Run:
    run = Run(load, mode)
    jobs = 0 if load == "idle" else 4
    with (
        tempfile.TemporaryDirectory(prefix="orban-bench-app-") as folder,
        platform(Path(folder), jobs) as url,
    ):
        process, started, lines = launch(Path(folder) / "app", mode == "hidden", url)
        try:
            time.sleep(warm_up_s)
            sampling_since = time.time()
            end = time.monotonic() + minutes * 60
            while True:
                if process.poll() is not None or any("cannot start" in x for x in lines):
                    raise RuntimeError("the app stopped early:\n" + "\n".join(lines[-20:]))
                run.samples.append(Sample(time.monotonic() - started, *read_proc(process.pid)))
                if time.monotonic() >= end:
                    break
                time.sleep(min(every_s, max(0.0, end - time.monotonic())))
        finally:
            stop(process)
        run.jobs = jobs_done(Path(folder), sampling_since) if load == "busy" else []
    return run


def slope_mb_per_min(samples: list[Sample]) -> float:
    """Least squares slope of RSS over time, MB per minute (0 with fewer than 2 samples)."""
    if len(samples) < 2:
        return 0.0
    xs = [s.at_s / 60 for s in samples]
    ys = [s.rss_mb for s in samples]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def cpu_percent(run: Run) -> tuple[float, float]:
    """(app process, task processes) CPU over the run, % of one core."""
    first, last = run.samples[0], run.samples[-1]
    span = last.at_s - first.at_s
    if not span:
        return 0.0, 0.0
    return (
        100 * (last.cpu_s - first.cpu_s) / span,
        100 * (last.children_cpu_s - first.children_cpu_s) / span,
    )


def report(run: Run, trail_every_min: float) -> list[str]:
    """Print one run's figures; returns its target lines."""
    span = run.samples[-1].at_s - run.samples[0].at_s
    cpu, tasks = cpu_percent(run)
    rss = [s.rss_mb for s in run.samples]
    slope = slope_mb_per_min(run.samples)
    print(f"\n{run.name}: {len(run.samples)} samples over {span / 60:.1f} min (after warm-up)")
    print(f"  RSS MB      start {rss[0]:.1f}  end {rss[-1]:.1f}  max {max(rss):.1f}  "
          f"slope {slope:+.3f} MB/min")  # fmt: skip
    print(f"  CPU         {cpu:.2f} % of one core (the app process)")
    print(f"  task procs  {tasks:.2f} % of one core (the tasks' own processes, reaped by the app)")
    if run.load == "busy":
        real = sum(1 for _, is_real in run.jobs if is_real)
        print(f"  tasks done  {real} real model jobs, {len(run.jobs) - real} checksum canaries")
    marks: list[str] = []
    next_mark = 0.0
    for sample in run.samples:
        minute = (sample.at_s - run.samples[0].at_s) / 60
        if minute >= next_mark:
            marks.append(f"{minute:.0f}m:{sample.rss_mb:.1f}")
            next_mark += trail_every_min
    print(f"  RSS trail   {'  '.join(marks)}")
    if span >= 20 * 60:  # a soak: does the slope bend once the bounded stores are full?
        half = [s for s in run.samples if s.at_s - run.samples[0].at_s >= span / 2]
        print(f"  RSS slope   {slope_mb_per_min(half):+.3f} MB/min over the second half alone")
    if run.jobs:
        print(f"  real jobs   {jobs_trail(run, trail_every_min)}")
    lines = [
        target_line(f"RSS max, {run.name}", max(rss), "MB", RSS_LIMIT_MB),
        target_line(f"RSS slope, {run.name}", slope, "MB/min", SLOPE_LIMIT_MB_MIN, digits=3),
    ]
    if run.load == "busy" and run.mode in CPU_LIMITS:
        lines.append(target_line(f"CPU app, {run.name}", cpu, "%", CPU_LIMITS[run.mode]))
    return lines


def jobs_trail(run: Run, every_min: float) -> str:
    """Real model jobs done in each ``every_min`` window of the run ("0-10m:41  10-20m:39")."""
    span_min = (run.samples[-1].at_s - run.samples[0].at_s) / 60
    windows = max(1, int(-(-(span_min - 0.5) // every_min)))  # a last half minute: no window
    counts = [0] * windows
    for at_s, is_real in run.jobs:
        if is_real:
            counts[min(windows - 1, int(at_s / 60 // every_min))] += 1
    return "  ".join(
        f"{i * every_min:g}-{(i + 1) * every_min:g}m:{n}" for i, n in enumerate(counts)
    )


def launch_times(count: int) -> list[float]:
    times = []
    for _ in range(count):
        with tempfile.TemporaryDirectory(prefix="orban-bench-launch-") as folder:
            process, _started, lines = launch(Path(folder), False, None)
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
    parser.add_argument("--soak", action="store_true", help="the long run (60 min, busy, shown)")
    parser.add_argument("--minutes", type=float, help="per run (default 10; 60 with --soak)")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--warm-up", type=float, default=60.0, help="seconds before sampling")
    parser.add_argument("--launches", type=int, help="launches timed (default 5; 0 with --soak)")
    parser.add_argument("--modes", help="shown, hidden or both (default both; shown with --soak)")
    parser.add_argument("--loads", help="idle, busy or both (default both; busy with --soak)")
    args = parser.parse_args(argv)
    minutes = args.minutes if args.minutes is not None else (60.0 if args.soak else 10.0)
    launches = args.launches if args.launches is not None else (0 if args.soak else 5)
    modes = args.modes or ("shown" if args.soak else "shown,hidden")
    loads = args.loads or ("busy" if args.soak else "idle,busy")
    print(f"bench_app: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, offscreen Qt, "
          f"8 simulated GPUs at 1 Hz, {minutes:g} min per run after {args.warm_up:g} s "
          f"warm-up{', soak' if args.soak else ''}")  # fmt: skip
    runner = runner_python()
    print(f"busy load: {TASK_SLOTS} tasks at once in the process sandbox, "
          + (f"the platform's real model jobs (runner environment {runner})" if runner
             else "checksum canaries only (no runner environment: make runner-env)"))  # fmt: skip
    targets: list[str] = []
    if launches:
        times = launch_times(launches)
        if times:
            median = statistics.median(times)
            print(f"launch to first painted window: median {median:.2f} s "
                  f"(runs: {', '.join(f'{t:.2f}' for t in times)})")  # fmt: skip
            targets.append(target_line("first paint, median", median, "s", PAINT_LIMIT_S))
    for load in loads.split(","):
        for mode in modes.split(","):
            run = measure(load.strip(), mode.strip(), minutes, args.every, args.warm_up)
            targets += report(run, 10.0 if minutes >= 30 else 1.0)
    print("\nbench_app targets (issue 21):")
    print("\n".join(targets))
    return 0


if __name__ == "__main__":
    sys.exit(main())

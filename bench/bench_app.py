"""The desktop app's cost: resident memory and CPU over time, and launch to first paint.

Runs ``orban-desktop --simulate-gpus 8 --sample-interval 1`` (8 simulated GPUs sampled at 1 Hz)
under offscreen Qt against a local platform in its own process (``orban-agent platform``), so
the figures are the app's alone: once ``idle`` (the platform queues no job: the cost of the
agent's loops and the UI) and once ``busy`` (demo jobs keep coming: the agent works all the
time, tasks run in the process sandbox), each with the window shown and started hidden
(``--hidden``), each for ``--minutes`` (default 10, as the issue asks). After a warm-up it reads
``/proc`` every ``--every`` seconds: RSS and CPU time (user + system) of the app process; task
processes are counted apart. It also times ``--launches`` launches of ``orban-desktop --demo``
(the ``make run`` path, platform embedded) from ``Popen`` to the "first window painted" line.

Run: ``.venv/bin/python -m bench.bench_app --minutes 1``. Linux only (reads ``/proc``). Prints
figures only; no pass/fail. Targets from the issue: RSS under 160 MB and flat; CPU under 3 % of a
core shown, under 1 % hidden. Imports no Qt itself.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def platform(root: Path, jobs: int) -> Iterator[str]:
    """A local platform in its own process; yields its URL."""
    port, http_port = free_port(), free_port()
    argv = [sys.executable, "-m", "orban_desktop.cli", "platform", "--root", str(root),
            "--data", str(root / "platform"), "--port", str(port),
            "--http-port", str(http_port), "--jobs", str(jobs)]  # fmt: skip
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"ws://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("the local platform did not start")
        time.sleep(0.1)
    try:
        yield url
    finally:
        stop(process)


def launch(
    root: Path, hidden: bool, platform_url: str | None
) -> tuple[subprocess.Popen[str], float, list[str]]:
    """The app under ``root``: against ``platform_url``, or with ``--demo`` when it is None."""
    argv = [sys.executable, "-m", "orban_desktop.app", "--root", str(root)]
    if platform_url is None:
        argv.append("--demo")
    else:
        config = root / "config" / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(f'[agent]\nplatform_url = "{platform_url}"\n', encoding="utf-8")
        argv += ["--simulate-gpus", "8", "--sample-interval", "1"]
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


def stop(process: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def measure(load: str, mode: str, minutes: float, every_s: float, warm_up_s: float) -> Run:
    run = Run(f"{load}, window {mode}")
    jobs = 0 if load == "idle" else 4
    with (
        tempfile.TemporaryDirectory(prefix="orban-bench-app-") as folder,
        platform(Path(folder), jobs) as url,
    ):
        process, started, lines = launch(Path(folder) / "app", mode == "hidden", url)
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
    print(f"  CPU         {cpu:.2f} % of one core (the app process)")
    print(f"  task procs  {tasks:.2f} % of one core (demo tasks in the process sandbox)")
    minute_marks = [s for s in run.samples if round(s.at_s) % 60 < 10] or run.samples
    trail = "  ".join(f"{s.at_s / 60:.0f}m:{s.rss_mb:.0f}" for s in minute_marks[::1][:12])
    print(f"  RSS by minute  {trail}")


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
    parser.add_argument("--minutes", type=float, default=10.0, help="per mode (default 10)")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--warm-up", type=float, default=30.0, help="seconds before sampling")
    parser.add_argument("--launches", type=int, default=3, help="launches timed to first paint")
    parser.add_argument("--modes", default="shown,hidden", help="shown, hidden or both")
    parser.add_argument("--loads", default="idle,busy", help="idle, busy or both")
    args = parser.parse_args(argv)
    print(f"bench_app: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, offscreen Qt, "
          f"8 simulated GPUs at 1 Hz, {args.minutes:g} min per run")  # fmt: skip
    times = launch_times(args.launches)
    if times:
        print(f"launch to first painted window: median {statistics.median(times):.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in times)})")  # fmt: skip
    for load in args.loads.split(","):
        for mode in args.modes.split(","):
            report(measure(load.strip(), mode.strip(), args.minutes, args.every, args.warm_up))
    return 0


if __name__ == "__main__":
    sys.exit(main())

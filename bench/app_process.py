"""Starting, reading and stopping the desktop app and a local platform for the app benches.

:func:`platform` runs ``orban-agent platform`` in its own process; :func:`launch` runs
``orban-desktop`` under offscreen Qt against it (its settings and identity key made first with
``orban-agent keygen``, as an installed agent has them) or with ``--demo``, and collects its stderr
lines stamped with seconds since ``Popen``; :func:`read_proc` reads RSS and CPU time from
``/proc``; :func:`jobs_done` reads which tasks the platform got results for. Used by
:mod:`bench.bench_app` and :mod:`bench.memory_trace`. Linux only; imports no Qt.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from orban_platform.settings import WORKLOAD_TEXT_EMBEDDING

TICKS = os.sysconf("SC_CLK_TCK")
PAINTED = "first window painted"
APP_MODULE = ("-m", "orban_desktop.app")


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


def jobs_done(root: Path, since: float) -> list[tuple[float, bool]]:
    """Tasks the local platform under ``root`` got results for after wall time ``since``:
    (seconds after ``since``, real model job?), from its database (read-only)."""
    database = root / "platform" / "platform.sqlite3"
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        rows = db.execute(
            "SELECT a.accepted_at, t.workload FROM attempts a JOIN tasks t USING (task_id) "
            "WHERE a.outcome = 'completed' AND a.accepted_at >= ? ORDER BY a.accepted_at",
            (since,),
        ).fetchall()
    return [(at - since, workload == WORKLOAD_TEXT_EMBEDDING) for at, workload in rows]


#: The runner environment (``make runner-env``): with it the app runs the platform's real model
#: jobs (on the CPU here, the GPUs being simulated); without it, only checksum canaries.
RUNNER_PYTHON = Path(__file__).resolve().parent.parent / ".runner-venv" / "bin" / "python"
TASK_SLOTS = 2


def runner_python() -> Path | None:
    """The runner environment the benches give the app (``$ORBAN_RUNNER_PYTHON`` first)."""
    named = os.environ.get("ORBAN_RUNNER_PYTHON")
    if named:
        return Path(named)
    return RUNNER_PYTHON if RUNNER_PYTHON.exists() else None


def prepare_agent(root: Path, platform_url: str) -> None:
    """Settings that name ``platform_url`` and an identity key, as after a first run.

    Two task slots (the issue's load: 8 simulated GPUs, 2 tasks at once), and the runner
    environment when there is one, so "busy" means real model jobs. Always the process sandbox,
    also where a Docker engine runs (CI starts one): the tasks are then the app's own child
    processes, whose CPU the benches report apart, and the load is the same on every host.
    """
    config = root / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    text = f'[agent]\nplatform_url = "{platform_url}"\n[gpu]\nmax_concurrent_tasks = {TASK_SLOTS}\n'
    text += '[sandbox]\npreference = "process"\n'
    runner = runner_python()
    if runner is not None:
        text += f'runner_python = "{runner}"\n'
    config.write_text(text, encoding="utf-8")
    keygen = [sys.executable, "-m", "orban_desktop.cli", "keygen", "--root", str(root)]
    subprocess.run(keygen, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def launch(
    root: Path, hidden: bool, platform_url: str | None, wrapper: Sequence[str] = APP_MODULE
) -> tuple[subprocess.Popen[str], float, list[str]]:
    """The app under ``root``: against ``platform_url``, or with ``--demo`` when it is None.

    ``wrapper`` is what runs the app (``-m orban_desktop.app``, or a module that wraps it and
    takes the app's arguments after its own).
    """
    argv = [sys.executable, *wrapper, "--root", str(root)]
    if platform_url is None:
        argv.append("--demo")
    else:
        prepare_agent(root, platform_url)
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
    """Seconds from ``Popen`` to the app's "first window painted" line (None: not yet)."""
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

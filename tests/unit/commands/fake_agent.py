"""A stand-in for a running agent: a real child process plus the pid and status files.

The child is a Python interpreter that sleeps (and dies on SIGTERM); a thread reaps it when it
exits, as a parent would. The status file is a real :class:`StatusSnapshot` naming its pid.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from orban_desktop.cli import main
from orban_desktop.headless.status_file import (
    EarningsTotals,
    GpuReading,
    StatusSnapshot,
    TaskReading,
    write_status,
)

AGENT_ID = "agent-gpu-rig-01"


def run_cli(argv: list[str]) -> tuple[int, list[str]]:
    """Run ``orban-agent`` in-process; returns the exit status and the printed lines."""
    lines: list[str] = []
    return main(argv, out=lines.append), lines


def sample_snapshot(pid: int) -> StatusSnapshot:
    now = time.time()
    return StatusSnapshot(
        pid=pid,
        started_at=now - 3725,
        updated_at=now,
        state="serving",
        platform_url="ws://127.0.0.1:8740",
        agent_id=AGENT_ID,
        gpus=(
            GpuReading(0, "Simulated RTX 4090", True, 45.0, 61.0, 3 * 1024**3, 24 * 1024**3, 250.0),
            GpuReading(1, "Quiet card", False),
        ),
        tasks=(TaskReading("task-7", "running", 0.5, 0),),
        earnings=EarningsTotals(
            today_micros=103_688,
            earned_micros=1_688_688,
            pending_micros=103_688,
            confirmed_micros=625_000,
            paid_micros=960_000,
            total_micros=1_585_000,
        ),
        tasks_completed=5,
        tasks_failed=1,
    )


class FakeAgent:
    """A sleeping child process posing as the agent of the files under ``root``."""

    def __init__(self, root: Path, *, ignore_sigterm: bool = False) -> None:
        self.state_dir = root / "state"
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.pid_file = self.state_dir / "orban-agent.pid"
        self.status_file = self.state_dir / "status.json"
        ready = root / f"ready-{time.monotonic_ns()}"
        code = "import signal, sys, time\n"
        if ignore_sigterm:
            code += "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        code += "open(sys.argv[1], 'w').close()\nwhile True: time.sleep(1)"
        self.process = subprocess.Popen([sys.executable, "-c", code, str(ready)])
        while not ready.exists():  # its signal disposition is set once this file exists
            if self.process.poll() is not None:
                raise RuntimeError(f"the fake agent exited with {self.process.returncode}")
            time.sleep(0.02)
        self._reaper = threading.Thread(target=self.process.wait, daemon=True)
        self._reaper.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def write_files(self, edit: Callable[[StatusSnapshot], StatusSnapshot] | None = None) -> None:
        self.pid_file.write_text(f"{self.pid}\n")
        snapshot = sample_snapshot(self.pid)
        write_status(self.status_file, edit(snapshot) if edit else snapshot)

    def stale(self, seconds: float) -> None:
        """Rewrite the status file as if last updated ``seconds`` ago."""
        self.write_files(lambda s: replace(s, updated_at=time.time() - seconds))

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self._reaper.join(timeout=30)

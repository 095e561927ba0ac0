"""``orban-desktop`` itself, as a process: it paints, stays single, and quits cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

GUARD_S = 90.0


def launch(root: Path, *extra: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    argv = [sys.executable, "-m", "orban_desktop.app", "--root", str(root), *extra]
    with log.open("ab") as output:
        return subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, env=env)


def wait_for_line(log: Path, text: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + GUARD_S
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            pytest.fail(f"the app exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    pytest.fail(f"never logged {text!r}:\n{log.read_text()[-3000:]}")


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    log = tmp_path / "console.txt"
    process = launch(tmp_path / "root", "--demo", "--simulate-gpus", "1", log=log)
    yield process, log
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


def test_the_app_paints_stays_single_and_quits_on_sigterm(
    app: tuple[subprocess.Popen[bytes], Path], tmp_path: Path
) -> None:
    process, log = app
    wait_for_line(log, "first window painted", process)
    wait_for_line(log, "embedded local platform started", process)
    assert (tmp_path / "root" / "data" / "agent.key").is_file()

    second_log = tmp_path / "second.txt"
    second = launch(tmp_path / "root", log=second_log)
    assert second.wait(timeout=GUARD_S) == 0
    assert "already running" in second_log.read_text()

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=GUARD_S) == 0
    assert "quitting: handing running tasks back" in log.read_text()

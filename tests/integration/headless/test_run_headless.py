"""The headless agent for real: a process running against the embedded local platform.

``orban-agent keygen`` makes the key (a headless agent never makes one itself: without a key it
refuses to start and says how to get one), then ``orban-agent run --headless --local-platform
--simulate-gpus 1`` runs as a child process with every file under ``tmp_path``; the tests wait
(with a generous guard, not a speed check) for its status file to say ``serving``, look at it
with ``status`` and the metrics endpoint, then stop it with SIGTERM and check a clean exit.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from orban_desktop.headless.status_file import StatusSnapshot, read_status
from tests.unit.commands.fake_agent import run_cli

pytestmark = pytest.mark.slow
GUARD_S = 180.0  # only against hanging forever


def wait_for_state(
    root: Path, state: str, process: subprocess.Popen[bytes] | None
) -> StatusSnapshot:
    deadline = time.monotonic() + GUARD_S
    status_file = root / "state" / "status.json"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"the agent exited with {process.returncode}")
        snapshot = read_status(status_file)
        if snapshot is not None and snapshot.state == state:
            return snapshot
        time.sleep(0.1)
    pytest.fail(f"the agent never reached {state!r}")


def keygen(root: Path) -> str:
    """Run ``orban-agent keygen`` under ``root``; the new agent id."""
    code, lines = run_cli(["keygen", "--root", str(root)])
    assert code == 0, lines
    return next(line.split()[-1] for line in lines if "Agent id:" in line)


def test_without_a_key_the_agent_says_how_to_get_one_and_creates_nothing(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "orban_desktop.cli", "run", "--headless", "--local-platform",
            "--simulate-gpus", "1", "--root", str(tmp_path)]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=GUARD_S)
    assert done.returncode != 0
    key = tmp_path / "data" / "agent.key"
    assert f"There is no identity key at {key}" in done.stderr + done.stdout
    assert "orban-agent keygen" in done.stderr + done.stdout
    assert not key.exists()
    assert not (tmp_path / "state" / "orban-agent.pid").exists()


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    keygen(tmp_path)
    argv = [sys.executable, "-m", "orban_desktop.cli", "run", "--headless", "--local-platform",
            "--simulate-gpus", "1", "--metrics-port", "0", "--root", str(tmp_path)]  # fmt: skip
    with (tmp_path / "console.txt").open("wb") as console:
        process = subprocess.Popen(argv, stdout=console, stderr=subprocess.STDOUT)
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=60)


def test_headless_serves_reports_and_stops_cleanly(
    tmp_path: Path, agent: subprocess.Popen[bytes]
) -> None:
    snapshot = wait_for_state(tmp_path, "serving", agent)
    assert snapshot.pid == agent.pid
    assert [gpu.simulated for gpu in snapshot.gpus] in ([], [True])  # before/after first sample
    assert snapshot.platform_url.startswith("ws://127.0.0.1:")
    key = tmp_path / "data" / "agent.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600  # made by keygen
    pid_text = (tmp_path / "state" / "orban-agent.pid").read_text()
    assert pid_text == f"{agent.pid}\nheadless\n"  # the pid, then the face that runs it

    code, lines = run_cli(["status", "-v", "--root", str(tmp_path)])
    assert code == 0
    assert "  State:     serving" in lines
    assert f"  Agent id:  {snapshot.agent_id}" in lines

    assert snapshot.metrics_url is not None
    with urllib.request.urlopen(snapshot.metrics_url, timeout=30) as response:
        body = response.read().decode()
    assert "orban_agent_up 1" in body
    assert 'orban_agent_state{state="serving"} 1' in body
    # the event-fed metrics are served by the real process too, not only the snapshot's
    assert "# TYPE orban_task_duration_seconds histogram" in body
    assert "# TYPE orban_reconnects_total counter" in body

    code, _ = run_cli(["run", "--headless", "--root", str(tmp_path)])
    assert code == 1  # a second agent on the same files is refused

    agent.send_signal(signal.SIGTERM)
    assert agent.wait(timeout=GUARD_S) == 0
    assert not (tmp_path / "state" / "orban-agent.pid").exists()
    assert not (tmp_path / "state" / "status.json").exists()
    log = (tmp_path / "logs" / "orban-agent.log").read_text()
    assert "created a new identity key" not in log  # keygen made it, not the agent
    assert "agent stopped" in log
    assert run_cli(["status", "--root", str(tmp_path)])[0] == 3


def test_start_and_stop_in_the_background(tmp_path: Path) -> None:
    root = str(tmp_path)
    keygen(tmp_path)
    code, lines = run_cli(["start", "--local-platform", "--simulate-gpus", "1", "--root", root])
    assert code == 0, lines
    pid = int(lines[0].split("pid ")[1].rstrip(")."))
    try:
        wait_for_state(tmp_path, "serving", None)
        code, lines = run_cli(["status", "--root", root])
        assert code == 0 and f"pid {pid}" in lines[0]
        assert run_cli(["start", "--root", root])[0] == 1  # already running
        code, lines = run_cli(["stop", "--root", root])
        assert (code, lines[-1]) == (0, "Orban Agent stopped.")
        assert run_cli(["status", "--root", root])[0] == 3
    finally:
        if run_cli(["status", "--root", root])[0] == 0:
            os.kill(pid, signal.SIGKILL)


def test_nothing_at_the_default_address_says_how_to_start_the_local_platform(
    tmp_path: Path,
) -> None:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 8740)) == 0:
            pytest.skip("something listens at 127.0.0.1:8740 on this machine")
    keygen(tmp_path)
    argv = [sys.executable, "-m", "orban_desktop.cli", "run", "--headless", "--simulate-gpus", "1",
            "--root", str(tmp_path)]  # fmt: skip
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        snapshot = wait_for_state(tmp_path, "offline", process)
        deadline = time.monotonic() + GUARD_S
        while not (snapshot.state_detail or "").startswith("Cannot reach"):
            assert time.monotonic() < deadline, snapshot
            time.sleep(0.1)
            snapshot = wait_for_state(tmp_path, "offline", process)
        detail = snapshot.state_detail or ""
        assert detail.startswith("Cannot reach ws://127.0.0.1:8740: connection refused. Retrying")
        assert "--local-platform" in detail and "orban-agent platform" in detail
        code, lines = run_cli(["status", "-v", "--root", str(tmp_path)])
        assert code == 0 and any(line.startswith("  Why:       Cannot reach") for line in lines)
        time.sleep(8)  # a few more retries
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=GUARD_S)
    log = (tmp_path / "logs" / "orban-agent.log").read_text()
    assert log.count("orban-agent platform") == 1, log  # once per outage, not per retry

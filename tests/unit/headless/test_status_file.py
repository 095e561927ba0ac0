"""``status.json``: written atomically, read back whole, and ignored once its process is gone."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from orban_desktop.headless.agent_lock import AlreadyRunning, check_not_running
from orban_desktop.headless.status_file import (
    decode_status,
    encode_status,
    pid_alive,
    read_pid_file,
    read_status,
    status_file_for,
    write_status,
)
from tests.unit.commands.fake_agent import sample_snapshot


def exited_child_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_snapshot_round_trips(tmp_path: Path) -> None:
    snapshot = sample_snapshot(os.getpid())
    path = tmp_path / "status.json"
    write_status(path, snapshot)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_status(path) == snapshot
    assert decode_status(encode_status(snapshot)) == snapshot


def test_earnings_texts_are_exact_from_micros() -> None:
    earnings = sample_snapshot(1).earnings
    assert earnings is not None
    assert (earnings.today, earnings.pending, earnings.total) == ("0.103688", "0.103688", "1.585")


def test_a_file_whose_process_is_gone_means_not_running(tmp_path: Path) -> None:
    path = tmp_path / "status.json"
    write_status(path, sample_snapshot(exited_child_pid()))
    assert read_status(path) is None


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"pid": 1}', b"[]"])
def test_a_damaged_file_means_not_running(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "status.json"
    path.write_bytes(content)
    assert read_status(path) is None
    with pytest.raises(ValueError):
        decode_status(content)


def test_a_zombie_is_not_alive() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, not reaped: a zombie
        assert not pid_alive(child.pid)
    finally:
        child.wait()
    assert pid_alive(os.getpid())
    assert not pid_alive(0) and not pid_alive(-5)


def test_pid_file_reading(tmp_path: Path) -> None:
    pid_file = tmp_path / "orban-agent.pid"
    assert read_pid_file(pid_file) is None
    cases = (("1234\n", 1234), ("abc", None), ("0", None), ("-3", None), ("77\ndesktop\n", 77))
    for text, expected in cases:
        pid_file.write_text(text)
        assert read_pid_file(pid_file) == expected
    assert status_file_for(pid_file) == tmp_path / "status.json"


def test_check_not_running(tmp_path: Path) -> None:
    pid_file = tmp_path / "orban-agent.pid"
    check_not_running(pid_file)  # none
    pid_file.write_text(f"{exited_child_pid()}\n")
    check_not_running(pid_file)  # stale
    pid_file.write_text(f"{os.getpid()}\n")
    check_not_running(pid_file)  # that is us
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        pid_file.write_text(f"{sleeper.pid}\n")
        with pytest.raises(AlreadyRunning, match="orban-agent stop"):
            check_not_running(pid_file)
    finally:
        sleeper.kill()
        sleeper.wait()

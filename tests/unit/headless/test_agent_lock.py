"""The agent lock: one agent per set of files, whichever face runs it, and who runs in words."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from orban_desktop.headless.agent_lock import (
    AgentFace,
    AgentLock,
    AlreadyRunning,
    RunningAgent,
    check_not_running,
    running_agent,
)
from orban_desktop.headless.status_file import write_status
from tests.unit.commands.fake_agent import sample_snapshot

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from orban_desktop.headless.agent_lock import AgentFace, AgentLock
    lock = AgentLock(Path(sys.argv[1]), AgentFace(sys.argv[2]))
    lock.acquire()
    print("held", flush=True)
    time.sleep(60)
    """
)


@pytest.fixture
def pid_file(tmp_path: Path) -> Path:
    return tmp_path / "state" / "orban-agent.pid"


@pytest.fixture
def holder(pid_file: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the lock as the desktop app."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(pid_file), "desktop"], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline() == "held\n"
    yield process
    process.kill()
    process.wait()


def test_acquire_writes_pid_and_face_and_release_removes_the_files(pid_file: Path) -> None:
    lock = AgentLock(pid_file, AgentFace.HEADLESS)
    lock.acquire()
    assert lock.held
    assert pid_file.read_text() == f"{os.getpid()}\nheadless\n"
    write_status(lock.status_file, sample_snapshot(os.getpid()))
    check_not_running(pid_file)  # that is us
    lock.release()
    assert not pid_file.exists() and not lock.status_file.exists()
    lock.release()  # twice is harmless


def test_release_leaves_files_that_are_no_longer_ours(pid_file: Path) -> None:
    lock = AgentLock(pid_file, AgentFace.DESKTOP)
    lock.acquire()
    pid_file.write_text("999999\n")  # someone replaced it
    lock.release()
    assert pid_file.read_text() == "999999\n"


def test_a_held_lock_refuses_and_names_the_desktop_app(
    pid_file: Path, holder: subprocess.Popen[str]
) -> None:
    assert running_agent(pid_file) == RunningAgent(holder.pid, AgentFace.DESKTOP)
    for attempt in (
        AgentLock(pid_file, AgentFace.HEADLESS).acquire,
        lambda: check_not_running(pid_file),
    ):
        with pytest.raises(AlreadyRunning, match=rf"desktop app \(pid {holder.pid}\)") as caught:
            attempt()
        assert "Quit" in caught.value.message and "orban-agent stop" in caught.value.message
        assert caught.value.reason == "agent_running_desktop"
    assert pid_file.read_text() == f"{holder.pid}\ndesktop\n"  # untouched


def test_a_stale_pid_file_is_taken_over(pid_file: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    pid_file.parent.mkdir(parents=True)
    pid_file.write_text(f"{child.pid}\ndesktop\n")
    lock = AgentLock(pid_file, AgentFace.DESKTOP)
    lock.acquire()
    assert pid_file.read_text().startswith(f"{os.getpid()}\n")
    lock.release()


def test_an_unlocked_live_pid_refuses_with_the_face_from_the_status_file(
    pid_file: Path, tmp_path: Path
) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        pid_file.parent.mkdir(parents=True)
        pid_file.write_text(f"{sleeper.pid}\n")  # an older agent: no face, no lock
        with pytest.raises(AlreadyRunning, match=rf"An agent \(pid {sleeper.pid}\)"):
            AgentLock(pid_file, AgentFace.DESKTOP).acquire()
        snapshot = replace(sample_snapshot(sleeper.pid), face="headless")
        write_status(pid_file.with_name("status.json"), snapshot)
        with pytest.raises(AlreadyRunning, match=rf"headless Orban agent \(pid {sleeper.pid}\)"):
            check_not_running(pid_file)
    finally:
        sleeper.kill()
        sleeper.wait()


def test_an_unwritable_folder_is_an_orban_error(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("a file, not a folder")
    with pytest.raises(Exception, match="Cannot write the pid file") as caught:
        AgentLock(tmp_path / "state" / "orban-agent.pid", AgentFace.HEADLESS).acquire()
    assert not isinstance(caught.value, AlreadyRunning)

"""One agent per set of files, whichever face started it: the desktop app and headless agree.

The real ``orban-desktop --demo --hidden`` runs as a child process under offscreen Qt (its
``QMessageBox.critical`` replaced by a line on stderr, so a refusal can be read instead of
waiting for a click); ``orban-agent`` runs in-process (``status``, ``start``, ``run``, ``stop``)
or as a child (the headless agent). Every file lives under ``tmp_path``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from orban_desktop.headless.status_file import StatusSnapshot, read_status
from tests.integration.headless.test_run_headless import GUARD_S, keygen, wait_for_state
from tests.unit.commands.fake_agent import run_cli

pytestmark = pytest.mark.slow

DESKTOP = """
import sys
from PySide6.QtWidgets import QMessageBox
def critical(parent, title, text, *args, **kwargs):
    print(f"DIALOG {title}: {text}", file=sys.stderr, flush=True)
    return QMessageBox.StandardButton.Ok
QMessageBox.critical = critical
from orban_desktop.app import main
sys.exit(main(sys.argv[1:]))
"""


def desktop(root: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    argv = [sys.executable, "-c", DESKTOP, "--demo", "--hidden", "--root", str(root)]
    return subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for_face(root: Path, process: subprocess.Popen[str]) -> StatusSnapshot:
    deadline = time.monotonic() + GUARD_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"it exited with {process.returncode}: {process.communicate()}")
        snapshot = read_status(root / "state" / "status.json")
        if snapshot is not None:
            return snapshot
        time.sleep(0.2)
    pytest.fail("it never wrote its status file")


@pytest.fixture
def children() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=60)


def test_the_desktop_app_shows_in_status_and_start_refuses(
    tmp_path: Path, children: list[subprocess.Popen[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    app = desktop(tmp_path)
    children.append(app)
    snapshot = wait_for_face(tmp_path, app)
    assert (snapshot.pid, snapshot.face) == (app.pid, "desktop")
    assert (tmp_path / "state" / "orban-agent.pid").read_text() == f"{app.pid}\ndesktop\n"

    code, lines = run_cli(["status", "-v", "--root", str(tmp_path)])
    assert code == 0
    assert lines[0].startswith(f"Orban Agent is running (pid {app.pid}")
    assert any(line.startswith("  Runs in:   the desktop app") for line in lines), lines

    capsys.readouterr()
    for verb in (["start"], ["run", "--headless"]):
        assert run_cli([*verb, "--root", str(tmp_path)])[0] == 1
        err = capsys.readouterr().err
        assert f"The Orban Agent desktop app (pid {app.pid}) already runs" in err, err
        assert "orban-agent stop" in err
    assert app.poll() is None  # untouched

    code, lines = run_cli(["stop", "--root", str(tmp_path)])  # SIGTERM: the app quits cleanly
    assert (code, lines[-1]) == (0, "Orban Agent stopped."), lines
    assert app.wait(timeout=GUARD_S) == 0
    assert not (tmp_path / "state" / "orban-agent.pid").exists()
    assert not (tmp_path / "state" / "status.json").exists()


def test_the_desktop_app_refuses_while_a_headless_agent_runs(
    tmp_path: Path, children: list[subprocess.Popen[str]]
) -> None:
    keygen(tmp_path)
    argv = [sys.executable, "-m", "orban_desktop.cli", "run", "--headless", "--local-platform",
            "--simulate-gpus", "1", "--root", str(tmp_path)]  # fmt: skip
    agent = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    children.append(agent)
    snapshot = wait_for_state(tmp_path, "serving", None)
    assert (snapshot.pid, snapshot.face) == (agent.pid, "headless")
    code, lines = run_cli(["status", "--root", str(tmp_path)])
    assert code == 0 and "  Runs in:   headless (`orban-agent stop` ends it)" in lines

    app = desktop(tmp_path)
    children.append(app)
    _, err = app.communicate(timeout=GUARD_S)
    assert app.returncode == 1
    assert "DIALOG Orban Agent cannot start: " in err
    assert f"A headless Orban agent (pid {agent.pid}) already runs" in err
    assert "Traceback" not in err
    assert read_status(tmp_path / "state" / "status.json") is not None  # the agent's, kept

    agent.send_signal(signal.SIGTERM)
    assert agent.wait(timeout=GUARD_S) == 0
    assert not (tmp_path / "state" / "orban-agent.pid").exists()

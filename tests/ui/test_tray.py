"""The tray for real: an X server with a tray host, the app as a child, clicks by xdotool.

``x_display`` starts Xvfb (``tests/xserver.py``) and trayer (a tray host); without them the test
is skipped, or fails when ``CI`` is set (CI installs them with ``.ci/ui-deps.sh``). The child
(``tray_driver``) runs the real app and clicks Pause and Resume in the tray menu; this test
checks what it saw: the agent's state, the tray icon, and the platform's own ``/status`` for the
agent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.xserver import need_tools, stop_process, xvfb

REPO = Path(__file__).resolve().parents[2]
TOOLS = ("Xvfb", "trayer", "xdotool")


@pytest.fixture
def x_display(tmp_path: Path) -> Iterator[str]:
    """A private X server with a tray host; yields its DISPLAY."""
    need_tools(*TOOLS)
    with xvfb("1280x800x24") as display:
        yield from _with_tray_host(display)


def _with_tray_host(display: str) -> Iterator[str]:
    env = {**os.environ, "DISPLAY": display}
    trayer = subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
         "--height", "32", "--transparent", "false", "--SetDockType", "true"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(0.5)  # trayer claims the tray selection; the child also waits for it
    try:
        yield display
    finally:
        stop_process(trayer)


def test_tray_pause_and_resume_reach_the_agent_and_the_platform(
    x_display: str, tmp_path: Path
) -> None:
    report_path = tmp_path / "report.json"
    env = {**os.environ, "DISPLAY": x_display, "QT_QPA_PLATFORM": "xcb"}
    child = subprocess.run(
        [sys.executable, "-m", "tests.ui.tray_driver", str(tmp_path / "app"), str(report_path)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert child.returncode == 0, child.stderr[-4000:]
    report = json.loads(report_path.read_text())
    assert "failure" not in report, report["failure"] + "\n" + child.stderr[-4000:]
    assert report["tray_available"] is True
    assert report["icon_before"] == "active"
    assert report["menu_before"] == "Pause contribution"
    assert report["state_after_pause"] == "paused"
    assert report["icon_after_pause"] == "paused"
    assert report["menu_after_pause"] == "Resume contribution"
    seen = report["platform_while_paused"]
    assert (seen["online"], seen["status"], seen["tasks"]) == (True, "idle", []), seen
    assert report["icon_after_resume"] == "active"
    assert report["platform_completed_after_resume"] >= 1
    assert report["window_opened_from_tray"] is True
    assert report["running_after_close"] is True
    assert report["exit_status"] == 0

"""Child process of ``test_tray``: the real app under X with a tray, driven by mouse clicks.

Run as ``python -m tests.ui.tray_driver ROOT REPORT.json`` with ``DISPLAY`` naming an X server
that has a tray (Xvfb + trayer). It starts :class:`DesktopApp` (``--demo`` with 2 simulated GPUs
and a fast local platform), then clicks the tray icon and its menu with ``xdotool`` like a user:
Pause, Resume, Open dashboard, closes the window, and Quit. What it saw (agent state, tray icon,
the platform's ``/status`` for this agent) goes to the JSON report the parent test checks.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import qasync
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from orban_desktop.config.paths import AppPaths
from orban_desktop.events import ConnectionState
from orban_desktop.ui.desktop import DesktopApp, LaunchOptions
from orban_desktop.ui.none_guard import protect_none
from orban_desktop.ui.theme import apply_theme
from orban_desktop.ui.tray import Tray
from tests.ui.agent_setup import fast_agent_config, fast_platform_settings
from tests.ui.waiting import read_platform_status

GUARD_S = 60.0


class Failed(Exception):
    """Something never happened."""


async def until(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + GUARD_S
    while not condition():
        if time.monotonic() > deadline:
            raise Failed(f"never happened: {what}")
        await asyncio.sleep(0.05)


async def xdotool(*args: object) -> None:
    command = ["xdotool", *(str(a) for a in args)]
    await asyncio.to_thread(subprocess.run, command, check=True, timeout=30)


async def click_menu_item(tray: Tray, action: QAction) -> None:
    """Right-click the tray icon, then left-click ``action`` in the menu that opens."""
    centre = tray.icon.geometry().center()
    await xdotool("mousemove", "--sync", centre.x(), centre.y(), "click", "3")
    await until(tray.menu.isVisible, "the tray menu to open on a right click")
    await asyncio.sleep(0.2)
    target = tray.menu.mapToGlobal(tray.menu.actionGeometry(action).center())
    await xdotool("mousemove", "--sync", target.x(), target.y(), "click", "1")
    await until(lambda: not tray.menu.isVisible(), "the tray menu to close")


async def platform_entry(http_url: str, agent_id: str) -> dict[str, Any]:
    status = await asyncio.to_thread(read_platform_status, http_url)
    return next((a for a in status["agents"] if a["agent_id"] == agent_id), {})


async def drive(desktop: DesktopApp, report: dict[str, Any]) -> None:
    await until(lambda: desktop.host is not None and desktop.tray is not None, "the tray")
    tray, host = desktop.tray, desktop.host
    assert tray is not None and host is not None
    await until(lambda: host.running and host.state is ConnectionState.SERVING, "serving")
    await until(lambda: not tray.icon.geometry().isEmpty(), "the tray icon to get a place")
    assert host.platform is not None
    http_url, agent_id = host.platform.http_url, host.agent_id
    report["icon_before"] = str(tray.shown_state)
    report["menu_before"] = tray.pause_action.text()

    await click_menu_item(tray, tray.pause_action)
    await until(lambda: host.state is ConnectionState.PAUSED, "the agent to pause")
    report["state_after_pause"] = str(host.state)
    report["icon_after_pause"] = str(tray.shown_state)
    report["menu_after_pause"] = tray.pause_action.text()
    deadline = time.monotonic() + GUARD_S
    entry: dict[str, Any] = {}
    while time.monotonic() < deadline:
        entry = await platform_entry(http_url, agent_id)
        if entry.get("status") == "idle" and entry.get("tasks") == [] and entry.get("online"):
            break
        await asyncio.sleep(0.25)
    report["platform_while_paused"] = entry
    done_before = desktop_board_done(desktop)
    completed_before = await platform_completed(http_url)

    await click_menu_item(tray, tray.pause_action)
    await until(lambda: host.state is ConnectionState.SERVING, "the agent to resume")
    report["icon_after_resume"] = str(tray.shown_state)
    await until(lambda: desktop_board_done(desktop) > done_before, "a task after resuming")
    report["platform_completed_after_resume"] = (await platform_completed(http_url)) - (
        completed_before
    )

    window = desktop.window
    assert window is not None
    window.hide()
    await click_menu_item(tray, tray.open_action)
    await until(window.isVisible, "Open dashboard to show the window")
    report["window_opened_from_tray"] = True
    window.close()
    await until(lambda: not window.isVisible(), "the window to hide on close")
    report["running_after_close"] = host.running
    await click_menu_item(tray, tray.quit_action)


async def platform_completed(http_url: str) -> int:
    status = await asyncio.to_thread(read_platform_status, http_url)
    return int(status["tasks"]["completed"])


def desktop_board_done(desktop: DesktopApp) -> int:
    return desktop.dashboard.board.completed_count if desktop.dashboard else 0


def main() -> int:
    root, report_path = Path(sys.argv[1]), Path(sys.argv[2])
    app = QApplication([])
    guard = protect_none(app)
    report: dict[str, Any] = {"tray_available": QSystemTrayIcon.isSystemTrayAvailable()}
    options = LaunchOptions(
        paths=AppPaths.under(root),
        demo=True,
        simulate_gpus=2,
        console_log=True,
        sample_interval_s=1.0,
        platform_settings=fast_platform_settings(root / "platform"),
    )
    desktop = DesktopApp(app, options, fast_agent_config(), apply_theme(app, "light"))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    async def both() -> None:
        driver = asyncio.create_task(drive(desktop, report))
        report["exit_status"] = await desktop.run()
        await driver  # raises what the driver saw go wrong

    try:
        with loop:
            loop.run_until_complete(both())
    except Failed as exc:
        report["failure"] = str(exc)
    report_path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    del guard
    return 0


if __name__ == "__main__":
    sys.exit(main())

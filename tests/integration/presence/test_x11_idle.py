"""Idle time on a real X server: Xvfb's idle counter grows, and xdotool's mouse move resets it.

Skipped without Xvfb and xdotool, and failed instead when ``CI`` is set (CI installs them with
``.ci/ui-deps.sh``).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import Iterator

import pytest

from orban_desktop.presence.away import AwayWatch, Presence, PresenceReading
from orban_desktop.presence.idle import find_idle_clock
from orban_desktop.presence.x11 import X11IdleClock
from tests.xserver import need_tools, xvfb


@pytest.fixture
def display() -> Iterator[str]:
    need_tools("Xvfb", "xdotool")
    with xvfb() as name:
        yield name


def _move_mouse(display: str, x: int) -> None:
    env = {**os.environ, "DISPLAY": display}
    subprocess.run(["xdotool", "mousemove", str(x), "100"], env=env, check=True, timeout=10)


def test_idle_time_grows_and_a_mouse_move_resets_it(display: str) -> None:
    clock = X11IdleClock(display)
    try:
        _move_mouse(display, 10)
        time.sleep(1.2)
        idle = clock.idle_seconds()
        assert idle is not None and idle >= 1.0
        _move_mouse(display, 200)
        after = clock.idle_seconds()
        assert after is not None and after < 0.5
    finally:
        clock.close()


def test_the_watch_sees_the_owner_leave_and_come_back(
    display: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", display)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    clock = find_idle_clock()
    assert isinstance(clock, X11IdleClock)
    seen: list[PresenceReading] = []
    watch = AwayWatch(clock, 1.0, seen.append, poll_s=0.2)

    async def main() -> None:
        task = asyncio.create_task(watch.run())
        _move_mouse(display, 30)
        await asyncio.sleep(1.8)  # idle past the 1 s threshold: away
        _move_mouse(display, 300)  # the owner is back
        await asyncio.sleep(0.6)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(main())
    presences = [reading.presence for reading in seen]
    assert Presence.AWAY in presences
    assert presences[-1] is Presence.AT_COMPUTER
    assert presences.index(Presence.AWAY) < len(presences) - 1

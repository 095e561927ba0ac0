"""Idle time on Wayland (and some X11 desktops): the session's idle monitor over D-Bus.

GNOME's ``org.gnome.Mutter.IdleMonitor.GetIdletime`` (milliseconds, ``uint64``) is asked first,
then the freedesktop ``org.freedesktop.ScreenSaver.GetSessionIdleTime`` that KDE offers (seconds,
``uint32``). It calls ``gdbus`` (glib's command-line client, present wherever a desktop session
is) with a short timeout rather than linking a D-Bus library.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

from orban_desktop.presence.idle import ClockUnavailable

_TIMEOUT_S = 2.0
_NUMBER = re.compile(r"\(\s*(?:uint64|uint32)?\s*(\d+)\s*,?\s*\)")


@dataclass(frozen=True)
class IdleMethod:
    """One D-Bus method that answers idle time, and the seconds per unit it answers in."""

    destination: str
    object_path: str
    method: str
    seconds_per_unit: float


METHODS = (
    IdleMethod(
        "org.gnome.Mutter.IdleMonitor", "/org/gnome/Mutter/IdleMonitor/Core",
        "org.gnome.Mutter.IdleMonitor.GetIdletime", 0.001,
    ),
    IdleMethod(
        "org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
        "org.freedesktop.ScreenSaver.GetSessionIdleTime", 1.0,
    ),
)  # fmt: skip


def parse_gdbus_reply(text: str) -> int | None:
    """The number in a gdbus reply such as ``(uint64 1234,)``; ``None`` if it has none."""
    match = _NUMBER.search(text)
    return int(match.group(1)) if match else None


class DBusIdleClock:
    """Reads the first idle monitor of :data:`METHODS` that answers on the session bus."""

    name = "desktop idle monitor (D-Bus)"

    def __init__(self) -> None:
        gdbus = shutil.which("gdbus")
        if gdbus is None:
            raise ClockUnavailable("gdbus is not installed, so no D-Bus idle monitor can be asked")
        self._gdbus = gdbus
        self._method: IdleMethod | None = None
        for method in METHODS:
            if self._call(method) is not None:
                self._method = method
                return
        raise ClockUnavailable("the desktop session offers no D-Bus idle monitor")

    def _call(self, method: IdleMethod) -> float | None:
        args = [
            self._gdbus, "call", "--session", "--dest", method.destination,
            "--object-path", method.object_path, "--method", method.method,
        ]  # fmt: skip
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if done.returncode != 0:
            return None
        value = parse_gdbus_reply(done.stdout)
        return None if value is None else value * method.seconds_per_unit

    def idle_seconds(self) -> float | None:
        return None if self._method is None else self._call(self._method)

    def close(self) -> None:
        pass

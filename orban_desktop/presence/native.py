"""Idle time on Windows (``GetLastInputInfo``) and on macOS (``HIDIdleTime`` from ``ioreg``).

Windows counts milliseconds from the last input to now with the 32-bit tick counter, which
wraps every 49.7 days; the difference is taken modulo 2^32. macOS's IOHIDSystem reports
``HIDIdleTime`` in nanoseconds.
"""

from __future__ import annotations

import ctypes
import re
import shutil
import subprocess
import sys
from typing import Any

from orban_desktop.presence.idle import ClockUnavailable

_HID_IDLE = re.compile(r'"HIDIdleTime"\s*=\s*(\d+)')


def ticks_since(last_input_ms: int, now_ms: int) -> int:
    """Milliseconds from ``last_input_ms`` to ``now_ms`` on the wrapping 32-bit tick counter."""
    return (now_ms - last_input_ms) % (1 << 32)


def parse_hid_idle_ns(ioreg_output: str) -> int | None:
    """The first ``HIDIdleTime`` (nanoseconds) in ``ioreg -c IOHIDSystem`` output."""
    match = _HID_IDLE.search(ioreg_output)
    return int(match.group(1)) if match else None


class _LastInputInfo(ctypes.Structure):
    _fields_ = [("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint)]


class WindowsIdleClock:
    """``GetLastInputInfo`` against ``GetTickCount``."""

    name = "Windows last-input time"

    def __init__(self) -> None:
        if sys.platform != "win32":
            raise ClockUnavailable("GetLastInputInfo exists only on Windows")
        windll: Any = getattr(ctypes, "windll")  # noqa: B009  # Windows-only attribute
        self._user32: Any = windll.user32
        self._kernel32: Any = windll.kernel32

    def idle_seconds(self) -> float | None:
        info = _LastInputInfo()
        info.cbSize = ctypes.sizeof(_LastInputInfo)
        if not self._user32.GetLastInputInfo(ctypes.byref(info)):
            return None
        now = int(self._kernel32.GetTickCount()) & 0xFFFFFFFF
        return ticks_since(int(info.dwTime), now) / 1000.0

    def close(self) -> None:
        pass


class MacIdleClock:
    """``HIDIdleTime`` from ``ioreg -c IOHIDSystem -d 4``."""

    name = "macOS HID idle time"

    def __init__(self) -> None:
        ioreg = shutil.which("ioreg")
        if ioreg is None:
            raise ClockUnavailable("ioreg is not available")
        self._ioreg = ioreg

    def idle_seconds(self) -> float | None:
        try:
            done = subprocess.run(
                [self._ioreg, "-c", "IOHIDSystem", "-d", "4"],
                capture_output=True, text=True, timeout=2.0,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired):
            return None
        nanoseconds = parse_hid_idle_ns(done.stdout) if done.returncode == 0 else None
        return None if nanoseconds is None else nanoseconds / 1e9

    def close(self) -> None:
        pass

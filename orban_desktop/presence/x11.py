"""Idle time on X11: ``XScreenSaverQueryInfo`` from libXss, through ctypes.

The X server counts the milliseconds since the last keyboard or mouse event (``idle`` in
``XScreenSaverInfo``); ``xdotool mousemove`` resets it, so the test drives it on Xvfb. The
display is opened once and closed with the clock.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading

from orban_desktop.presence.idle import ClockUnavailable


class _XScreenSaverInfo(ctypes.Structure):
    _fields_ = [  # ctypes' own declaration style
        ("window", ctypes.c_ulong),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),
        ("event_mask", ctypes.c_ulong),
    ]


def _load(name: str) -> ctypes.CDLL:
    path = ctypes.util.find_library(name)
    if path is None:
        raise ClockUnavailable(f"lib{name} is not installed")
    try:
        return ctypes.CDLL(path)
    except OSError as exc:
        raise ClockUnavailable(f"lib{name} cannot be loaded ({exc})") from exc


class X11IdleClock:
    """Reads the X server's idle counter for ``display`` (``":0"``)."""

    name = "X11 screensaver extension"

    def __init__(self, display: str) -> None:
        self._xlib = _load("X11")
        self._xss = _load("Xss")
        self._xlib.XOpenDisplay.restype = ctypes.c_void_p
        self._xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self._xlib.XDefaultRootWindow.restype = ctypes.c_ulong
        self._xlib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        self._xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self._xlib.XFree.argtypes = [ctypes.c_void_p]
        self._xss.XScreenSaverQueryExtension.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)
        ]  # fmt: skip
        self._xss.XScreenSaverAllocInfo.restype = ctypes.POINTER(_XScreenSaverInfo)
        self._xss.XScreenSaverQueryInfo.argtypes = [
            ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(_XScreenSaverInfo)
        ]  # fmt: skip
        self._lock = threading.Lock()
        self._display = self._xlib.XOpenDisplay(display.encode())
        if not self._display:
            raise ClockUnavailable(f"cannot open the X display {display}")
        event, error = ctypes.c_int(), ctypes.c_int()
        if not self._xss.XScreenSaverQueryExtension(
            self._display, ctypes.byref(event), ctypes.byref(error)
        ):
            self.close()
            raise ClockUnavailable(f"the X display {display} has no screensaver extension")
        self._root = self._xlib.XDefaultRootWindow(self._display)
        self._info = self._xss.XScreenSaverAllocInfo()

    def idle_seconds(self) -> float | None:
        with self._lock:
            if not self._display:
                return None
            if not self._xss.XScreenSaverQueryInfo(self._display, self._root, self._info):
                return None
            return float(self._info.contents.idle) / 1000.0

    def close(self) -> None:
        with self._lock:
            if getattr(self, "_info", None):
                self._xlib.XFree(self._info)
                self._info = None
            if self._display:
                self._xlib.XCloseDisplay(self._display)
                self._display = None

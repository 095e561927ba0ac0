"""The idle-time interface, the "not available here" clock, and the choice of a clock.

:func:`find_idle_clock` tries the clocks this operating system and session may offer, in order,
and keeps the first that answers a read; the others' reasons are kept so that
:class:`NoIdleClock` can say, in one line, why none could be used.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger(__name__)


class IdleClock(Protocol):
    """Seconds since the owner last touched the keyboard or mouse."""

    #: What this clock reads, in a few words ("X11 screensaver extension").
    name: str

    def idle_seconds(self) -> float | None:
        """The idle time, or ``None`` when it cannot be read right now."""
        ...

    def close(self) -> None: ...


@dataclass
class NoIdleClock:
    """No clock answers in this session; ``reason`` says why (shown in settings and status)."""

    reason: str
    name: str = "none"

    def idle_seconds(self) -> float | None:
        return None

    def close(self) -> None:
        pass


class ClockUnavailable(Exception):
    """A clock cannot be used in this session (no display, no library, no service)."""


#: A factory makes a clock or raises :class:`ClockUnavailable` with the reason.
ClockFactory = Callable[[], IdleClock]


def default_factories(
    platform: str = sys.platform, environ: Mapping[str, str] = os.environ
) -> list[ClockFactory]:
    """The clocks worth trying here, most direct first."""
    from orban_desktop.presence import dbus, native, x11

    if platform == "win32":
        return [native.WindowsIdleClock]
    if platform == "darwin":
        return [native.MacIdleClock]
    factories: list[ClockFactory] = []
    if environ.get("WAYLAND_DISPLAY"):
        factories.append(dbus.DBusIdleClock)
    if environ.get("DISPLAY"):
        factories.append(lambda: x11.X11IdleClock(environ["DISPLAY"]))
    if not environ.get("WAYLAND_DISPLAY"):
        factories.append(dbus.DBusIdleClock)
    return factories


def find_idle_clock(factories: Sequence[ClockFactory] | None = None) -> IdleClock:
    """The first clock that can be made and answers a read; else a :class:`NoIdleClock`."""
    reasons: list[str] = []
    for factory in default_factories() if factories is None else factories:
        try:
            clock = factory()
        except ClockUnavailable as exc:
            reasons.append(str(exc))
            continue
        if clock.idle_seconds() is None:
            reasons.append(f"{clock.name} did not answer")
            clock.close()
            continue
        logger.info("reading idle time from the %s", clock.name)
        return clock
    if not reasons:
        reasons.append("this operating system offers no idle time the agent can read")
    return NoIdleClock("Idle time is not available here: " + "; ".join(reasons) + ".")

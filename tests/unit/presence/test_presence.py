"""Idle time and the away rule, without a display: the parsers, the choice of a clock, the watch."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from orban_desktop.presence.away import AwayWatch, Presence, PresenceReading, presence_for
from orban_desktop.presence.dbus import parse_gdbus_reply
from orban_desktop.presence.idle import (
    ClockUnavailable,
    IdleClock,
    NoIdleClock,
    default_factories,
    find_idle_clock,
)
from orban_desktop.presence.native import parse_hid_idle_ns, ticks_since


@pytest.mark.parametrize(
    ("idle_s", "away_after_s", "expected"),
    [
        (None, 300, Presence.UNKNOWN),
        (0.0, 300, Presence.AT_COMPUTER),
        (299.9, 300, Presence.AT_COMPUTER),
        (300.0, 300, Presence.AWAY),
        (86_400.0, 300, Presence.AWAY),
        (0.5, 0, Presence.AWAY),
    ],
)
def test_the_away_rule(idle_s: float | None, away_after_s: float, expected: Presence) -> None:
    assert presence_for(idle_s, away_after_s) is expected


@pytest.mark.parametrize(
    ("reply", "value"),
    [("(uint64 12345,)\n", 12345), ("(uint32 7,)", 7), ("(42,)", 42), ("()", None), ("", None)],
)
def test_gdbus_replies(reply: str, value: int | None) -> None:
    assert parse_gdbus_reply(reply) == value


def test_ioreg_hid_idle_time() -> None:
    output = '  |   "HIDIdleTime" = 1500000000\n  |   "HIDIdleTime" = 9\n'
    assert parse_hid_idle_ns(output) == 1_500_000_000
    assert parse_hid_idle_ns('"Other" = 1') is None


def test_windows_ticks_wrap_around() -> None:
    assert ticks_since(1_000, 4_000) == 3_000
    assert ticks_since(0xFFFF_FF00, 0x100) == 0x200


@dataclass
class FakeClock:
    readings: list[float | None]
    name: str = "fake clock"
    closed: bool = False

    def idle_seconds(self) -> float | None:
        return self.readings.pop(0) if len(self.readings) > 1 else self.readings[0]

    def close(self) -> None:
        self.closed = True


def _unavailable(reason: str) -> IdleClock:
    raise ClockUnavailable(reason)


def test_the_first_clock_that_answers_is_kept_and_a_silent_one_closed() -> None:
    silent = FakeClock([None])
    answering = FakeClock([3.0])
    clock = find_idle_clock(
        [lambda: _unavailable("no X display"), lambda: silent, lambda: answering]
    )
    assert clock is answering
    assert silent.closed


def test_no_clock_says_why_in_one_line() -> None:
    clock = find_idle_clock(
        [lambda: _unavailable("cannot open the X display :9"), lambda: FakeClock([None])]
    )
    assert isinstance(clock, NoIdleClock)
    assert clock.idle_seconds() is None
    assert clock.reason == (
        "Idle time is not available here: cannot open the X display :9; fake clock did not answer."
    )


def test_which_clocks_each_system_tries() -> None:
    from orban_desktop.presence import dbus, native

    assert default_factories("win32", {}) == [native.WindowsIdleClock]
    assert default_factories("darwin", {}) == [native.MacIdleClock]
    assert default_factories("linux", {"WAYLAND_DISPLAY": "wayland-0"}) == [dbus.DBusIdleClock]
    on_x11 = default_factories("linux", {"DISPLAY": ":0"})
    assert len(on_x11) == 2 and on_x11[1] is dbus.DBusIdleClock
    assert default_factories("linux", {}) == [dbus.DBusIdleClock]


@dataclass
class Changes:
    seen: list[PresenceReading] = field(default_factory=list)

    def __call__(self, reading: PresenceReading) -> None:
        self.seen.append(reading)


def test_the_watch_reports_each_change_once() -> None:
    clock = FakeClock([0.0, 10.0, 400.0, 500.0, 1.0, 1.5, None])
    changes = Changes()
    watch = AwayWatch(clock, 300, changes, poll_s=0)

    async def main() -> None:
        for _ in range(7):
            await watch.check()

    asyncio.run(main())
    assert [r.presence for r in changes.seen] == [
        Presence.AT_COMPUTER, Presence.AWAY, Presence.AT_COMPUTER, Presence.UNKNOWN,
    ]  # fmt: skip
    assert changes.seen[-1].reason == "The fake clock did not answer."


def test_an_unavailable_clock_reports_unknown_with_its_reason() -> None:
    changes = Changes()
    watch = AwayWatch(NoIdleClock("Idle time is not available here: no display."), 60, changes)
    asyncio.run(watch.check())
    assert changes.seen == [
        PresenceReading(Presence.UNKNOWN, None, "Idle time is not available here: no display.")
    ]

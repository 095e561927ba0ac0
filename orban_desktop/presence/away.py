"""From idle time to "the owner is away": the rule behind "Only when I'm away".

The owner is away once the keyboard and mouse have been idle for ``away_after_s`` (the setting's
N minutes) and is back the moment input resets the idle time below that. :class:`AwayWatch`
polls an :class:`~orban_desktop.presence.idle.IdleClock` in a worker thread every ``poll_s``
seconds (2 s by default, so work pauses within seconds of the owner's return) and reports each
change; a clock that cannot be read reports :attr:`Presence.UNKNOWN` with its reason, which the
agent shows instead of guessing.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from orban_desktop.presence.idle import IdleClock, NoIdleClock


class Presence(enum.StrEnum):
    AWAY = "away"
    AT_COMPUTER = "at_computer"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PresenceReading:
    presence: Presence
    idle_s: float | None
    #: Why the presence is unknown (``None`` otherwise).
    reason: str | None = None


def presence_for(idle_s: float | None, away_after_s: float) -> Presence:
    """The rule: away after ``away_after_s`` of idle time; unknown when it cannot be read."""
    if idle_s is None:
        return Presence.UNKNOWN
    return Presence.AWAY if idle_s >= away_after_s else Presence.AT_COMPUTER


class AwayWatch:
    """Polls ``clock`` and calls ``on_change`` with each new :class:`PresenceReading`."""

    def __init__(
        self,
        clock: IdleClock,
        away_after_s: float,
        on_change: Callable[[PresenceReading], Awaitable[None] | None],
        *,
        poll_s: float = 2.0,
    ) -> None:
        self.clock = clock
        self.away_after_s = away_after_s
        self._on_change = on_change
        self._poll_s = poll_s
        self.last: PresenceReading | None = None

    def read(self, idle_s: float | None) -> PresenceReading:
        presence = presence_for(idle_s, self.away_after_s)
        reason = None
        if presence is Presence.UNKNOWN:
            reason = (
                self.clock.reason
                if isinstance(self.clock, NoIdleClock)
                else f"The {self.clock.name} did not answer."
            )
        return PresenceReading(presence, idle_s, reason)

    async def check(self) -> PresenceReading:
        """One read (in a thread); ``on_change`` runs when the presence changed."""
        idle_s = await asyncio.to_thread(self.clock.idle_seconds)
        reading = self.read(idle_s)
        changed = self.last is None or reading.presence is not self.last.presence
        self.last = reading
        if changed:
            outcome = self._on_change(reading)
            if outcome is not None:
                await outcome
        return reading

    async def run(self) -> None:
        """Check every ``poll_s`` until cancelled; the clock is closed on the way out."""
        try:
            while True:
                await self.check()
                await asyncio.sleep(self._poll_s)
        finally:
            await asyncio.to_thread(self.clock.close)

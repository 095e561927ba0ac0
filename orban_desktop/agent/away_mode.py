"""'Only when I'm away' for a running agent: the idle watch, on while the setting is on.

:class:`AwayMode` starts an :class:`~orban_desktop.presence.away.AwayWatch` when
``schedule.only_when_away`` is set (finding the idle clock in a thread: it may load libraries or
ask D-Bus), changes its threshold when ``away_after_minutes`` changes, and stops it when the
setting is turned off. Each change of presence goes to ``on_change``; the runtime turns it into a
pause reason (``owner_present`` / ``presence_unknown``) and, when the owner chose ``hand_back``,
hands the running tasks back as soon as they return. Imports nothing from Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from orban_desktop.config.sections import ScheduleSection
from orban_desktop.presence.away import AwayWatch, Presence, PresenceReading
from orban_desktop.presence.idle import IdleClock, find_idle_clock

logger = logging.getLogger(__name__)


class AwayMode:
    """The idle watch of one runtime.

    Args:
        on_change: Called (awaited) with each new reading while the mode is on.
        clock_factory: Makes the idle clock (blocking; run in a thread); default: the first
            clock this session offers (:func:`find_idle_clock`).
        poll_s: Seconds between idle-time reads.
        away_after_s: Use this threshold instead of the setting's minutes (tests, demos).
    """

    def __init__(
        self,
        on_change: Callable[[PresenceReading], Awaitable[None]],
        *,
        clock_factory: Callable[[], IdleClock] | None = None,
        poll_s: float = 2.0,
        away_after_s: float | None = None,
    ) -> None:
        self._on_change = on_change
        self._clock_factory = clock_factory or find_idle_clock
        self._poll_s = poll_s
        self._away_after_override = away_after_s
        self._watch: AwayWatch | None = None
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    @property
    def presence(self) -> Presence | None:
        """The owner's presence while the mode is on (``UNKNOWN`` until the first read)."""
        if self._watch is None:
            return None
        last = self._watch.last
        return Presence.UNKNOWN if last is None else last.presence

    @property
    def reading(self) -> PresenceReading | None:
        return None if self._watch is None else self._watch.last

    async def configure(self, schedule: ScheduleSection) -> None:
        """Follow ``schedule``: start, retune or stop the watch."""
        async with self._lock:
            if not schedule.only_when_away:
                await self._stop()
                return
            away_after_s = self._away_after_override or schedule.away_after_minutes * 60.0
            if self._watch is not None:
                self._watch.away_after_s = away_after_s
                return
            clock = await asyncio.to_thread(self._clock_factory)
            logger.info(
                "only when away: on, after %.0f s of idle time, read from the %s",
                away_after_s, clock.name,
            )  # fmt: skip
            self._watch = AwayWatch(clock, away_after_s, self._on_change, poll_s=self._poll_s)
            self._task = asyncio.create_task(self._watch.run(), name="away-watch")

    async def _stop(self) -> None:
        task, self._task, self._watch = self._task, None, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            logger.info("only when away: off")

    async def close(self) -> None:
        async with self._lock:
            await self._stop()

"""When a timed pause ("Pause for 1 hour", "Pause until tomorrow") ends, and whether it has.

Pure functions of local wall-clock time, so a laptop that slept through the end resumes as soon
as it wakes: the dashboard stores the end as a ``datetime`` and checks it against the clock on a
short timer, rather than trusting one long timer. A timed pause lasts only while the app runs;
it is never saved. Imports nothing from Qt.
"""

from __future__ import annotations

import datetime
from enum import StrEnum


class PauseLength(StrEnum):
    """The timed pauses the tray and the Overview offer."""

    ONE_HOUR = "one_hour"
    UNTIL_TOMORROW = "until_tomorrow"


def local_now() -> datetime.datetime:
    """Now, in local time with its offset."""
    return datetime.datetime.now().astimezone()


def pause_end(length: PauseLength, now: datetime.datetime) -> datetime.datetime:
    """When a pause of ``length`` started at ``now`` ends.

    ``UNTIL_TOMORROW`` ends at the next local midnight (the start of tomorrow).
    """
    if length is PauseLength.ONE_HOUR:
        return now + datetime.timedelta(hours=1)
    tomorrow = now.date() + datetime.timedelta(days=1)
    midnight = datetime.datetime.combine(tomorrow, datetime.time(0, 0))
    return midnight.replace(tzinfo=now.tzinfo) if now.tzinfo is not None else midnight


def pause_over(end: datetime.datetime, now: datetime.datetime) -> bool:
    """Whether a pause that ends at ``end`` is over at ``now``."""
    return now >= end

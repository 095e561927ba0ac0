"""Time conversions of the earnings ledger: stored microseconds, RFC 3339 text, local days.

Times are stored as integer microseconds since the Unix epoch, UTC (exact, sortable). A local
calendar day becomes a UTC microsecond range ``[start, end)``: DST-correct with a ``zoneinfo`` zone,
and with ``tz=None`` the system's local time (via ``datetime.astimezone``). RFC 3339 text is
written as chrono writes it, so exports look like the upstream agent's. Imports only the standard
library; nothing from Qt.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)


def to_us(moment: datetime) -> int:
    """An aware datetime as integer microseconds since the Unix epoch (exact).

    Raises:
        ValueError: ``moment`` is naive (its zone would be a guess).
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a time zone is required: {moment.isoformat()} is naive")
    return (moment - _EPOCH) // _ONE_US


def from_us(micros: int) -> datetime:
    """Integer microseconds since the Unix epoch as an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=micros)


def rfc3339(moment: datetime) -> str:
    """UTC RFC 3339 as chrono writes it: no fraction, milliseconds, or microseconds, and ``Z``."""
    moment = moment.astimezone(UTC)
    spec = "seconds" if moment.microsecond == 0 else "milliseconds"
    if moment.microsecond % 1000:
        spec = "microseconds"
    return moment.isoformat(timespec=spec).replace("+00:00", "Z")


def local_date(now: datetime | None, tz: tzinfo | None) -> date:
    """The calendar date of ``now`` (default: the current time) in ``tz`` (default: local)."""
    moment = now if now is not None else datetime.now(UTC)
    return moment.astimezone(tz).date()


def local_day_bounds(day: date, tz: tzinfo | None) -> tuple[int, int]:
    """The UTC microsecond range ``[start, end)`` of a local calendar day."""

    def midnight(d: date) -> int:
        naive = datetime.combine(d, time.min)
        local = naive.astimezone() if tz is None else naive.replace(tzinfo=tz)
        return to_us(local.astimezone(UTC))

    return midnight(day), midnight(day + timedelta(days=1))

"""Nanosecond-exact UTC timestamps with upstream's two RFC 3339 spellings.

The upstream agent (chrono) writes the message ``timestamp`` with ``to_rfc3339()`` (``+00:00``)
and every other time field with serde's default (``Z``); both print a fraction of 0, 3, 6 or 9
digits, the fewest that show every non-zero digit. Python's ``datetime`` stops at microseconds,
so :class:`WireTime` keeps integer nanoseconds to round-trip what the platform sent. Input may be
RFC 3339 (any offset, any fraction length) or a Unix integer. Imports nothing from the project.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

NANOS = 1_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Years 1..9999 (what datetime can hold), in nanoseconds since the epoch.
_MIN_NS = -62135596800 * NANOS
_MAX_NS = 253402300799 * NANOS + NANOS - 1

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,32}))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)


@dataclass(frozen=True, slots=True, order=True)
class WireTime:
    """A UTC instant as integer nanoseconds since the Unix epoch."""

    ns: int

    def __post_init__(self) -> None:
        if not _MIN_NS <= self.ns <= _MAX_NS:
            raise ValueError("timestamp outside the years 1-9999")

    @classmethod
    def now(cls) -> WireTime:
        return cls(time.time_ns())

    @classmethod
    def from_unix(cls, seconds: int) -> WireTime:
        return cls(seconds * NANOS)

    @classmethod
    def from_datetime(cls, value: datetime) -> WireTime:
        """From an aware ``datetime`` (a naive one is refused: it has no zone)."""
        if value.tzinfo is None:
            raise ValueError("a naive datetime has no time zone")
        delta = value - _EPOCH
        return cls((delta.days * 86400 + delta.seconds) * NANOS + delta.microseconds * 1000)

    @classmethod
    def parse(cls, text: str) -> WireTime:
        """Parse RFC 3339; fractions beyond nanoseconds are truncated, as chrono does."""
        match = _RFC3339.fullmatch(text)
        if match is None:
            raise ValueError(f"not an RFC 3339 timestamp: {text[:64]!r}")
        year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
        fraction, zulu, offset_sign, offset_h, offset_m = match.groups()[6:]
        if second == 60:
            raise ValueError("leap seconds are not accepted")
        base = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        if not zulu:
            offset = timedelta(hours=int(offset_h), minutes=int(offset_m))
            if offset >= timedelta(hours=24):
                raise ValueError(f"bad UTC offset in {text!r}")
            base -= offset if offset_sign == "+" else -offset
        nanos = int((fraction or "0")[:9].ljust(9, "0"))
        return cls(cls.from_datetime(base).ns + nanos)

    @classmethod
    def coerce(cls, value: object) -> WireTime:
        """Accept a WireTime, an RFC 3339 string, a Unix integer or an aware datetime."""
        if isinstance(value, WireTime):
            return value
        if isinstance(value, str):
            return cls.parse(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return cls.from_unix(value)
        if isinstance(value, datetime):
            return cls.from_datetime(value)
        raise ValueError(f"expected an RFC 3339 string or Unix seconds, got {type(value).__name__}")

    @property
    def seconds(self) -> int:
        return self.ns // NANOS

    @property
    def nanos(self) -> int:
        return self.ns % NANOS

    def to_datetime(self) -> datetime:
        """As an aware UTC ``datetime`` (sub-microsecond digits are dropped)."""
        return _EPOCH + timedelta(seconds=self.seconds, microseconds=self.nanos // 1000)

    def _format(self, suffix: str) -> str:
        t = _EPOCH + timedelta(seconds=self.seconds)
        base = f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
        nanos = self.nanos
        if nanos == 0:
            fraction = ""
        elif nanos % 1_000_000 == 0:
            fraction = f".{nanos // 1_000_000:03d}"
        elif nanos % 1000 == 0:
            fraction = f".{nanos // 1000:06d}"
        else:
            fraction = f".{nanos:09d}"
        return f"{base}{fraction}{suffix}"

    def rfc3339_z(self) -> str:
        """chrono's serde form, used for every time field but the message timestamp."""
        return self._format("Z")

    def rfc3339_offset(self) -> str:
        """chrono's ``to_rfc3339()``, used for the message ``timestamp``."""
        return self._format("+00:00")

    def __str__(self) -> str:
        return self.rfc3339_z()

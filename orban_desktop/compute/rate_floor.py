"""A floor under a transfer's rate: too few bytes over a sliding window, or past a deadline.

:class:`RateFloor` is fed ``(bytes, now)`` as data moves and asked to :meth:`RateFloor.check`
on a timer. It raises :class:`TransferTooSlow` when fewer than ``min_bytes_per_s * window_s``
bytes moved in the last ``window_s`` seconds (never before one whole window has passed since the
transfer began, so a short transfer cannot trip), or once the transfer outlives its deadline,
``grace_s + declared_bytes / min_bytes_per_s`` (only when a size was declared).
:meth:`RateFloor.next_check_at` says when a check could next trip if nothing more arrives, so a
stall is caught without polling (``http.enforce_floor`` waits for it, and checks at least once
per bucket in case :meth:`RateFloor.declare` brought the deadline forward). Bytes are summed in
:data:`BUCKETS` time buckets per window, so memory stays constant whatever the rate; the window
rule errs lenient by at most one bucket (``window_s / BUCKETS``). Sans-I/O: the caller supplies
the clock (monotonic seconds). Standard library only; no asyncio, no Qt.
"""

from __future__ import annotations

import urllib.parse
from collections import deque

#: Time buckets per window.
BUCKETS = 20
_KIB = 1024
_MIB = 1024 * 1024


def _size(nbytes: int) -> str:
    if nbytes >= _MIB:
        return f"{nbytes / _MIB:,.1f} MiB"
    return f"{nbytes / _KIB:.1f} KiB" if nbytes >= _KIB else f"{nbytes} bytes"


def _seconds(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:g}"


class TransferTooSlow(Exception):
    """The floor tripped: by the deadline (``past_deadline``) or by the window rule.

    ``moved_bytes`` counts the last window's bytes (window rule) or all of them (deadline).
    """

    def __init__(self, floor: RateFloor, moved_bytes: int, *, past_deadline: bool) -> None:
        rule = "past the deadline" if past_deadline else "below the floor"
        super().__init__(f"{moved_bytes} bytes moved; {rule}")
        self.floor = floor
        self.moved_bytes = moved_bytes
        self.past_deadline = past_deadline

    def context(self) -> dict[str, object]:
        """The figures, for an error's ``context``."""
        return {
            "rule": "deadline" if self.past_deadline else "window",
            "moved_bytes": self.moved_bytes,
            "min_bytes_per_s": self.floor.min_bytes_per_s,
            "window_s": self.floor.window_s,
            "deadline_s": self.floor.deadline_s,
        }

    def describe(self, action: str, preposition: str, url: str) -> str:
        """The user's message, e.g. ``describe("download", "from", url)``; names the host."""
        host = urllib.parse.urlsplit(url).netloc.rpartition("@")[2] or url[:200]
        floor = self.floor
        rate = f"{floor.min_bytes_per_s / _KIB:g} KiB/s"
        if self.past_deadline:
            return (
                f"The {action} of {_size(floor.declared_bytes or 0)} {preposition} {host} did "
                f"not finish within its {_seconds(floor.deadline_s or 0)} s deadline (declared "
                f"size at {rate} plus {_seconds(floor.grace_s)} s). The task was handed back."
            )
        return (
            f"The {action} {preposition} {host} was too slow: {self.moved_bytes:,} bytes in the "
            f"last {_seconds(floor.window_s)} s, below the floor of {rate} "
            "(network.transfer_min_rate_kib_s). The task was handed back."
        )


class RateFloor:
    """The minimum rate of one transfer, across its attempts.

    Args:
        min_bytes_per_s: The floor; must be positive (a disabled floor is no ``RateFloor``).
        window_s: The sliding window the rate is measured over.
        started_at: When the transfer began (monotonic seconds).
        declared_bytes: The size, when known; it sets the deadline.
        grace_s: Seconds the deadline allows beyond the size at the floor rate.
    """

    def __init__(
        self,
        min_bytes_per_s: float,
        window_s: float = 60.0,
        *,
        started_at: float,
        declared_bytes: int | None = None,
        grace_s: float = 120.0,
    ) -> None:
        if min_bytes_per_s <= 0 or window_s <= 0:
            raise ValueError("min_bytes_per_s and window_s must be positive")
        self.min_bytes_per_s = min_bytes_per_s
        self.window_s = window_s
        self.grace_s = grace_s
        self.started_at = started_at
        self.total_bytes = 0
        self.declared_bytes: int | None = None
        self.deadline_s: float | None = None
        self._width = window_s / BUCKETS
        self._buckets: deque[list[int]] = deque()  # [bucket index, bytes], oldest first
        if declared_bytes is not None:
            self.declare(declared_bytes)

    @property
    def max_check_interval_s(self) -> float:
        """Check at least this often: a later :meth:`declare` may bring the next check forward."""
        return self._width

    def declare(self, declared_bytes: int) -> None:
        """Set the deadline from the transfer's size; only the first declaration counts."""
        if self.deadline_s is None and declared_bytes >= 0:
            self.declared_bytes = declared_bytes
            self.deadline_s = self.grace_s + declared_bytes / self.min_bytes_per_s

    def feed(self, nbytes: int, now: float) -> None:
        """Count ``nbytes`` that moved at ``now``."""
        if nbytes <= 0:
            return
        index = max(0, int((now - self.started_at) // self._width))
        if self._buckets and self._buckets[-1][0] >= index:
            self._buckets[-1][1] += nbytes
        else:
            self._buckets.append([index, nbytes])
        self.total_bytes += nbytes
        self._prune(now)

    def _bucket_end(self, index: int) -> float:
        return self.started_at + (index + 1) * self._width

    def _prune(self, now: float) -> None:
        while self._buckets and self._bucket_end(self._buckets[0][0]) <= now - self.window_s:
            self._buckets.popleft()

    def moved_in_window(self, now: float) -> int:
        """Bytes that moved in the window ending at ``now``."""
        self._prune(now)
        return sum(nbytes for _, nbytes in self._buckets)

    def check(self, now: float) -> None:
        """Raise :class:`TransferTooSlow` if the floor is broken at ``now``."""
        if self.deadline_s is not None and now - self.started_at >= self.deadline_s:
            raise TransferTooSlow(self, self.total_bytes, past_deadline=True)
        if now - self.started_at < self.window_s:
            return
        moved = self.moved_in_window(now)
        if moved < self.min_bytes_per_s * self.window_s:
            raise TransferTooSlow(self, moved, past_deadline=False)

    def next_check_at(self, now: float) -> float:
        """The earliest moment (not before ``now``) a check could trip if nothing more moves."""
        self._prune(now)
        threshold = self.min_bytes_per_s * self.window_s
        remaining = sum(nbytes for _, nbytes in self._buckets)
        moment = self.started_at + self.window_s
        for index, nbytes in self._buckets:  # buckets leave the window oldest first
            if remaining < threshold:
                break
            remaining -= nbytes
            moment = max(moment, self._bucket_end(index) + self.window_s)
        if self.deadline_s is not None:
            moment = min(moment, self.started_at + self.deadline_s)
        return max(moment, now)

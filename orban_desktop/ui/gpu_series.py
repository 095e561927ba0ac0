"""A fixed-size columnar ring of one GPU's chart readings: time and five metrics as doubles.

:class:`GpuSeries` keeps, for the charts' longest window (an hour at 1 s), the monotonic time of
each reading and the five charted values (utilization %, VRAM used in GiB, temperature °C, power
W, fan %) in preallocated ``array('d')`` columns, a missing reading (or a faulty GPU) as NaN.
Its memory is fixed when it is made (8 bytes x 6 columns x capacity), so a window that runs for
weeks holds the same memory after a minute as after a month; whole ``GPUStatus`` snapshots are
not kept (only the latest, for the card's size and power limit). :meth:`GpuSeries.window` copies
out the readings of the last seconds, oldest first. Imports nothing from Qt.
"""

from __future__ import annotations

import bisect
import math
from array import array
from collections.abc import Callable
from dataclasses import dataclass

from orban_desktop.gpu.device import GIB, GPUStatus


def _memory_gib(status: GPUStatus) -> float | None:
    used = status.memory_used_bytes
    return None if used is None else used / GIB


#: The charted metrics in chart order, each with how it is read from a snapshot.
METRIC_READERS: tuple[tuple[str, Callable[[GPUStatus], float | None]], ...] = (
    ("utilization", lambda s: s.utilization_pct),
    ("memory", _memory_gib),
    ("temperature", lambda s: s.temperature_c),
    ("power", lambda s: s.power_w),
    ("fan", lambda s: s.fan_speed_pct),
)
METRIC_KEYS = tuple(key for key, _read in METRIC_READERS)


@dataclass(frozen=True)
class SeriesWindow:
    """The readings of one GPU over a window, oldest first (NaN: not reported).

    Attributes:
        times: Monotonic seconds of each reading.
        values: Per metric key, one value per reading (same length as ``times``).
        latest: The GPU's newest snapshot (``None`` before the first).
    """

    times: array[float]
    values: dict[str, array[float]]
    latest: GPUStatus | None

    def __len__(self) -> int:
        return len(self.times)

    def last_value(self, key: str) -> float | None:
        """The newest reading of ``key`` in the window (``None``: empty or not reported)."""
        column = self.values[key]
        if not column or math.isnan(column[-1]):
            return None
        return column[-1]


class GpuSeries:
    """The last ``capacity`` readings of one GPU, in preallocated columns.

    Args:
        capacity: Readings kept (at least 1); the memory is taken now, once.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1 (got {capacity})")
        self.capacity = capacity
        empty = array("d", [math.nan]) * capacity
        self._times = array("d", empty)
        self._columns = {key: array("d", empty) for key in METRIC_KEYS}
        self._next = 0  # where the next reading goes
        self._count = 0
        self.latest: GPUStatus | None = None

    def __len__(self) -> int:
        return self._count

    def add(self, status: GPUStatus) -> None:
        """Record one snapshot (over the oldest reading once full)."""
        at = self._next
        self._times[at] = status.monotonic_ts
        for key, read in METRIC_READERS:
            value = None if status.fault else read(status)
            self._columns[key][at] = math.nan if value is None else float(value)
        self._next = (at + 1) % self.capacity
        self._count = min(self._count + 1, self.capacity)
        self.latest = status

    def _ordered(self, column: array[float]) -> array[float]:
        if self._count < self.capacity:
            return column[: self._count]
        return column[self._next :] + column[: self._next]

    def window(self, seconds: float, now_monotonic: float) -> SeriesWindow:
        """The readings taken in the last ``seconds`` up to ``now_monotonic``, oldest first."""
        times = self._ordered(self._times)
        first = bisect.bisect_left(times, now_monotonic - seconds)
        end = bisect.bisect_right(times, now_monotonic)
        values = {key: self._ordered(column)[first:end] for key, column in self._columns.items()}
        return SeriesWindow(times[first:end], values, self.latest)

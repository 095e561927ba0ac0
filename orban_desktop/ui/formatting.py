"""How the UI writes numbers: money, bytes, durations, times, percentages, readings not reported.

Amounts are integer micro-units (never floats): :func:`money_text` (the core's, so the CLI
writes them the same way) writes them exactly with at least two decimals. A reading that is
``None`` was not reported by the driver and is written as "not reported", never as 0. Plain
functions; imports QtCore only for translation.
"""

from __future__ import annotations

import datetime

from PySide6.QtCore import QCoreApplication

from orban_desktop.money import money_text as money_text

GIB = 1024**3


def not_reported() -> str:
    """The words for a reading the driver does not report."""
    return QCoreApplication.translate("Formatting", "not reported")


def percent_text(value: float | None) -> str:
    return not_reported() if value is None else f"{value:.0f} %"


def temperature_text(value: float | None) -> str:
    return not_reported() if value is None else f"{value:.0f} °C"


def power_text(value: float | None) -> str:
    return not_reported() if value is None else f"{value:.0f} W"


def gib_text(value_bytes: int | None) -> str:
    """Bytes as GiB with one decimal (``None``: not reported)."""
    return not_reported() if value_bytes is None else f"{value_bytes / GIB:.1f} GiB"


def memory_text(used_bytes: int | None, total_bytes: int | None) -> str:
    """``"3.2 / 24.0 GiB"``; a missing part is "not reported"."""
    if used_bytes is None and total_bytes is None:
        return not_reported()
    used = "?" if used_bytes is None else f"{used_bytes / GIB:.1f}"
    total = "?" if total_bytes is None else f"{total_bytes / GIB:.1f}"
    return f"{used} / {total} GiB"


def duration_text(seconds: float | None) -> str:
    """``75.4`` -> ``"1 min 15 s"``; ``None`` -> ``"–"``."""
    if seconds is None:
        return "–"
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return QCoreApplication.translate("Formatting", "{h} h {m} min").format(h=hours, m=minutes)
    if minutes:
        return QCoreApplication.translate("Formatting", "{m} min {s} s").format(m=minutes, s=secs)
    return QCoreApplication.translate("Formatting", "{s} s").format(s=secs)


def clock_text(moment: datetime.datetime, now: datetime.datetime, seconds: bool = False) -> str:
    """A local time of day, with "tomorrow" or the date when it is not today.

    ``now`` and ``moment`` are both local (aware or both naive): ``"15:42"``, ``"tomorrow
    00:00"``, ``"2025-03-04 09:00"``; ``seconds`` adds the seconds (``"15:42:07"``).
    """
    time_text = moment.strftime("%H:%M:%S" if seconds else "%H:%M")
    days = (moment.date() - now.date()).days
    if days == 0:
        return time_text
    if days == 1:
        return QCoreApplication.translate("Formatting", "tomorrow {time}").format(time=time_text)
    return moment.strftime("%Y-%m-%d ") + time_text

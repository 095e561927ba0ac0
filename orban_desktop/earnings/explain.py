"""How a record's amount was made: GPU hours × rate × bonus = amount, for every face to word.

:func:`amount_parts` takes the parts from the record; a record without a reported bonus (the
upstream agent's records carry none) whose amount is not GPU hours × rate gets the bonus its
amount implies, marked as implied, so the line always adds up. Imports nothing from Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from orban_desktop.earnings.records import EarningEntry
from orban_desktop.money import to_micros


@dataclass(frozen=True, slots=True)
class AmountParts:
    gpu_hours: float
    rate_micros: int
    #: The bonus multiplier as text (``"1.05"``), or ``None`` when there is none.
    bonus: str | None
    bonus_implied: bool
    amount_micros: int


def hours_text(hours: float) -> str:
    """GPU hours as plain decimals (``0.0000277778``, not ``2.77778e-05``)."""
    return format(Decimal(repr(hours)).normalize(), "f")


def energy_text(energy_mwh: int) -> str:
    """``1.250 kWh``, or ``0.042 Wh`` for the small amounts a short task draws."""
    if energy_mwh >= 1_000_000:
        return f"{energy_mwh / 1_000_000:.3f} kWh"
    return f"{energy_mwh / 1_000:.3f} Wh"


def amount_parts(entry: EarningEntry) -> AmountParts:
    bonus: str | None = None
    implied = False
    if entry.bonus_multiplier is not None:
        bonus = None if entry.bonus_multiplier == 1.0 else f"{entry.bonus_multiplier:g}"
    else:
        base = Decimal(repr(entry.gpu_hours)) * entry.rate_per_hour.decimal
        if base > 0 and to_micros(base) != entry.amount.micros:
            bonus = f"{(entry.amount.decimal / base).quantize(Decimal('0.0001')).normalize():f}"
            implied = True
    return AmountParts(
        entry.gpu_hours, entry.rate_per_hour.micros, bonus, implied, entry.amount.micros
    )

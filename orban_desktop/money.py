"""Exact money: integer micro-units parsed from the wire's decimal strings, never through a float.

The platform sends amounts as decimal strings (``"0.1036875"``) or, accepted on input, as JSON
numbers. :class:`Money` keeps the exact text it was given (so exports show what the platform
said) and the amount rounded half-even to micro-units (1 unit = 1,000,000 micro-units) for sums.
Imports nothing from the project and nothing from Qt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

MICROS_PER_UNIT = 1_000_000
#: Longest decimal text accepted (rust_decimal holds at most 28-29 significant digits).
MAX_MONEY_TEXT = 40
#: Largest magnitude accepted, in micro-units (fits an SQLite INTEGER / int64 with room to sum).
MAX_MONEY_MICROS = 10**15 * MICROS_PER_UNIT

_DECIMAL_RE = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_MICRO = Decimal("0.000001")


class MoneyError(ValueError):
    """An amount that is not an exact, finite, bounded decimal."""


def parse_decimal(value: str | int | Decimal) -> Decimal:
    """Parse a wire amount into an exact ``Decimal``.

    Args:
        value: A decimal string (``"1.25"``), an int, or a ``Decimal`` made from JSON number text.

    Raises:
        MoneyError: Not a plain finite decimal, too long, or out of range.
    """
    if isinstance(value, bool):
        raise MoneyError("an amount must be a decimal, not a boolean")
    if isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise MoneyError("an amount must be finite")
        result = value
    elif isinstance(value, str):
        if len(value) > MAX_MONEY_TEXT or not _DECIMAL_RE.fullmatch(value):
            raise MoneyError(f"not a decimal amount: {value[:MAX_MONEY_TEXT]!r}")
        try:
            result = Decimal(value)
        except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid text
            raise MoneyError(f"not a decimal amount: {value!r}") from exc
    else:
        raise MoneyError(f"an amount must be a decimal string, not {type(value).__name__}")
    if abs(result.adjusted()) > 18:
        raise MoneyError(f"amount out of range: {value}")
    return result


def to_micros(amount: Decimal) -> int:
    """Round an exact amount half-even to integer micro-units."""
    return int(amount.quantize(_MICRO, rounding=ROUND_HALF_EVEN).scaleb(6))


def micros_to_text(micros: int) -> str:
    """Shortest exact decimal text for an amount in micro-units (``104000`` -> ``"0.104"``)."""
    text = format(Decimal(micros).scaleb(-6).normalize(), "f")
    return "0" if text in ("-0", "0") else text


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of USD as the wire gave it, and as integer micro-units.

    Attributes:
        text: The exact decimal text (what the platform sent, or the shortest exact form).
        micros: The amount rounded half-even to micro-units; use this for every sum.
    """

    text: str
    micros: int

    @classmethod
    def parse(cls, value: str | int | Decimal) -> Money:
        """Parse a wire amount, keeping its exact text. Raises :class:`MoneyError`."""
        amount = parse_decimal(value)
        text = value if isinstance(value, str) else format(amount, "f")
        micros = to_micros(amount)
        if abs(micros) > MAX_MONEY_MICROS:
            raise MoneyError(f"amount out of range: {text}")
        return cls(text=text, micros=micros)

    @classmethod
    def from_micros(cls, micros: int) -> Money:
        """An amount made by this agent (a sum, say), written in its shortest exact form."""
        if abs(micros) > MAX_MONEY_MICROS:
            raise MoneyError(f"amount out of range: {micros} micro-units")
        return cls(text=micros_to_text(micros), micros=micros)

    @property
    def decimal(self) -> Decimal:
        """The exact amount the text says (finer than a micro-unit where the wire was)."""
        return Decimal(self.text)

    def __str__(self) -> str:
        return self.text


def money_text(micros: int, currency: str = "USD") -> str:
    """``1_234_500`` -> ``"$1.2345"``: exact, at least two and at most six decimals.

    The one way an amount is written for people (window, CLI, notifications): from micro-units,
    so a record, a sum and an export always agree.
    """
    sign = "-" if micros < 0 else ""
    whole, fraction = divmod(abs(micros), MICROS_PER_UNIT)
    decimals = f"{fraction:06d}".rstrip("0").ljust(2, "0")
    symbol = "$" if currency.upper() == "USD" else f"{currency.upper()} "
    return f"{sign}{symbol}{whole:,}.{decimals}"

"""Exact money: decimal text kept, micro-units rounded half-even, never through a float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orban_desktop.money import Money, MoneyError, micros_to_text


@pytest.mark.parametrize(
    ("value", "micros", "text"),
    [
        ("1.25", 1_250_000, "1.25"),
        ("0.50", 500_000, "0.50"),
        ("84.00", 84_000_000, "84.00"),
        ("0.1036875", 103_688, "0.1036875"),
        ("0.0000005", 0, "0.0000005"),  # half-even: ties go to the even neighbour
        ("0.0000015", 2, "0.0000015"),
        ("-3.5", -3_500_000, "-3.5"),
        ("1e2", 100_000_000, "1e2"),
        (7, 7_000_000, "7"),
        (Decimal("0.7"), 700_000, "0.7"),
    ],
)
def test_parse(value: str | int | Decimal, micros: int, text: str) -> None:
    money = Money.parse(value)
    assert (money.micros, money.text) == (micros, text)


@pytest.mark.parametrize(
    "bad", ["", "abc", "1,25", "1.", ".5", "+1", " 1", "NaN", "Infinity", "1e400", "9" * 41, True]
)
def test_bad_amounts_are_refused(bad: object) -> None:
    with pytest.raises(MoneyError):
        Money.parse(bad)  # type: ignore[arg-type]


def test_floats_are_refused() -> None:
    with pytest.raises(MoneyError):
        Money.parse(0.1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("micros", "text"), [(0, "0"), (104_000, "0.104"), (1_000_000, "1"), (-1, "-0.000001")]
)
def test_from_micros_writes_the_shortest_exact_text(micros: int, text: str) -> None:
    assert micros_to_text(micros) == text
    assert Money.from_micros(micros) == Money(text, micros)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_micro_text_round_trips(micros: int) -> None:
    assert Money.parse(Money.from_micros(micros).text).micros == micros

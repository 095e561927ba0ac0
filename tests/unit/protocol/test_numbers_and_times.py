"""Float text as serde_json/Ryū prints it, and chrono's RFC 3339 forms, with nanoseconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orban_desktop.protocol.numbers import format_f32, format_f64, to_f32
from orban_desktop.protocol.timestamps import WireTime


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (1.0, "1.0"),
        (0.3, "0.3"),
        (0.079, "0.079"),
        (-2.5, "-2.5"),
        (1e-7, "1e-7"),
        (1.5e-5, "0.000015"),
        (1e-5, "0.00001"),
        (1e16, "1e16"),
        (1234567890123456.0, "1234567890123456.0"),
        (123456789012345680.0, "1.2345678901234568e17"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e308"),
        (0.1 + 0.2, "0.30000000000000004"),
    ],
)
def test_f64_like_ryu(value: float, text: str) -> None:
    assert format_f64(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.98, "0.98"),
        (11.2, "11.2"),
        (24, "24.0"),
        (350.5, "350.5"),
        (0.1 + 0.2, "0.3"),
        (16777216.0, "16777216.0"),
        (1e13, "1e13"),
        (1234567.0e6, "1234567000000.0"),
        (1e-6, "0.000001"),
        (1.234e-6, "0.000001234"),
        (1e-7, "1e-7"),
        (3.4028234663852886e38, "3.4028235e38"),
        (1.401298464324817e-45, "1e-45"),
    ],
)
def test_f32_like_ryu(value: float, text: str) -> None:
    assert format_f32(value) == text


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_floats_are_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        format_f64(bad)
    with pytest.raises(ValueError):
        format_f32(bad)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_f64_text_reads_back_exactly(value: float) -> None:
    assert float(format_f64(value)) == value


@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_f32_text_reads_back_to_the_same_single(value: float) -> None:
    text = format_f32(value)
    assert to_f32(float(text)) == value
    assert len(text.replace("-", "").replace(".", "").split("e")[0].strip("0")) <= 9


@pytest.mark.parametrize(
    ("text", "z_form", "offset_form"),
    [
        ("2025-11-28T10:49:33.512345678+00:00", "2025-11-28T10:49:33.512345678Z", None),
        ("2025-11-28T10:49:33.500Z", "2025-11-28T10:49:33.500Z", "2025-11-28T10:49:33.500+00:00"),
        ("2025-11-28T10:49:33.5Z", "2025-11-28T10:49:33.500Z", None),
        ("2025-11-28T10:49:33.512345Z", "2025-11-28T10:49:33.512345Z", None),
        ("2025-11-28T10:49:33Z", "2025-11-28T10:49:33Z", "2025-11-28T10:49:33+00:00"),
        ("2025-11-28T18:49:33+08:00", "2025-11-28T10:49:33Z", None),
        ("2025-11-28t10:49:33.1234567891z", "2025-11-28T10:49:33.123456789Z", None),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z", None),
    ],
)
def test_rfc3339_forms(text: str, z_form: str, offset_form: str | None) -> None:
    stamp = WireTime.parse(text)
    assert stamp.rfc3339_z() == z_form
    if offset_form:
        assert stamp.rfc3339_offset() == offset_form


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "2025-11-28",
        "2025-11-28T10:49:33",
        "2025-02-30T00:00:00Z",
        "2025-11-28T10:49:60Z",
        "2025-11-28T10:49:33+24:00",
        "10000-01-01T00:00:00Z",
    ],
)
def test_bad_timestamps_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        WireTime.parse(bad)


def test_unix_and_datetime_conversions() -> None:
    assert WireTime.coerce(1764326973).rfc3339_z() == "2025-11-28T10:49:33Z"
    dt = datetime(2025, 11, 28, 18, 49, 33, 512345, tzinfo=timezone(timedelta(hours=8)))
    stamp = WireTime.from_datetime(dt)
    assert stamp.rfc3339_z() == "2025-11-28T10:49:33.512345Z"
    assert stamp.to_datetime() == dt.astimezone(UTC)
    with pytest.raises(ValueError):
        WireTime.from_datetime(datetime(2025, 1, 1))  # naive
    with pytest.raises(ValueError):
        WireTime.coerce(True)
    with pytest.raises(ValueError):
        WireTime.coerce(10**20)

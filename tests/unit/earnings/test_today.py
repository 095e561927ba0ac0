""" "Today" and per-day sums by the user's local calendar day, across midnight, zones and DST."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from orban_desktop.earnings.ledger import EarningsLedger
from tests.unit.earnings.entries import earning

TAIPEI = ZoneInfo("Asia/Taipei")  # UTC+8, no DST
LOS_ANGELES = ZoneInfo("America/Los_Angeles")  # UTC-8 in November
NEW_YORK = ZoneInfo("America/New_York")

BEFORE_TAIPEI_MIDNIGHT = datetime(2025, 11, 26, 15, 59, 59, 999_999, tzinfo=UTC)
AT_TAIPEI_MIDNIGHT = datetime(2025, 11, 26, 16, 0, tzinfo=UTC)


@pytest.fixture
def around_midnight(ledger: EarningsLedger) -> EarningsLedger:
    ledger.record_earnings(earning("late", "1", at=BEFORE_TAIPEI_MIDNIGHT))
    ledger.record_earnings(earning("early", "2", at=AT_TAIPEI_MIDNIGHT))
    return ledger


@pytest.mark.parametrize(
    ("now", "tz", "expected_micros"),
    [
        # Taipei: the two records straddle local midnight.
        (datetime(2025, 11, 26, 15, 30, tzinfo=UTC), TAIPEI, 1_000_000),
        (datetime(2025, 11, 27, 1, 0, tzinfo=UTC), TAIPEI, 2_000_000),
        # Los Angeles: both are mid-morning of the 26th.
        (datetime(2025, 11, 26, 20, 0, tzinfo=UTC), LOS_ANGELES, 3_000_000),
        (datetime(2025, 11, 27, 8, 0, tzinfo=UTC), LOS_ANGELES, 0),
        # UTC itself: both on the 26th.
        (datetime(2025, 11, 26, 23, 59, tzinfo=UTC), UTC, 3_000_000),
    ],
)
def test_today_is_the_local_calendar_day(
    around_midnight: EarningsLedger, now: datetime, tz: ZoneInfo, expected_micros: int
) -> None:
    assert around_midnight.get_data(now=now, tz=tz).today_micros == expected_micros
    assert around_midnight.update_today_earnings(now=now, tz=tz) == expected_micros


def test_today_counts_every_status(ledger: EarningsLedger) -> None:
    from orban_desktop.protocol.enums import EarningStatus

    for index, status in enumerate(EarningStatus):
        ledger.record_earnings(earning(f"t{index}", "1", status=status, at=AT_TAIPEI_MIDNIGHT))
    assert ledger.update_today_earnings(now=AT_TAIPEI_MIDNIGHT, tz=TAIPEI) == 3_000_000


def test_daily_totals_over_a_dst_change(ledger: EarningsLedger) -> None:
    # 2025-03-09 in New York has 23 hours (clocks jump from 02:00 EST to 03:00 EDT).
    ledger.record_earnings(earning("mar8-late", "1", at=datetime(2025, 3, 9, 4, 59, tzinfo=UTC)))
    ledger.record_earnings(earning("mar9-first", "2", at=datetime(2025, 3, 9, 5, 0, tzinfo=UTC)))
    ledger.record_earnings(earning("mar9-last", "4", at=datetime(2025, 3, 10, 3, 59, tzinfo=UTC)))
    ledger.record_earnings(earning("mar10-first", "8", at=datetime(2025, 3, 10, 4, 0, tzinfo=UTC)))
    now = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
    totals = ledger.daily_totals(days=4, tz=NEW_YORK, now=now)
    assert [(t.day, t.amount_micros, t.record_count) for t in totals] == [
        (date(2025, 3, 7), 0, 0),
        (date(2025, 3, 8), 1_000_000, 1),
        (date(2025, 3, 9), 6_000_000, 2),
        (date(2025, 3, 10), 8_000_000, 1),
    ]


def test_daily_totals_rejects_silly_ranges(ledger: EarningsLedger) -> None:
    with pytest.raises(ValueError, match="days"):
        ledger.daily_totals(days=0)


@pytest.fixture
def system_zone_tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("system_zone_tokyo")
def test_default_zone_is_the_systems_local_time(around_midnight: EarningsLedger) -> None:
    # Tokyo is UTC+9: both records fall on the 27th there (00:59 and 01:00), while in UTC
    # they are on the 26th. At 14:30Z it is still the 26th in Tokyo: nothing today yet.
    before = datetime(2025, 11, 26, 14, 30, tzinfo=UTC)
    assert around_midnight.get_data(now=before).today_micros == 0
    assert around_midnight.get_data(now=before, tz=UTC).today_micros == 3_000_000
    after = datetime(2025, 11, 26, 15, 30, tzinfo=UTC)
    assert around_midnight.get_data(now=after).today_micros == 3_000_000
    assert around_midnight.daily_totals(days=1, now=after)[0].day == date(2025, 11, 27)

"""Net of electricity and the pace of earning, from a real ledger: exact micro-units, and no
figure made up where a price or a reading is missing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from orban_desktop.earnings.ledger import EarningsLedger
from orban_desktop.earnings.net import TaskEnergy, cost_micros
from orban_desktop.earnings.records import EarningFlag
from orban_desktop.money import Money
from tests.unit.earnings.entries import T0, earning

PRICE = Money.parse("0.30")  # per kWh


@pytest.mark.parametrize(
    ("mwh", "price", "micros"),
    [
        (1_000_000, "0.30", 300_000),  # 1 kWh at $0.30
        (1, "0.30", 0),  # 1e-6 kWh: 0.3 micro-units, rounded half-even
        (5, "0.30", 2),  # 1.5 -> 2
        (15, "0.10", 2),  # 1.5 -> 2 (half-even: 2)
        (25, "0.10", 2),  # 2.5 -> 2
        (0, "0.30", 0),
    ],
)
def test_cost_is_exact_integer_arithmetic(mwh: int, price: str, micros: int) -> None:
    assert cost_micros(mwh, Money.parse(price)) == micros


def test_net_per_task_day_and_total(tmp_path: Path) -> None:
    with EarningsLedger(tmp_path / "e.sqlite3") as ledger:
        ledger.record_earnings(earning("task-a", "0.50", at=T0))
        ledger.record_earnings(earning("task-b", "0.25", at=T0 - timedelta(days=2)))
        ledger.record_earnings(earning("task-x", "9.00", at=T0, flag=EarningFlag.NOT_OUR_TASK))
        ledger.record_task_energy(TaskEnergy.from_kwh("task-a", 0.5, "counter", 0))
        ledger.record_task_energy(TaskEnergy.from_kwh("task-b", 0.25, "power", 0))
        summary = ledger.net_summary(PRICE, now=T0 + timedelta(minutes=30))
        assert summary.priced
        total = summary.total
        assert (total.gross_micros, total.records, total.energy_mwh) == (750_000, 2, 750_000)
        assert total.cost_micros == 225_000 and total.net_micros == 525_000
        today = summary.today
        assert (today.gross_micros, today.cost_micros, today.net_micros) == (
            500_000,
            150_000,
            350_000,
        )
        assert ledger.energy_of(["task-a", "task-z"]) == {
            "task-a": TaskEnergy("task-a", 500_000, "counter", 0)
        }


def test_no_price_or_no_reading_gives_no_net(tmp_path: Path) -> None:
    with EarningsLedger(tmp_path / "e.sqlite3") as ledger:
        ledger.record_earnings(earning("task-a", "0.50", at=T0))
        ledger.record_earnings(earning("task-b", "0.25", at=T0))
        ledger.record_task_energy(TaskEnergy.from_kwh("task-a", 0.5, "power"))
        unpriced = ledger.net_summary(None, now=T0)
        assert not unpriced.priced and unpriced.total.cost_micros is None
        assert unpriced.total.net_micros is None
        assert ledger.net_summary(Money.parse("0"), now=T0).total.cost_micros is None
        priced = ledger.net_summary(PRICE, now=T0 + timedelta(seconds=1))
        assert priced.total.without_energy == 1  # task-b has no reading: net not guessed
        assert priced.total.cost_micros == 150_000 and priced.total.net_micros is None


def test_the_pace_of_the_last_hour_and_day(tmp_path: Path) -> None:
    with EarningsLedger(tmp_path / "e.sqlite3") as ledger:
        now = T0 + timedelta(hours=1)
        ledger.record_earnings(earning("task-a", "0.60", at=T0 + timedelta(minutes=30)))
        ledger.record_earnings(earning("task-b", "1.80", at=T0 - timedelta(hours=5)))
        ledger.record_task_energy(TaskEnergy.from_kwh("task-a", 1.0, "counter"))
        ledger.record_task_energy(TaskEnergy.from_kwh("task-b", 0.0, "counter"))
        summary = ledger.net_summary(PRICE, now=now)
        hour, day = summary.last_hour, summary.last_day
        # the hour's first record is 30 min old: the pace is over those 30 min
        assert hour.covered == timedelta(minutes=30)
        assert hour.gross_per_hour_micros == 1_200_000
        assert hour.net_per_hour_micros == 600_000  # (0.60 - 1 kWh x 0.30) per half hour
        # the day's first record is 6 h old: not 24 h of a day the agent was not earning in
        assert day.covered == timedelta(hours=6)
        assert day.gross_per_hour_micros == 400_000  # 2.40 over 6 h
        assert day.gross_month_micros == 400_000 * 24 * 30
        assert day.net_month_micros == 350_000 * 24 * 30  # (2.40 - 0.30) over 6 h


def test_one_fresh_record_is_not_a_wild_pace(tmp_path: Path) -> None:
    with EarningsLedger(tmp_path / "e.sqlite3") as ledger:
        ledger.record_earnings(earning("task-a", "0.01", at=T0))
        rate = ledger.net_summary(None, now=T0 + timedelta(seconds=2)).last_hour
        assert rate.covered == timedelta(minutes=1)  # at least a minute
        assert rate.gross_per_hour_micros == 600_000
        empty = ledger.net_summary(None, now=T0 - timedelta(days=3)).last_day
        assert empty.figures.records == 0 and empty.gross_per_hour_micros == 0

"""What the owner keeps after the power bill, and the pace of earning: energy, cost, net, rate.

The agent measures each task's energy (:class:`TaskEnergy`, stored in ``task_energy`` in integer
milliwatt-hours). With the owner's price per kWh (``[energy]``), a record's cost is
``energy_mwh × price_micros / 10^6`` rounded half-even to micro-units: exact integer arithmetic.
:func:`net_between` sums a time range; a record whose task has no energy reading is counted in
``without_energy`` (and its net is not guessed), and with no price set there is no cost at all
(``cost_micros`` is ``None``): the UI says so rather than show 0. :func:`rate_over` is the gross
(and net) earned in the last window, per hour, and a 30-day month at that pace. Flagged records
are in no figure. Imports nothing from Qt.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

from orban_desktop.earnings.local_time import to_us
from orban_desktop.money import Money

EnergySource = Literal["counter", "power"]
MWH_PER_KWH = 1_000_000
DAYS_PER_MONTH = 30


@dataclass(frozen=True, slots=True)
class TaskEnergy:
    """The energy one task's GPU drew while it ran."""

    task_id: str
    energy_mwh: int
    source: EnergySource
    gpu_index: int | None = None

    @classmethod
    def from_kwh(
        cls, task_id: str, kwh: float, source: EnergySource, gpu_index: int | None = None
    ) -> TaskEnergy:
        return cls(task_id, max(0, round(kwh * MWH_PER_KWH)), source, gpu_index)


def cost_micros(energy_mwh: int, price_per_kwh: Money) -> int:
    """The cost of ``energy_mwh`` at ``price_per_kwh``, rounded half-even to micro-units."""
    exact = Decimal(energy_mwh) * Decimal(price_per_kwh.micros) / MWH_PER_KWH
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


@dataclass(frozen=True, slots=True)
class NetFigures:
    """Gross, energy, cost and net of the counted records in a range (micro-units)."""

    gross_micros: int
    records: int
    energy_mwh: int
    without_energy: int
    #: ``None`` when no price per kWh is set (or it is in another currency).
    cost_micros: int | None
    #: When the first of these records was recorded (``None``: there is none).
    first_at_us: int | None = None

    @property
    def net_micros(self) -> int | None:
        """Gross minus cost; ``None`` without a price, or when some record has no reading."""
        if self.cost_micros is None or self.without_energy:
            return None
        return self.gross_micros - self.cost_micros


def record_task_energy(conn: sqlite3.Connection, energy: TaskEnergy, now_us: int) -> None:
    """Store a task's energy (a second reading of the same task replaces the first)."""
    conn.execute(
        "INSERT INTO task_energy (task_id, energy_mwh, source, gpu_index, recorded_at_us)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (task_id) DO UPDATE SET"
        " energy_mwh = excluded.energy_mwh, source = excluded.source,"
        " gpu_index = excluded.gpu_index, recorded_at_us = excluded.recorded_at_us",
        (energy.task_id, energy.energy_mwh, energy.source, energy.gpu_index, now_us),
    )


def energy_of(conn: sqlite3.Connection, task_ids: list[str]) -> dict[str, TaskEnergy]:
    """The stored energy of those tasks that have a reading."""
    found: dict[str, TaskEnergy] = {}
    for start in range(0, len(task_ids), 500):
        chunk = task_ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        rows = conn.execute(
            "SELECT task_id, energy_mwh, source, gpu_index FROM task_energy"
            f" WHERE task_id IN ({marks})",
            chunk,
        )
        for task_id, mwh, source, gpu in rows:
            found[task_id] = TaskEnergy(task_id, int(mwh), source, gpu)
    return found


def net_between(
    conn: sqlite3.Connection,
    start_us: int | None,
    end_us: int | None,
    currency: str,
    price: Money | None,
) -> NetFigures:
    """The counted records of ``currency`` recorded in ``[start, end)`` (open where ``None``)."""
    row = conn.execute(
        "SELECT coalesce(sum(e.amount_micros), 0), count(*), coalesce(sum(t.energy_mwh), 0),"
        " count(*) - count(t.task_id), min(e.recorded_at_us) FROM earnings e"
        " LEFT JOIN task_energy t ON t.task_id = e.task_id AND e.task_id != ''"
        " WHERE e.flag IS NULL AND e.currency = ?"
        " AND e.recorded_at_us >= ? AND e.recorded_at_us < ?",
        (
            currency,
            -(2**62) if start_us is None else start_us,
            2**62 if end_us is None else end_us,
        ),
    ).fetchone()
    gross, records, mwh, missing = (int(value) for value in row[:4])
    cost = None if price is None or price.micros <= 0 else cost_micros(mwh, price)
    return NetFigures(gross, records, mwh, missing, cost, None if row[4] is None else int(row[4]))


#: The shortest stretch a rate is taken over (so one record does not make a wild pace).
MIN_COVERED = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class EarningRate:
    """What was earned over the last ``window``, per hour, and a month at that pace.

    ``covered`` is the part of the window the agent was earning in: from its first record in
    the window (at least :data:`MIN_COVERED`), so an agent that started ten minutes ago has a
    pace over those ten minutes, not over a day it was not running.
    """

    window: timedelta
    figures: NetFigures
    covered: timedelta

    def _per_hour(self, micros: int) -> int:
        return round(micros * 3600 / self.covered.total_seconds())

    @property
    def gross_per_hour_micros(self) -> int:
        return self._per_hour(self.figures.gross_micros)

    @property
    def net_per_hour_micros(self) -> int | None:
        net = self.figures.net_micros
        return None if net is None else self._per_hour(net)

    @property
    def gross_month_micros(self) -> int:
        return self.gross_per_hour_micros * 24 * DAYS_PER_MONTH

    @property
    def net_month_micros(self) -> int | None:
        per_hour = self.net_per_hour_micros
        return None if per_hour is None else per_hour * 24 * DAYS_PER_MONTH


def rate_over(
    conn: sqlite3.Connection, now: datetime, window: timedelta, currency: str, price: Money | None
) -> EarningRate:
    """The earning rate over ``[now - window, now)``."""
    figures = net_between(conn, to_us(now - window), to_us(now), currency, price)
    covered = window
    if figures.first_at_us is not None:
        since_first = timedelta(microseconds=to_us(now) - figures.first_at_us)
        covered = max(MIN_COVERED, min(window, since_first))
    return EarningRate(window, figures, covered)


@dataclass(frozen=True, slots=True)
class NetSummary:
    """The Earnings page's net figures: all time, today, and the pace of the last hour and day."""

    total: NetFigures
    today: NetFigures
    last_hour: EarningRate
    last_day: EarningRate
    #: Whether a price per kWh in the earnings' currency is set (else no cost is shown).
    priced: bool


def net_summary(
    conn: sqlite3.Connection,
    now: datetime,
    today_us: tuple[int, int],
    currency: str,
    price: Money | None,
) -> NetSummary:
    usable = price if price is not None and price.micros > 0 else None
    return NetSummary(
        total=net_between(conn, None, None, currency, usable),
        today=net_between(conn, *today_us, currency, usable),
        last_hour=rate_over(conn, now, timedelta(hours=1), currency, usable),
        last_day=rate_over(conn, now, timedelta(days=1), currency, usable),
        priced=usable is not None,
    )


@dataclass(frozen=True, slots=True)
class PriceCheck:
    """The owner's price per kWh, if it can be set against the earnings, else why not."""

    price: Money | None
    #: ``"no_price"`` (none set, or 0), ``"other_currency"``, or ``None`` when usable.
    problem: Literal["no_price", "other_currency"] | None
    price_currency: str
    currency: str

    def explain(self) -> str:
        """Why there is no net, in English (the log and the CLI); empty when there is one."""
        if self.problem == "no_price":
            return "no electricity price is set ([energy] electricity_price_per_kwh, Settings)"
        if self.problem == "other_currency":
            return (
                f"the electricity price is in {self.price_currency}, the earnings in "
                f"{self.currency}"
            )
        return ""


def usable_price(price_text: str, price_currency: str, currency: str) -> PriceCheck:
    """Check the owner's price per kWh against ``currency`` earnings."""
    price = Money.parse(price_text)
    if price.micros <= 0:
        return PriceCheck(None, "no_price", price_currency, currency)
    if price_currency.upper() != currency.upper():
        return PriceCheck(None, "other_currency", price_currency, currency)
    return PriceCheck(price, None, price_currency, currency)

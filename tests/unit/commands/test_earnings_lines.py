"""The lines of ``orban-agent earnings``: how a record was made, and payouts or why none."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from orban_desktop.commands.earnings_lines import (
    NO_PAYOUT_YET,
    history_line,
    how_made,
    payout_lines,
)
from orban_desktop.money import Money
from tests.unit.earnings.entries import earning, payout


def test_a_reported_bonus_is_shown_and_the_parts_make_the_amount() -> None:
    entry = replace(
        earning("task-1", "0.02187465", gpu_hours=0.0166667, rate="1.25"),
        amount_before_bonus=Money.parse("0.02083338"),
        bonus_multiplier=1.05,
    )
    assert how_made(entry) == "0.0166667 GPU h × $1.25/h × 1.05 bonus = $0.021875"


def test_no_bonus_when_the_parts_already_make_the_amount() -> None:
    entry = replace(earning("task-2", "0.625", gpu_hours=0.5, rate="1.25"), bonus_multiplier=None)
    assert how_made(entry) == "0.5 GPU h × $1.25/h = $0.625"


def test_the_history_line_carries_the_payout_date() -> None:
    line = history_line(earning("task-3", "0.625"))
    assert "$0.625" in line and line.endswith("payout ~2025-12-01")


def test_payouts_as_reported_or_a_sentence_when_there_are_none() -> None:
    assert payout_lines([]) == [NO_PAYOUT_YET]
    assert "nothing has been paid to this agent yet" in NO_PAYOUT_YET
    header, line = payout_lines([payout("payout-1")])
    assert header == "Payouts, newest first (1):"
    assert "$8.50 net" in line and "$10.00 gross − $1.50 fee" in line
    assert "12 tasks" in line and "via crypto" in line


def test_net_and_pace_in_the_cli(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from orban_desktop.config.paths import AppPaths
    from orban_desktop.earnings import EarningsLedger
    from orban_desktop.earnings.net import TaskEnergy
    from tests.unit.commands.fake_agent import run_cli

    with EarningsLedger(tmp_path / "data" / "earnings.sqlite3") as ledger:
        now = datetime.now(UTC)
        ledger.record_earnings(earning("task-a", "0.60", at=now - timedelta(minutes=10)))
        ledger.record_task_energy(TaskEnergy.from_kwh("task-a", 1.0, "counter", 0))
    code, lines = run_cli(["earnings", "--root", str(tmp_path)])
    assert code == 0
    assert "  Energy:    1.000 kWh measured for 1 of 1 records" in lines
    assert any(
        line.startswith("  Net:       not shown: no electricity price is set") for line in lines
    )
    config = AppPaths.under(tmp_path).config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[energy]\nelectricity_price_per_kwh = "0.30"\n')
    code, lines = run_cli(["earnings", "--root", str(tmp_path)])
    assert "  Net:       $0.30 ($0.60 − $0.30 of electricity at $0.30/kWh)" in lines
    [pace] = [line for line in lines if line.startswith("  Pace:")]
    # the only record is 10 min old: the pace is over those 10 minutes ($0.60 / 10 min, net
    # $0.30 / 10 min), give or take the milliseconds the command took
    assert re.match(r"  Pace:      \$3\.59\d* \(net \$1\.79\d*\)/h over the last 10 min", pace)


def test_a_price_in_another_currency_is_not_subtracted() -> None:
    from orban_desktop.commands.earnings_lines import electricity_price
    from orban_desktop.config import EnergySection

    price, why = electricity_price(
        EnergySection(electricity_price_per_kwh="0.25", currency="EUR"), "USD"
    )
    assert price is None and why == "the electricity price is in EUR, the earnings in USD"

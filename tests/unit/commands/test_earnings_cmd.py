"""``orban-agent earnings`` and ``export-earnings``: exact amounts read from a real ledger file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from orban_desktop.earnings import EarningsLedger
from tests.fixtures import DATA
from tests.unit.commands.fake_agent import run_cli

UPSTREAM_EARNINGS = DATA / "upstream-data/linux-home/.local/share/orban-agent/earnings.json"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    with EarningsLedger(tmp_path / "data" / "earnings.sqlite3") as ledger:
        ledger.import_seed_json(UPSTREAM_EARNINGS)
    return tmp_path


def test_earnings_prints_exact_sums_today_never_above_earned(root: Path) -> None:
    code, lines = run_cli(["earnings", "--root", str(root)])
    assert code == 0
    assert lines[:6] == [
        "Earnings (USD)",
        "  Today:     $0.00",
        "  Earned:    $1.688688 (all time, every status)",
        "    Pending:   $0.103688 (waiting for the platform to confirm)",  # 0.1036875 half-even
        "    Confirmed: $0.625 (waiting for a payout)",
        "    Paid:      $0.96",
    ]
    assert not any("History" in line for line in lines)
    assert lines[-1].startswith("Payouts: none yet. The platform pays confirmed earnings")


def test_earnings_history_shows_how_each_amount_was_made(root: Path) -> None:
    code, lines = run_cli(["earnings", "--history", "-n", "2", "--root", str(root)])
    assert code == 0
    at = lines.index("History, newest first (2 of 3):")
    newest, second = lines[at + 1], lines[at + 2]
    assert "$0.96" in newest and "Paid" in newest and "task-2025-000099" in newest
    assert "1.2 GPU h × $0.80/h = $0.96" in newest
    assert "$0.103688" in second and "Pending" in second and "(no task id)" in second
    # upstream's record has no bonus field; 0.079 h × 1.25/h = 0.09875, so the amount implies 1.05
    assert second.endswith("0.079 GPU h × $1.25/h × 1.05 bonus (implied: not reported) = $0.103688")
    assert lines[at + 3].startswith("Payouts: none yet.")


def test_earnings_without_a_ledger(tmp_path: Path) -> None:
    assert run_cli(["earnings", "--root", str(tmp_path)]) == (0, ["No earnings recorded yet."])
    assert not (tmp_path / "data").exists()  # reading never creates the ledger


def test_export_json_keeps_upstreams_shape_with_the_shown_amounts(
    root: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.json"
    code, lines = run_cli(["export-earnings", "--format", "json", str(target), "--root", str(root)])
    assert (code, lines) == (0, [f"Exported 3 record(s) as JSON to {target}."])
    data = json.loads(target.read_text())
    assert data["total_earnings"] == "1.585"
    assert data["pending_earnings"] == "0.103688"
    assert sorted(item["amount"] for item in data["history"]) == ["0.103688", "0.625", "0.96"]
    assert [item.get("amount_reported") for item in data["history"]].count("0.1036875") == 1


def test_export_csv_from_the_file_name(root: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    assert run_cli(["export-earnings", str(target), "--root", str(root)])[0] == 0
    rows = list(csv.DictReader(target.open(newline="")))
    assert [row["amount"] for row in rows] == ["0.625", "0.103688", "0.96"]


def test_export_to_standard_output(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run_cli(["export-earnings", "--format", "csv", "-", "--root", str(root)])
    assert code == 0
    rows = list(csv.DictReader(lines))
    assert [row["amount"] for row in rows] == ["0.625", "0.103688", "0.96"]
    assert capsys.readouterr().err == "Exported 3 record(s) as CSV.\n"
    code, lines = run_cli(["export-earnings", "-", "--root", str(root)])
    assert json.loads("\n".join(lines))["total_earnings"] == "1.585"


def test_the_export_adds_up_to_the_shown_total_to_the_micro_unit(tmp_path: Path) -> None:
    from decimal import Decimal

    from tests.unit.earnings.entries import earning

    with EarningsLedger(tmp_path / "data" / "earnings.sqlite3") as ledger:
        for n in range(32):
            ledger.record_earnings(earning(f"task-{n}", "0.02187465"))
        shown = ledger.get_data().earned_micros
    target = tmp_path / "out.csv"
    assert run_cli(["export-earnings", str(target), "--root", str(tmp_path)])[0] == 0
    rows = list(csv.DictReader(target.open(newline="")))
    assert sum(Decimal(row["amount"]) for row in rows) == Decimal(shown).scaleb(-6)
    assert shown == 32 * 21_875  # each record is $0.021875, as the window shows it
    assert {row["amount_reported"] for row in rows} == {"0.02187465"}


def test_export_without_a_ledger_says_so(tmp_path: Path) -> None:
    code, lines = run_cli(["export-earnings", str(tmp_path / "x.json"), "--root", str(tmp_path)])
    assert code == 1 and "nothing exported" in lines[0]


def test_a_closed_pipe_ends_the_command_quietly(tmp_path: Path) -> None:
    """``orban-agent earnings --history | head -1``: no BrokenPipeError traceback."""
    import subprocess
    import sys

    from tests.unit.earnings.entries import earning

    with EarningsLedger(tmp_path / "data" / "earnings.sqlite3") as ledger:
        for n in range(2000):
            ledger.record_earnings(earning(f"task-{n}", "0.01"))
    command = [sys.executable, "-m", "orban_desktop.cli", "earnings", "--history", "-n", "1000"]
    reader = subprocess.Popen(["head", "-1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert reader.stdin is not None
    agent = subprocess.run(
        [*command, "--root", str(tmp_path)],
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )
    reader.stdin.close()
    assert reader.stdout is not None
    first = reader.stdout.read().decode()
    reader.wait(timeout=30)
    assert first.startswith("Earnings (USD)")
    assert agent.stderr == ""
    assert agent.returncode in (0, 141)  # 141 when the pipe closed before the output ended

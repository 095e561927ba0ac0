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


def test_earnings_prints_exact_sums(root: Path) -> None:
    code, lines = run_cli(["earnings", "--root", str(root)])
    assert code == 0
    assert "  Pending:   0.103688 USD" in lines  # 0.1036875 rounded half-even for the sum
    assert "  Confirmed: 0.625 USD" in lines
    assert "  Paid:      0.96 USD" in lines
    assert "  Total:     1.585 USD (confirmed + paid)" in lines
    assert not any("History" in line for line in lines)


def test_earnings_history_lists_the_newest_records_as_sent(root: Path) -> None:
    code, lines = run_cli(["earnings", "--history", "-n", "2", "--root", str(root)])
    assert code == 0
    at = lines.index("History, newest first (2 of 3):")
    newest, second = lines[at + 1], lines[at + 2]
    assert "0.96 USD" in newest and "Paid" in newest and "task-2025-000099" in newest
    assert "0.1036875 USD" in second and "Pending" in second and "(no task id)" in second
    assert len(lines) == at + 3


def test_earnings_without_a_ledger(tmp_path: Path) -> None:
    assert run_cli(["earnings", "--root", str(tmp_path)]) == (0, ["No earnings recorded yet."])
    assert not (tmp_path / "data").exists()  # reading never creates the ledger


def test_export_json_keeps_upstreams_shape_and_texts(root: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    code, lines = run_cli(["export-earnings", "--format", "json", str(target), "--root", str(root)])
    assert (code, lines) == (0, [f"Exported 3 record(s) as JSON to {target}."])
    data = json.loads(target.read_text())
    assert data["total_earnings"] == "1.585"
    assert data["pending_earnings"] == "0.1036875"
    assert sorted(item["amount"] for item in data["history"]) == ["0.1036875", "0.625", "0.96"]


def test_export_csv_from_the_file_name(root: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    assert run_cli(["export-earnings", str(target), "--root", str(root)])[0] == 0
    rows = list(csv.DictReader(target.open(newline="")))
    assert [row["amount"] for row in rows] == ["0.625", "0.1036875", "0.96"]


def test_export_without_a_ledger_says_so(tmp_path: Path) -> None:
    code, lines = run_cli(["export-earnings", str(tmp_path / "x.json"), "--root", str(tmp_path)])
    assert code == 1 and "nothing exported" in lines[0]

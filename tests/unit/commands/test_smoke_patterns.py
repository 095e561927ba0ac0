"""The bundle smoke test reads ``status -v`` and ``earnings`` output with regular expressions;
they must match what those commands print today (CI found them stale only after a bundle)."""

from __future__ import annotations

import importlib.util
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

from orban_desktop.commands.earnings_lines import totals_lines
from orban_desktop.earnings import EarningsSummary
from tests.unit.commands.fake_agent import FakeAgent, run_cli

SMOKE_TEST = Path(__file__).parents[3] / "packaging" / "smoke_test.py"


def smoke_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("orban_smoke_test", SMOKE_TEST)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_the_smoke_test_reads_tasks_and_earnings_from_status(tmp_path: Path) -> None:
    smoke = smoke_module()
    agent = FakeAgent(tmp_path)
    try:
        agent.write_files()
        code, lines = run_cli(["status", "-v", "--root", str(tmp_path)])
    finally:
        agent.kill()
    text = "\n".join(lines)
    assert code == 0
    tasks = smoke.TASKS_DONE.search(text)
    earned = smoke.EARNED_TODAY.search(text)
    assert tasks is not None and tasks.group(1) == "5"
    assert earned is not None and (earned.group(1), earned.group(2)) == ("$", "0.103688")


def test_the_smoke_test_reads_today_from_earnings() -> None:
    smoke = smoke_module()
    for currency, micros, amount in (
        ("USD", 21_875, "0.021875"),
        ("EUR", 1_204_500_000, "1,204.50"),
    ):
        summary = EarningsSummary(currency, micros, 0, micros, micros, 0, 0, [], 0, 0, 50)
        found = smoke.LEDGER_TODAY.search("\n".join(totals_lines(summary)))
        assert found is not None and found.group(2) == amount
        assert Decimal(found.group(2).replace(",", "")) > 0

"""Fixtures of the earnings tests: a real ledger in a real SQLite file under tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from orban_desktop.earnings.ledger import EarningsLedger


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "ledger.sqlite3"


@pytest.fixture
def ledger(ledger_path: Path) -> Iterator[EarningsLedger]:
    with EarningsLedger(ledger_path) as opened:
        yield opened

"""Flagged earnings on disk: the migration from version 1, the column's check, export, import."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orban_desktop.earnings import EarningFlag, FlaggedSummary
from orban_desktop.earnings.ledger import EarningsLedger
from orban_desktop.earnings.records import RecordOutcome
from orban_desktop.earnings.schema import FLAG_VALUES, MIGRATIONS, SCHEMA_VERSION, migrate
from orban_desktop.earnings.seed_import import SeedImportError
from orban_desktop.protocol.enums import EarningStatus
from tests.unit.earnings.entries import T0, earning

NOW = datetime(2025, 11, 27, 13, 0, tzinfo=UTC)
T0_US = int(T0.timestamp()) * 1_000_000


def _version_1_file(path: Path) -> None:
    """A ledger as version 1 of the agent wrote it: two earnings, one of them negative."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, MIGRATIONS[:1]) == 1
    for record_id, micros, text, status in (
        ("old-1", 1_250_000, "1.25", "Confirmed"),
        ("old-2", 500_000, "0.5", "Pending"),
        ("old-minus", -4_000_000, "-4", "Confirmed"),
    ):
        conn.execute(
            "INSERT INTO earnings (record_id, task_id, currency, amount_micros, amount_text,"
            " gpu_hours, rate_micros, rate_text, status, recorded_at_us, gpu_index,"
            " updated_at_us) VALUES (?, ?, 'USD', ?, ?, 0.5, 1250000, '1.25', ?, ?, 0, ?)",
            (record_id, record_id, micros, text, status, T0_US, T0_US),
        )
    conn.close()


def test_the_migration_keeps_old_rows_counted_and_flags_old_negatives(ledger_path: Path) -> None:
    _version_1_file(ledger_path)
    with EarningsLedger(ledger_path) as ledger:
        assert ledger._conn.execute("SELECT max(version) FROM schema_version").fetchone() == (
            SCHEMA_VERSION,
        )
        flags = {e.record_id: e.flag for e in ledger.get_data().history}
        assert flags == {"old-1": None, "old-2": None, "old-minus": EarningFlag.NEGATIVE}
        data = ledger.get_data(now=NOW, tz=UTC)
        assert (data.confirmed_micros, data.pending_micros, data.today_micros) == (
            1_250_000,
            500_000,
            1_750_000,
        )
        assert [g.amount_micros for g in ledger.totals_by_gpu()] == [1_750_000]
        assert ledger.flagged_summary() == FlaggedSummary(1, -4_000_000, "USD")
        # The migrated file takes new records, flagged or not, as a new one does.
        assert ledger.record_earnings(earning("new", flag=EarningFlag.NOT_OUR_TASK)) is (
            RecordOutcome.FLAGGED
        )
        assert ledger.record_earnings(earning("old-1", "1.25")) is RecordOutcome.ALREADY_STORED
        assert ledger.get_data().history_count == 4
        assert ledger.integrity_check() == "ok"
    with EarningsLedger(ledger_path) as reopened:  # nothing is migrated twice
        assert reopened.flagged_summary().count == 2


def test_the_column_takes_the_flags_and_nothing_else(ledger: EarningsLedger) -> None:
    assert set(FLAG_VALUES) == {flag.value for flag in EarningFlag} and SCHEMA_VERSION == 3
    ledger.record_earnings(earning("task-1"))
    with pytest.raises(sqlite3.IntegrityError):
        ledger._conn.execute("UPDATE earnings SET flag = 'suspicious' WHERE record_id = 'task-1'")


def test_setting_or_clearing_a_flag_moves_the_record_out_of_or_into_the_totals(
    ledger: EarningsLedger,
) -> None:
    ledger.record_earnings(earning("task-1", "2"))
    conn = ledger._conn
    conn.execute("UPDATE earnings SET flag = 'out_of_range' WHERE record_id = 'task-1'")
    assert (ledger.get_data().pending_micros, ledger.totals_by_gpu()) == (0, [])
    conn.execute("UPDATE earnings SET flag = NULL WHERE record_id = 'task-1'")
    assert ledger.get_data().pending_micros == 2_000_000


def test_csv_export_has_the_flag_column(ledger: EarningsLedger, tmp_path: Path) -> None:
    ledger.record_earnings(earning("ours", "1"))
    ledger.record_earnings(earning("stranger", "-2", flag=EarningFlag.NOT_OUR_TASK))
    out = tmp_path / "earnings.csv"
    assert ledger.export_csv(out) == 2
    with out.open(encoding="utf-8", newline="") as f:
        rows = {row["record_id"]: row for row in csv.DictReader(f)}
    assert rows["ours"]["flag"] == "" and rows["stranger"]["flag"] == "not_our_task"
    assert rows["stranger"]["amount"] == "-2"


def test_json_export_keeps_flagged_records_apart_and_an_import_keeps_them_so(
    ledger: EarningsLedger, tmp_path: Path
) -> None:
    ledger.record_earnings(earning("ours", "1", status=EarningStatus.CONFIRMED))
    ledger.record_earnings(earning("big", "50", flag=EarningFlag.OUT_OF_RANGE))
    ledger.record_earnings(earning("minus", "-3", status=EarningStatus.CONFIRMED))
    out = tmp_path / "earnings.json"
    assert ledger.export_json(out, now=NOW, tz=UTC) == 3
    exported = json.loads(out.read_text("utf-8"))
    assert (exported["total_earnings"], exported["pending_earnings"]) == ("1", "0")
    assert exported["today_earnings"] == "1"
    flags = {item["task_id"]: item.get("flag") for item in exported["history"]}
    assert flags == {"ours": None, "big": "out_of_range", "minus": "negative"}

    with EarningsLedger(tmp_path / "fresh.sqlite3") as fresh:
        report = fresh.import_seed_json(out)
        assert (report.imported, report.flagged, report.stated_totals_match) == (3, 2, True)
        assert fresh.flagged_summary() == ledger.flagged_summary()
        assert fresh.get_data().total_micros == ledger.get_data().total_micros == 1_000_000
        assert fresh.flagged()[0].flag is not None


def test_an_import_refuses_an_unknown_flag(ledger: EarningsLedger, tmp_path: Path) -> None:
    source = tmp_path / "bad.json"
    source.write_text(
        '{"history": [{"timestamp": "2025-11-26T21:03:05Z", "task_id": "t", "gpu_hours": 1,'
        ' "rate_per_hour": "1", "amount": "1", "status": "Pending", "flag": "odd"}]}',
        encoding="utf-8",
    )
    with pytest.raises(SeedImportError, match=r"history\[0\]"):
        ledger.import_seed_json(source)
    assert ledger.get_data().history_count == 0

"""Import of the upstream agent's earnings.json, export to its shape and to CSV, round trips."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orban_desktop.earnings.ledger import EarningsLedger
from orban_desktop.earnings.seed_import import SeedImportError
from orban_desktop.protocol.enums import EarningStatus
from tests.unit.earnings.entries import T0, UPSTREAM_EARNINGS, earning

NOW = datetime(2025, 11, 27, 9, 0, tzinfo=UTC)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_import_of_the_real_upstream_file(ledger: EarningsLedger) -> None:
    report = ledger.import_seed_json(UPSTREAM_EARNINGS)
    assert (report.imported, report.skipped_duplicates, report.conflicts) == (3, 0, 0)
    assert report.stated_totals_match, report.mismatches
    data = ledger.get_data(now=NOW, tz=UTC)
    assert (data.total_micros, data.pending_micros, data.paid_micros) == (
        1_585_000,
        103_688,
        960_000,
    )
    history = {e.amount.text: e for e in data.history}
    assert set(history) == {"0.625", "0.1036875", "0.96"}
    assert history["0.96"].record_id == "task-2025-000099"
    assert history["0.625"].task_id == "" and history["0.625"].record_id.startswith("upstream-")
    assert history["0.625"].recorded_at == datetime(2025, 11, 20, 8, 12, 44, 123456, tzinfo=UTC)
    assert history["0.96"].rate_per_hour.text == "0.80"
    assert history["0.1036875"].gpu_hours == 0.079


def test_second_import_adds_nothing(ledger: EarningsLedger) -> None:
    ledger.import_seed_json(UPSTREAM_EARNINGS)
    again = ledger.import_seed_json(UPSTREAM_EARNINGS)
    assert (again.imported, again.skipped_duplicates) == (0, 3)
    assert ledger.get_data().history_count == 3


def test_export_has_the_seed_shape_with_amounts_from_micro_units(
    ledger: EarningsLedger, tmp_path: Path
) -> None:
    ledger.import_seed_json(UPSTREAM_EARNINGS)
    out = tmp_path / "earnings.json"
    assert ledger.export_json(out, now=datetime(2025, 11, 27, 5, 0, tzinfo=UTC), tz=UTC) == 3
    exported = json.loads(out.read_text("utf-8"))
    assert list(exported) == ["total_earnings", "today_earnings", "pending_earnings", "history"]
    assert exported["total_earnings"] == "1.585"
    assert exported["pending_earnings"] == "0.103688"  # as the app shows it: from micro-units
    assert exported["history"][1]["amount"] == "0.103688"
    assert exported["history"][1]["amount_reported"] == "0.1036875"  # the wire's own text kept
    assert exported["today_earnings"] == "0.96"
    assert exported["history"][0] == {
        "timestamp": "2025-11-20T08:12:44.123456Z",
        "task_id": "",
        "gpu_hours": 0.5,
        "rate_per_hour": "1.25",
        "amount": "0.625",
        "status": "Confirmed",
    }
    assert [h["timestamp"] for h in exported["history"][1:]] == [
        "2025-11-26T21:03:05.500Z",
        "2025-11-27T02:40:00Z",
    ]


def test_export_then_import_round_trips(ledger: EarningsLedger, tmp_path: Path) -> None:
    ledger.import_seed_json(UPSTREAM_EARNINGS)
    ledger.record_earnings(earning("task-a", "0.0000005", status=EarningStatus.CONFIRMED))
    ledger.record_earnings(earning("task-b", "12.5"))
    first = tmp_path / "first.json"
    ledger.export_json(first, now=NOW, tz=UTC)

    with EarningsLedger(tmp_path / "fresh.sqlite3") as fresh:
        report = fresh.import_seed_json(first)
        assert (report.imported, report.stated_totals_match) == (5, True)
        second = tmp_path / "second.json"
        fresh.export_json(second, now=NOW, tz=UTC)
        assert second.read_bytes() == first.read_bytes()
        before, after = ledger.get_data(now=NOW, tz=UTC), fresh.get_data(now=NOW, tz=UTC)
        assert (after.total_micros, after.pending_micros) == (
            before.total_micros,
            before.pending_micros,
        )

    # Importing the export back into the ledger it came from adds nothing either.
    back = ledger.import_seed_json(first)
    assert (back.imported, back.skipped_duplicates) == (0, 5)


def test_numbers_in_the_file_are_read_exactly(ledger: EarningsLedger, tmp_path: Path) -> None:
    source = _write(
        tmp_path / "numbers.json",
        '{"total_earnings": 0, "today_earnings": 0, "pending_earnings": 0.1036875, "history": ['
        '{"timestamp": "2025-11-26T21:03:05Z", "task_id": "", "gpu_hours": 0.079,'
        ' "rate_per_hour": 1.25, "amount": 0.1036875, "status": "Pending"}]}',
    )
    report = ledger.import_seed_json(source)
    assert report.stated_totals_match
    [entry] = ledger.get_data().history
    assert (entry.amount.text, entry.amount.micros, entry.rate_per_hour.text) == (
        "0.1036875",
        103_688,
        "1.25",
    )


def test_identical_records_without_task_id_are_both_kept(
    ledger: EarningsLedger, tmp_path: Path
) -> None:
    item = (
        '{"timestamp": "2025-11-26T21:03:05Z", "task_id": "", "gpu_hours": 1,'
        ' "rate_per_hour": "1", "amount": "1", "status": "Pending"}'
    )
    source = _write(tmp_path / "twins.json", f'{{"history": [{item}, {item}]}}')
    assert ledger.import_seed_json(source).imported == 2
    assert ledger.import_seed_json(source).imported == 0


def test_mismatched_stated_totals_are_reported(ledger: EarningsLedger, tmp_path: Path) -> None:
    source = _write(tmp_path / "off.json", '{"total_earnings": "9", "history": []}')
    report = ledger.import_seed_json(source)
    assert not report.stated_totals_match
    assert report.mismatches == ["total_earnings says 9, its history sums to 0"]


def test_import_moves_a_stored_status_forward(ledger: EarningsLedger) -> None:
    ledger.record_earnings(earning("task-2025-000099", "0.96", gpu_hours=1.2, rate="0.80"))
    report = ledger.import_seed_json(UPSTREAM_EARNINGS)
    assert (report.imported, report.status_updated, report.conflicts) == (2, 1, 0)
    assert ledger.get_data().paid_micros == 960_000


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"total_earnings": "1"}',
        '{"history": [42]}',
        '{"history": [{"timestamp": "2025-11-26T21:03:05", "task_id": "", "gpu_hours": 1,'
        ' "rate_per_hour": "1", "amount": "1", "status": "Pending"}]}',
        '{"history": [{"timestamp": "2025-11-26T21:03:05Z", "task_id": "", "gpu_hours": 1,'
        ' "rate_per_hour": "1", "amount": "1.2.3", "status": "Pending"}]}',
        '{"history": [{"timestamp": "2025-11-26T21:03:05Z", "task_id": "", "gpu_hours": NaN,'
        ' "rate_per_hour": "1", "amount": "1", "status": "Pending"}]}',
        '{"history": [{"timestamp": "2025-11-26T21:03:05Z", "task_id": "", "gpu_hours": 1,'
        ' "rate_per_hour": "1", "amount": "1", "status": "Lost"}]}',
    ],
)
def test_malformed_files_are_refused_and_change_nothing(
    ledger: EarningsLedger, tmp_path: Path, text: str
) -> None:
    with pytest.raises(SeedImportError):
        ledger.import_seed_json(_write(tmp_path / "bad.json", text))
    assert ledger.get_data().history_count == 0


def test_missing_file_is_a_clear_error(ledger: EarningsLedger, tmp_path: Path) -> None:
    with pytest.raises(SeedImportError, match="Cannot read"):
        ledger.import_seed_json(tmp_path / "absent.json")


def test_csv_export(ledger: EarningsLedger, tmp_path: Path) -> None:
    ledger.record_earnings(earning("=HYPERLINK(1)", "0.1036875", at=T0))
    ledger.record_earnings(earning("task-2", "0.96", status=EarningStatus.PAID, at=NOW))
    out = tmp_path / "earnings.csv"
    assert ledger.export_csv(out) == 2
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["amount"] for r in rows] == ["0.96", "0.103688"]  # oldest first: NOW < T0
    assert [r["amount_reported"] for r in rows] == ["", "0.1036875"]
    assert rows[1]["task_id"] == "'=HYPERLINK(1)"  # never a live spreadsheet formula
    assert rows[0]["status"] == "Paid" and rows[0]["timestamp"] == "2025-11-27T09:00:00Z"
    assert rows[1]["gpu_index"] == "0" and rows[1]["bonus_multiplier"] == "1.0"

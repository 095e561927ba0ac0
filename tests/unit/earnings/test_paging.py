"""History paging (newest first) and the filtered query (date range, status)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orban_desktop.earnings.ledger import EarningsLedger
from orban_desktop.protocol.enums import EarningStatus
from tests.unit.earnings.entries import T0, earning


@pytest.fixture
def hundred_twenty(ledger: EarningsLedger) -> EarningsLedger:
    statuses = list(EarningStatus)
    ledger.record_many(
        earning(f"task-{i:03d}", "1", at=T0 + timedelta(minutes=i), status=statuses[i % 3])
        for i in range(120)
    )
    return ledger


def test_history_pages_are_newest_first_and_disjoint(hundred_twenty: EarningsLedger) -> None:
    pages = [hundred_twenty.get_data(page=p, page_size=50) for p in range(4)]
    ids = [[e.task_id for e in page.history] for page in pages]
    assert [len(i) for i in ids] == [50, 50, 20, 0]
    flat = [task for page in ids for task in page]
    assert flat == [f"task-{i:03d}" for i in range(119, -1, -1)]
    assert {p.history_count for p in pages} == {120}


def test_records_with_the_same_time_page_in_insertion_order(ledger: EarningsLedger) -> None:
    ledger.record_many(earning(f"same-{i}", at=T0) for i in range(5))
    pages = [ledger.get_data(page=p, page_size=2).history for p in range(3)]
    assert [e.task_id for page in pages for e in page] == [f"same-{i}" for i in range(4, -1, -1)]


@pytest.mark.parametrize(("page", "size"), [(-1, 10), (0, 0), (0, 1001)])
def test_bad_paging_is_refused(ledger: EarningsLedger, page: int, size: int) -> None:
    with pytest.raises(ValueError, match="page"):
        ledger.get_data(page=page, page_size=size)


def test_query_by_range_and_status(hundred_twenty: EarningsLedger) -> None:
    start, end = T0 + timedelta(minutes=10), T0 + timedelta(minutes=40)
    everything = hundred_twenty.query(start=start, end=end, page_size=100)
    assert everything.total_count == 30  # end is exclusive
    assert everything.items[0].task_id == "task-039"
    assert everything.items[-1].task_id == "task-010"
    confirmed = hundred_twenty.query(start=start, end=end, status=EarningStatus.CONFIRMED)
    assert confirmed.total_count == 10
    assert all(e.status is EarningStatus.CONFIRMED for e in confirmed.items)
    second_page = hundred_twenty.query(status=EarningStatus.PAID, page=1, page_size=30)
    assert (second_page.total_count, len(second_page.items)) == (40, 10)
    assert hundred_twenty.query().total_count == 120


def test_naive_query_bounds_are_refused(ledger: EarningsLedger) -> None:
    with pytest.raises(ValueError, match="time zone"):
        ledger.query(start=T0.replace(tzinfo=None))


def test_entry_reads_back_field_for_field(ledger: EarningsLedger) -> None:
    original = earning("task-x", "0.1036875", gpu_index=3)
    ledger.record_earnings(original)
    assert ledger.get_data().history == [original]

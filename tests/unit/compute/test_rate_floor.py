"""The transfer rate floor on a fake clock, its timer (``enforce_floor``) and its settings."""

from __future__ import annotations

import asyncio
import time

import pydantic
import pytest

from orban_desktop.compute.http import TransferSettings, enforce_floor
from orban_desktop.compute.rate_floor import RateFloor, TransferTooSlow
from orban_desktop.config.sections import NetworkSection

KIB = 1024
URL = "https://cdn.example:8443/models/m.tar?sig=x"


def floor(**overrides: float | int | None) -> RateFloor:
    arguments: dict[str, float | int | None] = {"min_bytes_per_s": 4 * KIB, "window_s": 60.0}
    arguments.update(overrides)
    return RateFloor(started_at=1000.0, **arguments)  # type: ignore[arg-type]


def test_too_few_bytes_over_a_full_window_trip_it_with_a_readable_reason() -> None:
    guard = floor()
    for second in range(0, 60, 6):
        guard.feed(81, 1000.0 + second)  # 810 bytes in the first minute
    guard.feed(2, 1059.0)
    guard.check(1059.9)  # not a full window yet
    with pytest.raises(TransferTooSlow) as caught:
        guard.check(1060.0)
    assert caught.value.moved_bytes == 812
    assert caught.value.describe("download", "from", URL) == (
        "The download from cdn.example:8443 was too slow: 812 bytes in the last 60 s, below the "
        "floor of 4 KiB/s (network.transfer_min_rate_kib_s). The task was handed back."
    )
    assert caught.value.context()["rule"] == "window"


def test_a_steady_rate_at_the_floor_never_trips() -> None:
    guard = floor(declared_bytes=None)
    for second in range(600):
        guard.feed(4 * KIB, 1000.0 + second)
        guard.check(1000.0 + second + 0.99)
    assert guard.total_bytes == 600 * 4 * KIB


def test_a_transfer_shorter_than_one_window_never_trips_even_with_no_bytes() -> None:
    guard = floor()
    for tenth in range(599):
        guard.check(1000.0 + tenth / 10)


def test_a_transfer_that_slows_down_trips_one_window_after_its_last_good_bucket() -> None:
    guard = floor()
    for second in range(100):
        guard.feed(8 * KIB, 1000.0 + second)
    trip_at = guard.next_check_at(1100.0)
    assert 1100.0 < trip_at <= 1160.0  # half the last minute's bytes must leave the window
    guard.check(trip_at - 0.01)
    with pytest.raises(TransferTooSlow):
        guard.check(trip_at)


def test_a_stall_is_due_at_the_end_of_the_first_window_and_trips_with_zero_bytes() -> None:
    guard = floor()
    assert guard.next_check_at(1000.0) == 1060.0
    with pytest.raises(TransferTooSlow, match=r"^0 bytes moved; below the floor"):
        guard.check(1060.0)


def test_a_burst_then_a_stall_trips_once_the_burst_leaves_the_window() -> None:
    guard = floor()
    guard.feed(50 * 1024 * KIB, 1000.5)  # 50 MiB at once, then nothing
    assert guard.next_check_at(1001.0) == pytest.approx(1063.0)  # the burst's bucket: 3 s wide
    guard.check(1062.9)
    with pytest.raises(TransferTooSlow) as caught:
        guard.check(1063.0)
    assert caught.value.moved_bytes == 0


def test_a_declared_size_sets_a_deadline_from_the_floor_plus_grace() -> None:
    guard = floor(declared_bytes=50 * 1024 * KIB)
    assert guard.deadline_s == 120 + 50 * 1024 / 4  # 12,920 s
    assert guard.next_check_at(1000.0) == 1060.0
    for second in range(0, 12_920, 10):
        guard.feed(41 * KIB, 1000.0 + second)  # the window rule holds all along
        guard.check(1000.0 + second + 9.9)
    with pytest.raises(TransferTooSlow) as caught:
        guard.check(1000.0 + 12_920)
    assert caught.value.describe("download", "from", URL) == (
        "The download of 50.0 MiB from cdn.example:8443 did not finish within its 12,920 s "
        "deadline (declared size at 4 KiB/s plus 120 s). The task was handed back."
    )
    assert caught.value.context()["rule"] == "deadline"


def test_only_the_first_declared_size_counts_and_no_size_means_no_deadline() -> None:
    guard = floor(grace_s=0.0)
    assert guard.deadline_s is None
    guard.declare(8 * KIB)
    guard.declare(400 * KIB)
    assert guard.deadline_s == 2.0
    assert guard.next_check_at(1000.0) == 1002.0  # the deadline, before the window's end
    with pytest.raises(TransferTooSlow, match=r"^0 bytes moved; past the deadline"):
        guard.check(1002.0)
    unbounded = floor()
    for second in range(0, 20_000, 10):
        unbounded.feed(41 * KIB, 1000.0 + second)
        unbounded.check(1000.0 + second + 9.9)


def test_a_floor_of_zero_is_no_floor() -> None:
    assert TransferSettings(min_bytes_per_s=0).rate_floor(10**9) is None
    with pytest.raises(ValueError, match="positive"):
        RateFloor(0, 60.0, started_at=0.0)


def test_the_network_settings_become_the_transfer_floor() -> None:
    settings = TransferSettings.from_network(
        NetworkSection(transfer_min_rate_kib_s=16, transfer_rate_window_secs=30)
    )
    assert (settings.min_bytes_per_s, settings.rate_window_s) == (16 * KIB, 30.0)
    defaults = TransferSettings.from_network(NetworkSection())
    assert (defaults.min_bytes_per_s, defaults.rate_window_s) == (4 * KIB, 60.0)
    assert (
        TransferSettings.from_network(NetworkSection(transfer_min_rate_kib_s=0)).rate_floor()
        is None
    )


@pytest.mark.parametrize(
    "values",
    [
        {"transfer_min_rate_kib_s": -1},
        {"transfer_min_rate_kib_s": 1_000_001},
        {"transfer_rate_window_secs": 4},
        {"transfer_rate_window_secs": 3601},
        {"transfer_min_rate_kib_s": "4"},
    ],
)
def test_out_of_range_floor_settings_are_refused(values: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        NetworkSection(**values)  # type: ignore[arg-type]


async def test_enforce_floor_trips_a_stalled_transfer_on_its_timer_and_cancels_it() -> None:
    cancelled = asyncio.Event()

    async def stalled() -> None:
        try:
            await asyncio.sleep(60)
        finally:
            cancelled.set()

    guard = RateFloor(1024, 0.2, started_at=time.monotonic())
    started = time.monotonic()
    with pytest.raises(TransferTooSlow):
        await enforce_floor(guard, stalled())
    assert 0.2 <= time.monotonic() - started < 1.0
    assert cancelled.is_set()


async def test_enforce_floor_returns_what_a_fast_transfer_returns() -> None:
    async def quick() -> str:
        await asyncio.sleep(0.01)
        return "done"

    assert await enforce_floor(RateFloor(1024, 0.2, started_at=time.monotonic()), quick()) == "done"
    assert await enforce_floor(None, quick()) == "done"


async def test_enforce_floor_wakes_for_a_deadline_declared_after_it_started() -> None:
    guard = RateFloor(1024, 2.0, started_at=time.monotonic(), grace_s=0.0)

    async def declares_then_stalls() -> None:
        guard.declare(256)  # 0.25 s at the floor: due long before the 2 s window
        await asyncio.sleep(60)

    started = time.monotonic()
    with pytest.raises(TransferTooSlow) as caught:
        await enforce_floor(guard, declares_then_stalls())
    assert caught.value.past_deadline and guard.deadline_s == 0.25
    assert time.monotonic() - started < 2 * guard.max_check_interval_s + 0.25

"""Tests for orban_desktop.network.reconnect: backoff sequence, jitter, storm guard, retry()."""

from __future__ import annotations

import asyncio
import random

import pytest

from orban_desktop.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    DownloadFailed,
    GPUNotFound,
    KeyFileError,
    ProtocolError,
)
from orban_desktop.network.reconnect import ReconnectStrategy, default_is_retryable

FULL_SEQUENCE = [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class RecordingSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


class FlakyOperation:
    """Fails with the given errors in turn, then returns "session"."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "session"


def _delays(strategy: ReconnectStrategy, count: int) -> list[float | None]:
    return [strategy.next_delay() for _ in range(count)]


def test_delays_double_up_to_the_cap() -> None:
    strategy = ReconnectStrategy()

    assert _delays(strategy, len(FULL_SEQUENCE)) == FULL_SEQUENCE
    assert strategy.attempts == len(FULL_SEQUENCE)


def test_delays_stay_capped_after_very_many_attempts() -> None:
    strategy = ReconnectStrategy()
    _delays(strategy, 5000)

    assert strategy.next_delay() == 300


def test_custom_base_and_cap() -> None:
    strategy = ReconnectStrategy(base_delay_secs=0.5, max_delay_secs=3.0)

    assert _delays(strategy, 6) == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]


@pytest.mark.parametrize("max_retries", [0, 1, 3])
def test_max_retries_then_none(max_retries: int) -> None:
    strategy = ReconnectStrategy(max_retries=max_retries)

    assert _delays(strategy, max_retries + 2) == [*FULL_SEQUENCE[:max_retries], None, None]
    assert strategy.attempts == max_retries


def test_jitter_stays_within_bounds_and_varies() -> None:
    strategy = ReconnectStrategy(jitter=0.5, rng=random.Random(1234))
    observed = []
    for _ in range(20):
        strategy.reset()
        for nominal in FULL_SEQUENCE:
            delay = strategy.next_delay()
            assert delay is not None
            assert nominal * 0.5 <= delay <= nominal <= 300
            observed.append(delay)

    assert len(set(observed)) > len(FULL_SEQUENCE)


def test_jitter_is_reproducible_with_a_seeded_rng() -> None:
    first = ReconnectStrategy(jitter=0.3, rng=random.Random(7))
    second = ReconnectStrategy(jitter=0.3, rng=random.Random(7))

    assert _delays(first, 15) == _delays(second, 15)


def test_full_jitter_stays_within_zero_and_the_nominal_delay() -> None:
    strategy = ReconnectStrategy(jitter=1.0, rng=random.Random(99))

    for nominal in FULL_SEQUENCE:
        delay = strategy.next_delay()
        assert delay is not None
        assert 0.0 <= delay <= nominal


def test_reset_starts_over_at_the_base_delay() -> None:
    strategy = ReconnectStrategy()
    _delays(strategy, 6)

    strategy.reset()

    assert strategy.attempts == 0
    assert _delays(strategy, 3) == [1, 2, 4]


def test_short_sessions_keep_growing_the_delay() -> None:
    clock = FakeClock()
    strategy = ReconnectStrategy(clock=clock)
    delays = []
    for _ in range(10):  # the server accepts, then drops after 59.9 s at most
        delays.append(strategy.next_delay())
        strategy.connected()
        clock.now += 59.9
        strategy.disconnected()

    assert delays == FULL_SEQUENCE[:10]


def test_a_stable_session_resets_the_delay() -> None:
    clock = FakeClock()
    strategy = ReconnectStrategy(clock=clock)
    _delays(strategy, 5)

    strategy.connected()
    clock.now += 60.0
    strategy.disconnected()

    assert strategy.attempts == 0
    assert strategy.next_delay() == 1


def test_disconnected_without_connected_does_not_reset() -> None:
    clock = FakeClock()
    strategy = ReconnectStrategy(clock=clock, min_stable_secs=0.0)
    _delays(strategy, 3)

    strategy.disconnected()

    assert strategy.next_delay() == 8


def test_each_session_is_timed_from_its_own_start() -> None:
    clock = FakeClock()
    strategy = ReconnectStrategy(clock=clock, min_stable_secs=10.0)
    strategy.connected()
    clock.now += 100.0
    strategy.disconnected()
    _delays(strategy, 3)

    clock.now += 100.0  # time spent disconnected does not count
    strategy.connected()
    clock.now += 5.0
    strategy.disconnected()

    assert strategy.next_delay() == 8


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_retries": -1},
        {"base_delay_secs": 0.0},
        {"base_delay_secs": 2.0, "max_delay_secs": 1.0},
        {"jitter": -0.1},
        {"jitter": 1.5},
        {"min_stable_secs": -1.0},
    ],
)
def test_invalid_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        ReconnectStrategy(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("exc", "retryable"),
    [
        (ConnectionFailed("down"), True),
        (DownloadFailed("later"), True),
        (AuthenticationFailed("bad key"), False),
        (KeyFileError("no key"), False),
        (ProtocolError("garbage"), False),
        (GPUNotFound("none"), False),
        (OSError("network unreachable"), True),
        (ConnectionRefusedError(), True),
        (ConnectionResetError(), True),
        (TimeoutError(), True),
        (ValueError("bug"), False),
        (RuntimeError("bug"), False),
        (KeyboardInterrupt(), False),
    ],
)
def test_default_is_retryable(exc: BaseException, retryable: bool) -> None:
    assert default_is_retryable(exc) is retryable


async def test_retry_succeeds_after_two_failures() -> None:
    sleep = RecordingSleep()
    operation = FlakyOperation(ConnectionRefusedError(), ConnectionFailed("handshake timed out"))
    strategy = ReconnectStrategy()

    assert await strategy.retry(operation, sleep=sleep) == "session"
    assert operation.calls == 3
    assert sleep.delays == [1, 2]
    assert strategy.attempts == 2  # success alone does not reset: a stable session does


async def test_retry_continues_the_backoff_of_earlier_sessions() -> None:
    sleep = RecordingSleep()
    strategy = ReconnectStrategy()
    _delays(strategy, 3)

    await strategy.retry(FlakyOperation(OSError("down")), sleep=sleep)

    assert sleep.delays == [8]


async def test_retry_reraises_authentication_failure_without_sleeping() -> None:
    sleep = RecordingSleep()
    error = AuthenticationFailed("key rejected")
    operation = FlakyOperation(OSError("down"), error)

    with pytest.raises(AuthenticationFailed) as caught:
        await ReconnectStrategy().retry(operation, sleep=sleep)

    assert caught.value is error
    assert operation.calls == 2
    assert sleep.delays == [1]


async def test_retry_reraises_a_non_retryable_first_error_at_once() -> None:
    sleep = RecordingSleep()
    operation = FlakyOperation(AuthenticationFailed("key rejected"))

    with pytest.raises(AuthenticationFailed):
        await ReconnectStrategy().retry(operation, sleep=sleep)

    assert operation.calls == 1
    assert sleep.delays == []


async def test_retry_gives_up_with_connection_failed_chaining_the_cause() -> None:
    sleep = RecordingSleep()
    last = ConnectionResetError("reset by peer")
    operation = FlakyOperation(OSError("a"), OSError("b"), OSError("c"), last)

    with pytest.raises(ConnectionFailed) as caught:
        await ReconnectStrategy(max_retries=3).retry(operation, sleep=sleep)

    assert caught.value.__cause__ is last
    assert "4 attempts" in caught.value.message
    assert "reset by peer" in caught.value.message
    assert caught.value.context == {"attempts": 4}
    assert operation.calls == 4
    assert sleep.delays == [1, 2, 4]


async def test_retry_uses_the_given_policy() -> None:
    sleep = RecordingSleep()
    operation = FlakyOperation(ValueError("flaky parser"), ValueError("flaky parser"))

    result = await ReconnectStrategy().retry(operation, is_retryable=lambda _: True, sleep=sleep)

    assert result == "session"
    assert sleep.delays == [1, 2]


async def test_retry_does_not_swallow_cancellation() -> None:
    sleep = RecordingSleep()
    operation = FlakyOperation(asyncio.CancelledError())

    with pytest.raises(asyncio.CancelledError):
        await ReconnectStrategy().retry(operation, is_retryable=lambda _: True, sleep=sleep)

    assert sleep.delays == []

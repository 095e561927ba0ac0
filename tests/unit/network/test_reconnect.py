"""Tests for orban_desktop.network.reconnect: the backoff sequence, its jitter and its settings.

The reconnect decisions (storm guard, refused keys) are in ``test_retry_policy.py``.
"""

from __future__ import annotations

import random

import pytest

from orban_desktop.network.reconnect import ReconnectStrategy

FULL_SEQUENCE = [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]


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

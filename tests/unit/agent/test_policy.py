"""ContributionPolicy: each pause reason, their combinations, overheat hysteresis, schedules."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import pytest

from orban_desktop.agent.policy import ContributionPolicy, PauseReason
from orban_desktop.config.sections import ScheduleSection
from orban_desktop.gpu.device import GPUStatus
from orban_desktop.presence.away import Presence
from tests.unit.agent.snapshots import snapshot

NOON = datetime.time(12, 0)
LIMIT = 83.0


def policy(
    allowed_hours: Sequence[str] = (), *, pause_on_foreign: bool = True, margin: float = 5.0
) -> ContributionPolicy:
    schedule = ScheduleSection(allowed_hours=list(allowed_hours))
    return ContributionPolicy(
        allows_time=schedule.allows,
        temperature_limit_c=LIMIT,
        pause_on_foreign_process=pause_on_foreign,
        cool_down_margin_c=margin,
    )


def temps(*celsius: float | None) -> list[GPUStatus]:
    return [snapshot(i, temperature_c=c) for i, c in enumerate(celsius)]


def evaluate(
    p: ContributionPolicy,
    statuses: Sequence[GPUStatus] = (),
    *,
    now: datetime.time = NOON,
    foreign: int = 0,
    user_paused: bool = False,
) -> frozenset[PauseReason]:
    return p.evaluate(
        now=now, statuses=statuses, foreign_process_count=foreign, user_paused=user_paused
    )


def test_nothing_to_pause_for() -> None:
    assert evaluate(policy(), temps(60.0, 70.0)) == frozenset()


def test_reason_codes_are_the_documented_strings() -> None:
    assert [r.value for r in PauseReason] == [
        "user",
        "foreign_process",
        "too_hot",
        "outside_hours",
        "owner_present",
        "presence_unknown",
    ]


@pytest.mark.parametrize(
    ("presence", "expected"),
    [
        (None, set()),  # "Only when I'm away" is off: presence does not matter
        (Presence.AWAY, set()),
        (Presence.AT_COMPUTER, {PauseReason.OWNER_PRESENT}),
        (Presence.UNKNOWN, {PauseReason.PRESENCE_UNKNOWN}),
    ],
)
def test_only_when_away(presence: Presence | None, expected: set[PauseReason]) -> None:
    reasons = policy().evaluate(
        now=NOON, statuses=temps(60.0), foreign_process_count=0, user_paused=False,
        presence=presence,
    )  # fmt: skip
    assert reasons == expected


def test_user_pause() -> None:
    assert evaluate(policy(), temps(60.0), user_paused=True) == {PauseReason.USER}


@pytest.mark.parametrize(
    ("pause_on_foreign", "count", "expected"),
    [
        (True, 1, {PauseReason.FOREIGN_PROCESS}),
        (True, 0, set()),
        (False, 3, set()),
    ],
)
def test_foreign_process(pause_on_foreign: bool, count: int, expected: set[PauseReason]) -> None:
    p = policy(pause_on_foreign=pause_on_foreign)
    assert evaluate(p, temps(60.0), foreign=count) == expected


def test_too_hot_at_the_limit_and_only_that_gpu_is_hot() -> None:
    p = policy()
    assert evaluate(p, temps(82.9, 60.0)) == frozenset()
    assert evaluate(p, temps(LIMIT, 60.0)) == {PauseReason.TOO_HOT}
    assert p.hot_gpus == {0}
    assert p.gpu_too_hot(0) and not p.gpu_too_hot(1)


def test_a_gpu_without_a_temperature_never_triggers_too_hot() -> None:
    p = policy()
    assert evaluate(p, temps(None, 60.0)) == frozenset()
    assert p.hot_gpus == frozenset()


def test_hysteresis_stays_paused_until_cooled_by_the_margin() -> None:
    p = policy(margin=5.0)
    assert evaluate(p, temps(85.0)) == {PauseReason.TOO_HOT}
    for still_warm in (82.0, 80.0, 78.1):
        assert evaluate(p, temps(still_warm)) == {PauseReason.TOO_HOT}, still_warm
        assert p.gpu_too_hot(0)
    assert evaluate(p, temps(78.0)) == frozenset()  # at limit - margin: fine again
    assert not p.gpu_too_hot(0)
    assert evaluate(p, temps(80.0)) == frozenset()  # below the limit, not hot before: fine


def test_too_hot_holds_until_every_gpu_is_cool() -> None:
    p = policy(margin=5.0)
    assert evaluate(p, temps(60.0, 86.0)) == {PauseReason.TOO_HOT}
    # GPU 1 cooled; GPU 0 never reached the limit but is above limit - margin: still paused.
    assert evaluate(p, temps(80.0, 70.0)) == {PauseReason.TOO_HOT}
    assert p.hot_gpus == frozenset()  # no single GPU to skip
    assert evaluate(p, temps(78.0, 70.0)) == frozenset()


def test_hysteresis_is_per_gpu() -> None:
    p = policy(margin=5.0)
    evaluate(p, temps(90.0, 90.0))
    evaluate(p, temps(70.0, 80.0))
    assert p.hot_gpus == {1}
    assert evaluate(p, temps(70.0, 77.0)) == frozenset()
    assert p.hot_gpus == frozenset()


def test_a_zero_margin_has_no_hysteresis() -> None:
    p = policy(margin=0.0)
    assert evaluate(p, temps(LIMIT)) == {PauseReason.TOO_HOT}
    assert evaluate(p, temps(82.9)) == frozenset()


def test_a_negative_margin_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        policy(margin=-1.0)


@pytest.mark.parametrize(
    ("hh", "mm", "allowed"),
    [
        (21, 59, False),
        (22, 0, True),
        (23, 59, True),
        (0, 0, True),
        (6, 59, True),
        (7, 0, False),
        (12, 0, False),
    ],
)
def test_a_window_across_midnight(hh: int, mm: int, allowed: bool) -> None:
    reasons = evaluate(policy(["22:00-07:00"]), now=datetime.time(hh, mm))
    assert reasons == (frozenset() if allowed else {PauseReason.OUTSIDE_HOURS})


def test_several_windows_and_no_window() -> None:
    p = policy(["09:00-12:00", "13:00-17:00"])
    assert evaluate(p, now=datetime.time(12, 30)) == {PauseReason.OUTSIDE_HOURS}
    assert evaluate(p, now=datetime.time(13, 0)) == frozenset()
    assert evaluate(policy(), now=datetime.time(3, 0)) == frozenset()


def test_every_reason_at_once_and_they_clear_independently() -> None:
    p = policy(["22:00-07:00"])
    presence_reasons = {PauseReason.OWNER_PRESENT, PauseReason.PRESENCE_UNKNOWN}
    everything_but_presence = set(PauseReason) - presence_reasons
    assert evaluate(p, temps(95.0), now=NOON, foreign=2, user_paused=True) == (
        everything_but_presence
    )
    assert evaluate(p, temps(95.0), now=datetime.time(23, 0), foreign=2) == {
        PauseReason.FOREIGN_PROCESS,
        PauseReason.TOO_HOT,
    }
    assert evaluate(p, temps(70.0), now=datetime.time(23, 0), user_paused=True) == {
        PauseReason.USER
    }

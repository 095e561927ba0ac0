"""The event bus: typed subscriptions, base-class subscribers, failing subscribers isolated."""

from __future__ import annotations

import logging

import pytest

from orban_desktop.events import (
    ConnectionState,
    ConnectionStateChanged,
    Event,
    EventBus,
    TaskProgressed,
)


def test_subscribers_get_their_type_and_base_subscribers_everything() -> None:
    bus = EventBus()
    states: list[ConnectionStateChanged] = []
    everything: list[Event] = []
    bus.subscribe(ConnectionStateChanged, states.append)
    bus.subscribe(Event, everything.append)
    bus.publish(ConnectionStateChanged(ConnectionState.SERVING))
    bus.publish(TaskProgressed("t", "running", 0.5))
    assert [e.state for e in states] == [ConnectionState.SERVING]
    assert len(everything) == 2


def test_unsubscribe_stops_delivery() -> None:
    bus = EventBus()
    seen: list[TaskProgressed] = []
    bus.subscribe(TaskProgressed, seen.append)
    bus.unsubscribe(TaskProgressed, seen.append)
    bus.unsubscribe(TaskProgressed, seen.append)  # twice is harmless
    bus.publish(TaskProgressed("t", "running", 0.5))
    assert seen == []


def test_a_failing_subscriber_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    seen: list[TaskProgressed] = []

    def broken(event: TaskProgressed) -> None:
        raise RuntimeError("boom")

    bus.subscribe(TaskProgressed, broken)
    bus.subscribe(TaskProgressed, seen.append)
    with caplog.at_level(logging.ERROR):
        bus.publish(TaskProgressed("t", "running", 0.5))
    assert len(seen) == 1
    assert "boom" in caplog.text

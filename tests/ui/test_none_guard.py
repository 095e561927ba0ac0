"""The guard that keeps PySide6 6.12.0's leaked references from freeing None, True or False."""

from __future__ import annotations

import sys

from pytestqt.qtbot import QtBot

from orban_desktop.ui.none_guard import FLOOR, GUARDED, NoneRefcountGuard, _Probe


def test_counts_stay_above_the_floor_through_many_calls(qtbot: QtBot) -> None:
    guard = NoneRefcountGuard(interval_ms=60_000)
    probe = _Probe()
    probe.pinged.connect(lambda: None)
    for _ in range(20_000):
        probe.setObjectName("probe")
        probe.pinged.emit()
    guard.top_up()
    assert all(sys.getrefcount(guarded) >= FLOOR for guarded in GUARDED)
    assert guard.top_up() == 0  # nothing to add right after a top-up

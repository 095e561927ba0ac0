"""A guard against PySide6 6.12.0's leaked references to ``None``, ``True`` and ``False``.

PySide6 6.12.0 hands out ``None`` from every wrapped method without a result, and ``True`` from
``SignalInstance.emit``, without taking the reference it gives away: each call lowers that
object's reference count by one (measured: 50 calls of ``QObject.setObjectName`` take 50 off
``None``, 50 emits take 50 off ``True``; 6.11.3 takes none). From Python 3.12 on these objects
are immortal and this does no harm; on 3.11 a count reaches zero after minutes of painting and
Python aborts ("none_dealloc" / "bool_dealloc"). :func:`protect_none` probes for the leak once
and, only where it is found, starts :class:`NoneRefcountGuard`, which tops the counts back up
twice a second (these objects are never freed, so a count too high costs nothing). The proper
fix is a PySide6 without the bug (``PySide6-Essentials<6.12``). Imports QtCore.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6.QtCore import QObject, QTimer, Signal

logger = logging.getLogger(__name__)
#: Top up when a count falls below this; far more than any burst of calls takes.
FLOOR = 1 << 22
PROBE_CALLS = 64
GUARDED: tuple[object, ...] = (None, True, False)


class _Probe(QObject):
    pinged = Signal()


def pyside_leaks_singletons() -> bool:
    """Whether PySide6 calls lower the counts of ``None`` or ``True`` (a method without a
    result, a signal emit)."""
    if sys.version_info >= (3, 12):
        return False
    probe = _Probe()
    before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(PROBE_CALLS):
        probe.setObjectName("probe")
        probe.pinged.emit()
    after = sys.getrefcount(None), sys.getrefcount(True)
    return any(b - a >= PROBE_CALLS // 2 for a, b in zip(after, before, strict=True))


class NoneRefcountGuard(QObject):
    """Keeps the counts of ``None``, ``True`` and ``False`` above :data:`FLOOR`.

    For CPython 3.11 release builds only (see :func:`protect_none`).
    """

    def __init__(self, interval_ms: int = 500, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.added = 0
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.top_up)
        self.top_up()
        self._timer.start()

    def top_up(self) -> int:
        """Raise each count below the floor back to twice the floor; returns what was added."""
        added = 0
        for guarded in GUARDED:
            count = sys.getrefcount(guarded)
            if count < FLOOR:
                # ob_refcnt is the first field of every object in a release build of CPython
                # 3.11; the GIL is held, and a count a few too high is harmless here.
                ctypes.c_ssize_t.from_address(id(guarded)).value += 2 * FLOOR - count
                added += 2 * FLOOR - count
        self.added += added
        return added


def protect_none(parent: QObject | None = None) -> NoneRefcountGuard | None:
    """Start the guard if this PySide6 leaks such references here; ``None`` when it does not."""
    if hasattr(sys, "gettotalrefcount"):  # a debug build: another object layout
        return None
    if not pyside_leaks_singletons():
        return None
    logger.warning(
        "this PySide6 (%s) leaks references to None and True on Python %d.%d; guarding "
        "against it (install PySide6-Essentials<6.12 to fix it properly)",
        _pyside_version(),
        *sys.version_info[:2],
    )
    return NoneRefcountGuard(parent=parent)


def _pyside_version() -> str:
    import PySide6

    return str(getattr(PySide6, "__version__", "?"))

"""The C allocator of a process that runs for weeks: fewer arenas, and freed memory given back.

With glibc, each thread that allocates while another holds the allocator's lock gets an arena
of its own (up to eight per core), and memory freed into an arena mostly stays with the process.
The agent's threads come and go (a download's writer and hasher, a waiter per task process,
the loop's workers), so in the second half of an hour's soak its resident memory crept up
while the Python heap stayed flat (issue 21: ``bench/memory_trace.py``). :func:`limit_arenas`
caps the arenas at two (what ``MALLOC_ARENA_MAX=2`` does, unless the user set that variable),
early in the process, and :class:`HeapTrimmer` calls ``malloc_trim(0)`` once a minute in a
worker thread, which returns the free pages of every arena to the system (a fraction of a
millisecond here). Elsewhere (macOS, Windows, musl) both do nothing. Standard library only; no Qt.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
from collections.abc import Callable

log = logging.getLogger(__name__)
_M_ARENA_MAX = -8  # <malloc.h>
ARENAS = 2
TRIM_INTERVAL_S = 60.0


def glibc() -> ctypes.CDLL | None:
    """The process's glibc, or ``None`` where the C library is another one."""
    try:  # the symbols already loaded (find_library would start ldconfig: slow at start-up)
        libc = ctypes.CDLL(None)
    except (OSError, TypeError):  # Windows has no "already loaded" library
        return None
    needed = ("gnu_get_libc_version", "malloc_trim", "mallopt")
    return libc if all(hasattr(libc, symbol) for symbol in needed) else None


def limit_arenas(libc: ctypes.CDLL | None, count: int = ARENAS) -> bool:
    """Cap glibc's arenas at ``count`` (call it before the process starts threads).

    Returns whether the cap is in place; the user's own ``MALLOC_ARENA_MAX`` is left alone.
    """
    if libc is None or "MALLOC_ARENA_MAX" in os.environ:
        return False
    return bool(libc.mallopt(_M_ARENA_MAX, count))


def trimmer_of(libc: ctypes.CDLL | None) -> Callable[[], bool] | None:
    """``malloc_trim(0)`` as a blocking call (``True``: memory went back), or ``None``."""
    if libc is None:
        return None
    trim = libc.malloc_trim
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: bool(trim(0))


class HeapTrimmer:
    """``await trimmer.run()``: trims every ``interval_s`` seconds, off the loop, until cancelled.

    Args:
        trim: The blocking trim call (:func:`trimmer_of`); ``None``: nothing to do.
        interval_s: Seconds between trims.
    """

    def __init__(self, trim: Callable[[], bool] | None, interval_s: float = TRIM_INTERVAL_S):
        if interval_s <= 0:
            raise ValueError("the trim interval must be positive")
        self._trim = trim
        self._interval = interval_s
        self.trims = 0

    async def run(self) -> None:
        if self._trim is None:
            return
        while True:
            await asyncio.sleep(self._interval)
            released = await asyncio.to_thread(self._trim)
            self.trims += 1
            log.debug("heap trimmed (%s)", "memory returned" if released else "nothing to return")

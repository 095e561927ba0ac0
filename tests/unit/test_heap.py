"""The allocator tuning: glibc found, arenas capped unless the user chose, trims off the loop."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading

import pytest

from orban_desktop.heap import HeapTrimmer, glibc, limit_arenas, trimmer_of

ON_GLIBC = sys.platform.startswith("linux") and glibc() is not None


@pytest.mark.skipif(not ON_GLIBC, reason="glibc only")
def test_glibc_trims_for_real() -> None:
    trim = trimmer_of(glibc())
    assert trim is not None
    assert trim() in (True, False)


def test_without_glibc_nothing_is_tuned() -> None:
    assert limit_arenas(None) is False
    assert trimmer_of(None) is None


@pytest.mark.skipif(not ON_GLIBC, reason="glibc only")
@pytest.mark.parametrize(("user_value", "capped"), [(None, "True"), ("4", "False")])
def test_the_arena_cap_leaves_the_users_own_setting_alone(
    user_value: str | None, capped: str
) -> None:
    # A process of its own: the cap must not change this test process's allocator.
    code = "from orban_desktop.heap import glibc, limit_arenas; print(limit_arenas(glibc()))"
    env = {"PATH": "/usr/bin:/bin"} | ({"MALLOC_ARENA_MAX": user_value} if user_value else {})
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == capped


async def test_the_trimmer_trims_in_a_worker_thread_until_cancelled() -> None:
    threads: list[int] = []

    def trim() -> bool:
        threads.append(threading.get_ident())
        return True

    trimmer = HeapTrimmer(trim, interval_s=0.01)
    running = asyncio.create_task(trimmer.run())
    while trimmer.trims < 3:
        await asyncio.sleep(0.01)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert threading.get_ident() not in threads and len(threads) >= 3


async def test_a_trimmer_without_glibc_ends_at_once() -> None:
    trimmer = HeapTrimmer(None, interval_s=0.01)
    await asyncio.wait_for(trimmer.run(), 1.0)
    assert trimmer.trims == 0
    with pytest.raises(ValueError, match="positive"):
        HeapTrimmer(None, interval_s=0)

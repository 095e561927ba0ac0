"""The model cache: verified files only, one shared download, LRU eviction under the cap."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from orban_desktop.compute.cache import ModelCache
from orban_desktop.errors import DownloadFailed
from tests.unit.compute.factories import sha256_hex


class Source:
    """A fill function that writes known bytes, counting calls; optionally waits for a gate."""

    def __init__(self, data: bytes, gate: asyncio.Event | None = None) -> None:
        self.data = data
        self.gate = gate
        self.calls = 0
        self.partials: list[Path] = []

    async def __call__(self, partial: Path) -> str:
        self.calls += 1
        self.partials.append(partial)
        partial.write_bytes(self.data)
        if self.gate is not None:
            await self.gate.wait()
        return sha256_hex(self.data)


async def test_a_model_is_downloaded_once_then_served_from_the_cache(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path / "models", max_bytes=1 << 20)
    source = Source(b"weights")
    first = await cache.acquire(sha256_hex(b"weights"), 7, source)
    await cache.release(first)
    second = await cache.acquire(sha256_hex(b"weights"), 7, source)
    assert source.calls == 1
    assert (first.was_cached, second.was_cached) == (False, True)
    assert second.path == tmp_path / "models" / "sha256" / sha256_hex(b"weights")
    assert second.path.read_bytes() == b"weights"
    assert oct(second.path.stat().st_mode & 0o777) == oct(0o444)
    assert not source.partials[0].exists()
    await cache.release(second)


async def test_two_tasks_share_one_download(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path, max_bytes=1 << 20)
    gate = asyncio.Event()
    source = Source(b"shared", gate)
    digest = sha256_hex(b"shared")
    tasks = [asyncio.create_task(cache.acquire(digest, 6, source)) for _ in range(3)]
    await asyncio.sleep(0.05)
    gate.set()
    leases = await asyncio.gather(*tasks)
    assert source.calls == 1
    assert {lease.path for lease in leases} == {cache.path_for(digest)}
    for lease in leases:
        await cache.release(lease)


async def test_a_partial_file_is_never_taken_for_a_verified_one(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path, max_bytes=1 << 20)
    digest = sha256_hex(b"complete")

    async def breaks(partial: Path) -> str:
        partial.write_bytes(b"compl")
        raise DownloadFailed("connection lost")

    with pytest.raises(DownloadFailed):
        await cache.acquire(digest, 8, breaks)
    assert not cache.path_for(digest).exists()
    assert list((tmp_path / "partial").iterdir()) == []
    source = Source(b"complete")
    lease = await cache.acquire(digest, 8, source)
    assert source.calls == 1 and lease.path.read_bytes() == b"complete"


async def test_a_fill_that_wrote_other_bytes_is_refused(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path, max_bytes=1 << 20)
    with pytest.raises(DownloadFailed, match="expected sha256:"):
        await cache.acquire(sha256_hex(b"expected"), 8, Source(b"imposter"))
    assert not cache.path_for(sha256_hex(b"expected")).exists()


async def test_leftover_partials_are_deleted_when_the_cache_opens(tmp_path: Path) -> None:
    (tmp_path / "partial").mkdir(parents=True)
    (tmp_path / "partial" / f"{'cd' * 32}.0001.part").write_bytes(b"half")
    cache = ModelCache(tmp_path, max_bytes=1 << 20)
    await cache.release(await cache.acquire(sha256_hex(b"x"), 1, Source(b"x")))
    assert list((tmp_path / "partial").iterdir()) == []


async def test_a_cached_file_of_the_wrong_size_is_fetched_again(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path, max_bytes=1 << 20)
    digest = sha256_hex(b"model!")
    await cache.release(await cache.acquire(digest, 6, Source(b"model!")))
    os.chmod(cache.path_for(digest), 0o644)
    cache.path_for(digest).write_bytes(b"mod")  # truncated behind the cache's back
    source = Source(b"model!")
    lease = await cache.acquire(digest, 6, source)
    assert source.calls == 1 and lease.path.read_bytes() == b"model!"


async def test_least_recently_used_models_are_evicted_first(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path, max_bytes=250)
    blobs = {name: bytes([name]) * 100 for name in (1, 2, 3)}
    digests = {name: sha256_hex(data) for name, data in blobs.items()}
    for name in (1, 2):
        await cache.release(await cache.acquire(digests[name], 100, Source(blobs[name])))
        os.utime(cache.path_for(digests[name]), (1000 + name, 1000 + name))
    await cache.release(await cache.acquire(digests[1], 100, Source(blobs[1])))  # 1 is newer
    await cache.release(await cache.acquire(digests[3], 100, Source(blobs[3])))
    assert cache.path_for(digests[1]).exists()
    assert not cache.path_for(digests[2]).exists()
    assert cache.path_for(digests[3]).exists()
    assert await cache.usage_bytes() == 200


async def test_a_model_in_use_is_never_evicted(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path, max_bytes=150)
    held = await cache.acquire(sha256_hex(b"a" * 100), 100, Source(b"a" * 100))
    other = await cache.acquire(sha256_hex(b"b" * 100), 100, Source(b"b" * 100))
    assert held.path.exists() and other.path.exists()  # over the cap while both are in use
    await cache.release(other)
    assert held.path.exists() and not other.path.exists()
    await cache.release(held)
    assert held.path.exists()  # 100 bytes fit under the cap


async def test_a_zero_cap_keeps_nothing_after_use(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path, max_bytes=0)
    lease = await cache.acquire(sha256_hex(b"tmp"), 3, Source(b"tmp"))
    assert lease.path.read_bytes() == b"tmp"
    await cache.release(lease)
    assert await cache.usage_bytes() == 0


async def test_one_cancelled_waiter_leaves_the_shared_download_running(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path, max_bytes=1 << 20)
    gate = asyncio.Event()
    source = Source(b"shared", gate)
    digest = sha256_hex(b"shared")
    waiters = [asyncio.create_task(cache.acquire(digest, 6, source)) for _ in range(2)]
    await asyncio.sleep(0.05)
    waiters[0].cancel()
    gate.set()
    lease = await waiters[1]
    assert waiters[0].cancelled()
    assert source.calls == 1 and lease.path.read_bytes() == b"shared"


async def test_cancelling_every_waiter_cancels_the_download(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path, max_bytes=1 << 20)
    source = Source(b"slow", asyncio.Event())  # never released
    digest = sha256_hex(b"slow")
    waiters = [asyncio.create_task(cache.acquire(digest, 4, source)) for _ in range(2)]
    await asyncio.sleep(0.05)
    assert source.partials[0].exists()
    for waiter in waiters:
        waiter.cancel()
    await asyncio.gather(*waiters, return_exceptions=True)
    for _ in range(50):
        if not source.partials[0].exists():
            break
        await asyncio.sleep(0.01)
    assert not source.partials[0].exists()
    assert not cache.path_for(digest).exists()
    again = Source(b"slow")
    await cache.acquire(digest, 4, again)  # a later request starts a fresh download
    assert again.calls == 1


async def test_a_bad_digest_is_refused(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path, max_bytes=1)
    with pytest.raises(ValueError, match="hex SHA-256"):
        await cache.acquire("AB" * 32, 1, Source(b"x"))

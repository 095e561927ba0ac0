"""Unpacked model folders in the cache: once per hash, shared, evicted with their archive."""

from __future__ import annotations

import asyncio
import os
import tarfile
import threading
from pathlib import Path
from typing import Any

import pytest

from orban_desktop.compute import cache_files
from orban_desktop.compute.cache import ModelCache
from orban_desktop.errors import ValidationFailed
from orban_desktop.fsutil import remove_tree
from tests.unit.compute.factories import sha256_hex
from tests.unit.compute.tarballs import (
    MODEL_FILES,
    file_member,
    model_tar,
    special_member,
    tar_bytes,
)

CAP = 1 << 20


class ArchiveSource:
    """A fill function serving one archive, counting calls; optionally waits for a gate."""

    def __init__(self, data: bytes, gate: asyncio.Event | None = None) -> None:
        self.data = data
        self.digest = sha256_hex(data)
        self.gate = gate
        self.calls = 0

    async def __call__(self, partial: Path) -> str:
        self.calls += 1
        partial.write_bytes(self.data)
        if self.gate is not None:
            await self.gate.wait()
        return self.digest

    async def folder(self, cache: ModelCache, max_unpacked_bytes: int = CAP) -> Any:
        return await cache.acquire_folder(
            self.digest, len(self.data), self, max_unpacked_bytes=max_unpacked_bytes
        )


@pytest.fixture
def unpacks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every archive the cache unpacks, in order."""
    calls: list[Path] = []
    real = cache_files.unpack_model_archive

    def counted(archive: Path, dest: Path, **limits: int) -> Any:
        calls.append(archive)
        return real(archive, dest, **limits)

    monkeypatch.setattr(cache_files, "unpack_model_archive", counted)
    return calls


def _model(tag: int) -> ArchiveSource:
    return ArchiveSource(model_tar({"config.json": bytes([tag]) * 100}))


def _entry_bytes(source: ArchiveSource) -> int:
    return len(source.data) + 100  # the archive and its one unpacked file


async def test_concurrent_tasks_share_one_download_and_one_unpack(
    tmp_path: Path, unpacks: list[Path]
) -> None:
    cache = ModelCache(tmp_path, max_bytes=CAP)
    source = ArchiveSource(model_tar(MODEL_FILES), asyncio.Event())
    waiters = [asyncio.create_task(source.folder(cache)) for _ in range(3)]
    await asyncio.sleep(0.05)
    assert source.gate is not None
    source.gate.set()
    leases = await asyncio.gather(*waiters)
    assert source.calls == 1 and len(unpacks) == 1
    folder = tmp_path / "unpacked" / source.digest
    assert {lease.path for lease in leases} == {folder} == {cache.folder_for(source.digest)}
    assert [lease.was_cached for lease in leases] == [False] * 3
    for name, data in MODEL_FILES.items():
        assert (folder / name).read_bytes() == data
        assert oct((folder / name).stat().st_mode & 0o777) == oct(0o444)
    assert oct(folder.stat().st_mode & 0o777) == oct(0o555)
    assert oct((folder / "1_Pooling").stat().st_mode & 0o777) == oct(0o555)
    assert cache.path_for(source.digest).read_bytes() == source.data  # the archive stays
    assert list((tmp_path / "partial").iterdir()) == []
    for lease in leases:
        await cache.release(lease)


async def test_a_second_task_on_the_same_model_is_a_cache_hit(
    tmp_path: Path, unpacks: list[Path]
) -> None:
    cache = ModelCache(tmp_path, max_bytes=CAP)
    source = ArchiveSource(model_tar(MODEL_FILES))
    await cache.release(await source.folder(cache))
    again = await source.folder(cache)
    assert again.was_cached and again.path == cache.folder_for(source.digest)
    assert source.calls == 1 and len(unpacks) == 1
    await cache.release(again)


async def test_usage_counts_the_archive_and_its_folder(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path, max_bytes=CAP)
    source = _model(1)
    await cache.release(await source.folder(cache))
    assert await cache.usage_bytes() == _entry_bytes(source)


async def test_archive_and_folder_are_evicted_together_least_recently_used_first(
    tmp_path: Path,
) -> None:
    models = {tag: _model(tag) for tag in (1, 2, 3)}
    cache = ModelCache(tmp_path, max_bytes=_entry_bytes(models[1]) * 5 // 2)
    for tag in (1, 2):
        await cache.release(await models[tag].folder(cache))
        os.utime(cache.path_for(models[tag].digest), (1000 + tag, 1000 + tag))
    await cache.release(await models[1].folder(cache))  # 1 is the most recent now
    await cache.release(await models[3].folder(cache))
    kept = {
        tag: (cache.path_for(m.digest).exists(), cache.folder_for(m.digest).exists())
        for tag, m in models.items()
    }
    assert kept == {1: (True, True), 2: (False, False), 3: (True, True)}
    assert await cache.usage_bytes() == 2 * _entry_bytes(models[1])
    assert list((tmp_path / "partial").iterdir()) == []


async def test_a_folder_in_use_is_never_evicted(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path, max_bytes=0)
    held_source, other_source = _model(1), _model(2)
    held = await held_source.folder(cache)
    other = await other_source.folder(cache)
    await cache.release(other)
    assert not other.path.exists() and not cache.path_for(other_source.digest).exists()
    assert (held.path / "config.json").read_bytes() == b"\x01" * 100
    await cache.release(held)
    assert not held.path.exists() and await cache.usage_bytes() == 0


async def test_leftover_partial_unpacks_are_removed_when_the_cache_opens(tmp_path: Path) -> None:
    leftover = tmp_path / "partial" / f"{'ab' * 32}.0001.dir"
    (leftover / "sub").mkdir(parents=True)
    (leftover / "sub" / "weights").write_bytes(b"half")
    os.chmod(leftover / "sub" / "weights", 0o444)
    os.chmod(leftover / "sub", 0o555)
    os.chmod(leftover, 0o555)
    (tmp_path / "partial" / f"{'cd' * 32}.0002.part").write_bytes(b"half")
    cache = ModelCache(tmp_path, max_bytes=CAP)
    await cache.release(await _model(1).folder(cache))
    assert list((tmp_path / "partial").iterdir()) == []


def _delete_folder(folder: Path) -> None:
    remove_tree(folder)


def _truncate_a_file(folder: Path) -> None:
    os.chmod(folder, 0o755)
    os.chmod(folder / "config.json", 0o644)
    (folder / "config.json").write_bytes(b"{")


def _delete_a_file(folder: Path) -> None:
    os.chmod(folder / "1_Pooling", 0o755)
    (folder / "1_Pooling" / "config.json").unlink()


def _add_a_file(folder: Path) -> None:
    os.chmod(folder, 0o755)
    (folder / "extra.py").write_bytes(b"import os")


def _swap_in_a_symlink(folder: Path) -> None:
    os.chmod(folder, 0o755)
    (folder / "tokenizer.json").unlink()
    (folder / "tokenizer.json").symlink_to("/etc/passwd")


@pytest.mark.parametrize(
    "tamper",
    [_delete_folder, _truncate_a_file, _delete_a_file, _add_a_file, _swap_in_a_symlink],
)
async def test_a_changed_folder_is_unpacked_again_from_the_cached_archive(
    tmp_path: Path, unpacks: list[Path], tamper: Any
) -> None:
    cache = ModelCache(tmp_path, max_bytes=CAP)
    source = ArchiveSource(model_tar(MODEL_FILES))
    await cache.release(await source.folder(cache))
    tamper(cache.folder_for(source.digest))
    lease = await source.folder(cache)
    assert lease.was_cached  # nothing downloaded again
    assert source.calls == 1 and len(unpacks) == 2
    for name, data in MODEL_FILES.items():
        assert (lease.path / name).read_bytes() == data
    assert not (lease.path / "extra.py").exists()
    assert not (lease.path / "tokenizer.json").is_symlink()
    assert list((tmp_path / "partial").iterdir()) == []


async def test_a_folder_whose_archive_was_deleted_is_reused_after_downloading_it(
    tmp_path: Path, unpacks: list[Path]
) -> None:
    cache = ModelCache(tmp_path, max_bytes=CAP)
    source = ArchiveSource(model_tar(MODEL_FILES))
    await cache.release(await source.folder(cache))
    cache.path_for(source.digest).unlink()
    lease = await source.folder(cache)
    assert not lease.was_cached and source.calls == 2 and len(unpacks) == 1
    assert (lease.path / "config.json").read_bytes() == MODEL_FILES["config.json"]


async def test_a_refused_archive_makes_no_folder_and_holds_nothing(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path, max_bytes=CAP)
    hostile = tar_bytes(
        [file_member("config.json", b"{}"), special_member("x", tarfile.SYMTYPE, "/etc")]
    )
    source = ArchiveSource(hostile)
    for _ in range(2):  # the second time from the cached archive, refused again
        with pytest.raises(ValidationFailed, match="symbolic link"):
            await source.folder(cache)
    assert source.calls == 1
    assert not cache.folder_for(source.digest).exists()
    assert list((tmp_path / "partial").iterdir()) == []
    assert await cache.evict(CAP) == len(hostile)  # not pinned: evictable


async def test_a_cached_folder_over_a_smaller_cap_is_refused(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path, max_bytes=CAP)
    source = ArchiveSource(model_tar(MODEL_FILES))
    await cache.release(await source.folder(cache))
    with pytest.raises(ValidationFailed, match="more than the 10 allowed"):
        await source.folder(cache, max_unpacked_bytes=10)
    assert not cache.folder_for(source.digest).exists()


async def test_a_file_lease_and_a_folder_lease_share_the_archive(
    tmp_path: Path, unpacks: list[Path]
) -> None:
    cache = ModelCache(tmp_path, max_bytes=CAP)
    source = ArchiveSource(model_tar(MODEL_FILES))
    plain = await cache.acquire(source.digest, len(source.data), source)
    folder = await source.folder(cache)
    assert plain.path == cache.path_for(source.digest) and plain.path.is_file()
    assert folder.path.is_dir() and folder.was_cached
    assert source.calls == 1 and len(unpacks) == 1
    await cache.release(plain)
    await cache.release(folder)


async def test_cancelling_every_waiter_leaves_no_folder_and_a_later_task_starts_over(
    tmp_path: Path,
) -> None:
    cache = ModelCache(tmp_path, max_bytes=CAP)
    slow = ArchiveSource(model_tar(MODEL_FILES), asyncio.Event())  # never released
    waiters = [asyncio.create_task(slow.folder(cache)) for _ in range(2)]
    await asyncio.sleep(0.05)
    for waiter in waiters:
        waiter.cancel()
    await asyncio.gather(*waiters, return_exceptions=True)
    await asyncio.sleep(0.05)
    assert not cache.folder_for(slow.digest).exists()
    again = ArchiveSource(slow.data)
    lease = await again.folder(cache)
    assert again.calls == 1 and (lease.path / "config.json").exists()


async def test_a_cancelled_unpack_keeps_its_archive_until_the_thread_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, proceed = threading.Event(), threading.Event()
    real = cache_files.unpack_model_archive

    def slow_unpack(archive: Path, dest: Path, **limits: int) -> Any:
        started.set()
        proceed.wait(5)
        return real(archive, dest, **limits)

    monkeypatch.setattr(cache_files, "unpack_model_archive", slow_unpack)
    cache = ModelCache(tmp_path, max_bytes=0)
    source = ArchiveSource(model_tar(MODEL_FILES))
    waiter = asyncio.create_task(source.folder(cache))
    await asyncio.to_thread(started.wait, 5)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await cache.evict()
    assert cache.path_for(source.digest).exists()  # still pinned: the thread reads it
    proceed.set()
    for _ in range(100):  # once the thread is done, nothing holds the model any more
        await cache.evict()
        if await cache.usage_bytes() == 0:
            break
        await asyncio.sleep(0.02)
    assert await cache.usage_bytes() == 0
    assert list((tmp_path / "partial").iterdir()) == []


async def test_a_bad_digest_is_refused(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path, max_bytes=CAP)
    with pytest.raises(ValueError, match="hex SHA-256"):
        await cache.acquire_folder("AB" * 32, 1, ArchiveSource(b"x"), max_unpacked_bytes=1)

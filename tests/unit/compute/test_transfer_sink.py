"""The download sink: writing and hashing as two stages that never wait for each other."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from orban_desktop.compute.sink import HashingFile

CHUNKS = [os.urandom(size) for size in (1, 4096, 70_000, 131_072, 3, 262_144)]


@pytest.mark.parametrize("small", [False, True], ids=["pipeline", "small"])
async def test_batches_are_written_and_hashed_in_order(tmp_path: Path, small: bool) -> None:
    sink = await HashingFile.create(tmp_path / "model", depth=2, small=small)
    for start in range(0, len(CHUNKS), 2):
        await sink.write(CHUNKS[start : start + 2])
    size, digest = await sink.finish()
    data = b"".join(CHUNKS)
    assert (size, digest) == (len(data), hashlib.sha256(data).hexdigest())
    assert (tmp_path / "model").read_bytes() == data


@pytest.mark.parametrize("small", [False, True], ids=["pipeline", "small"])
@pytest.mark.parametrize("iov_max", [2, 1024])
async def test_a_short_writev_and_a_long_batch_lose_no_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, iov_max: int, small: bool
) -> None:
    """``writev`` may take fewer bytes than given (mid-chunk); a batch longer than IOV_MAX
    is written chunk by chunk. Either way the file holds every byte once, in order."""
    real_writev = os.writev

    def short_writev(fd: int, buffers: Sequence[bytes]) -> int:
        return real_writev(fd, [buffers[0], bytes(buffers[1][:100])])  # stops inside chunk two

    monkeypatch.setattr("orban_desktop.compute.sink._IOV_MAX", iov_max)
    monkeypatch.setattr(os, "writev", short_writev)
    sink = await HashingFile.create(tmp_path / "model", depth=2, small=small)
    await sink.write(CHUNKS)
    size, digest = await sink.finish()
    data = b"".join(CHUNKS)
    assert (size, digest) == (len(data), hashlib.sha256(data).hexdigest())
    assert (tmp_path / "model").read_bytes() == data


@pytest.mark.parametrize("small", [False, True], ids=["pipeline", "small"])
async def test_a_restart_forgets_what_was_written(tmp_path: Path, small: bool) -> None:
    sink = await HashingFile.create(tmp_path / "model", small=small)
    await sink.write([b"stale bytes from a server that ignored Range"])
    await sink.restart()
    assert sink.size == 0
    await sink.write([b"fresh"])
    assert await sink.finish() == (5, hashlib.sha256(b"fresh").hexdigest())
    assert (tmp_path / "model").read_bytes() == b"fresh"


async def test_hashing_goes_on_while_a_write_is_held_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk_free, hashed = threading.Event(), threading.Event()
    real_write, real_hash = HashingFile._write_batch, HashingFile._hash_batch

    def slow_disk(self: HashingFile, batch: Sequence[bytes]) -> None:
        assert disk_free.wait(5)
        real_write(self, batch)

    def hash_and_tell(digest: hashlib._Hash, batch: Sequence[bytes]) -> None:
        real_hash(digest, batch)
        hashed.set()

    monkeypatch.setattr(HashingFile, "_write_batch", slow_disk)
    monkeypatch.setattr(HashingFile, "_hash_batch", staticmethod(hash_and_tell))
    sink = await HashingFile.create(tmp_path / "model", depth=4)
    await sink.write([b"first batch"])  # returns at once: the disk is held, the queue is not full
    assert await asyncio.to_thread(hashed.wait, 5)  # hashed although not yet written
    disk_free.set()
    assert await sink.finish() == (11, hashlib.sha256(b"first batch").hexdigest())


async def test_a_full_queue_makes_write_wait_and_a_write_error_surfaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk_free = threading.Event()

    def full_disk(self: HashingFile, batch: Sequence[bytes]) -> None:
        assert disk_free.wait(5)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(HashingFile, "_write_batch", full_disk)
    sink = await HashingFile.create(tmp_path / "model", depth=1)
    await sink.write([b"one"])
    second = asyncio.ensure_future(sink.write([b"two"]))
    await asyncio.sleep(0.05)
    assert not second.done()  # depth 1: receiving pauses until the first batch is through
    disk_free.set()
    with pytest.raises(OSError, match="No space left"):
        await second
    await sink.discard()
    assert not (tmp_path / "model").exists()


async def test_discard_after_cancellation_waits_for_the_stages_and_deletes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk_free = threading.Event()
    real_write = HashingFile._write_batch

    def slow_disk(self: HashingFile, batch: Sequence[bytes]) -> None:
        assert disk_free.wait(5)
        real_write(self, batch)

    monkeypatch.setattr(HashingFile, "_write_batch", slow_disk)
    sink = await HashingFile.create(tmp_path / "model", depth=1)
    await sink.write([b"one"])
    blocked = asyncio.ensure_future(sink.write([b"two"]))
    await asyncio.sleep(0.05)
    blocked.cancel()
    with pytest.raises(asyncio.CancelledError):
        await blocked
    asyncio.get_running_loop().call_later(0.05, disk_free.set)
    await sink.discard()  # waits for the batch on the worker; never tears it in half
    assert not (tmp_path / "model").exists()


async def test_a_small_file_starts_no_thread_of_its_own(tmp_path: Path) -> None:
    """Starting two threads per task input cost the loop more than writing it."""
    sink = await HashingFile.create(tmp_path / "input", small=True)
    await sink.write([b"a few", b" sentences"])
    # Named threads, not a count: the loop's default executor may add a worker of its own when
    # its idle one has not yet said so (CI failed on the count under load).
    assert not [t.name for t in threading.enumerate() if t.name.startswith("orban-download")]
    assert await sink.finish() == (15, hashlib.sha256(b"a few sentences").hexdigest())
    failed = await HashingFile.create(tmp_path / "gone", small=True)
    await failed.write([b"partial"])
    await failed.discard()
    assert not (tmp_path / "gone").exists()

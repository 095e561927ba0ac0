"""A file that hashes what is written to it: writing and hashing as two stages of one pipeline.

:class:`HashingFile` is the download's destination. Each :meth:`HashingFile.write` hands one
batch to two dedicated worker threads at once: one writes the batches to the file, in order, the
other feeds them to SHA-256, in order. Both run with the GIL released (a ``write`` system call,
OpenSSL's SHA-256 over a large buffer), so hashing never waits for the disk and the disk never
waits for hashing; :meth:`write` returns at once unless ``depth`` batches are still in either
stage, and receiving overlaps both. The batches are handed over as plain
:class:`concurrent.futures.Future` s that the event loop only awaits when the queue is full, so a
batch costs the loop no wake-up of its own; the loop itself never writes or hashes. (One
long-lived thread per stage, rather than a pool call per batch, keeps the batches in order.) It
can start over (a server that ignores ``Range``) and deletes its file on
:meth:`HashingFile.discard`. A file known to be small (``small=True``: a task's input, a batch
or two) skips the two threads, whose start costs the loop more than the file: each batch is
written and hashed in one call in the loop's worker threads. Standard library only; no Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

#: At most this many buffers per ``writev`` (Linux's IOV_MAX); a longer batch is written chunk by
#: chunk.
_IOV_MAX = os.sysconf("SC_IOV_MAX") if hasattr(os, "sysconf") else 16
_HAS_WRITEV = hasattr(os, "writev")  # not on Windows


class HashingFile:
    """Write-behind file plus running SHA-256. Create with :meth:`create`; one writer only.

    Args:
        path: The file (already opened as ``handle``).
        handle: The file opened for binary writing.
        depth: Batches that may wait in the pipeline before :meth:`write` waits too.
        small: Write and hash each batch in one call in the loop's worker threads, without the
            pipeline's own two threads (for a file of a batch or two).
    """

    def __init__(self, path: Path, handle: BinaryIO, depth: int = 8, small: bool = False) -> None:
        self.path = path
        self._handle = handle
        self._hash = hashlib.sha256()
        self._depth = max(1, depth)
        self._writer: ThreadPoolExecutor | None = None
        self._hasher: ThreadPoolExecutor | None = None
        if not small:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="orban-download-write")
            self._hasher = ThreadPoolExecutor(1, thread_name_prefix="orban-download-hash")
        #: Per batch still in the pipeline: its write and its hash step, oldest first.
        self._pending: deque[tuple[Future[None], Future[None]]] = deque()
        self._closed = False
        #: Bytes handed to :meth:`write` so far (including batches still being written).
        self.size = 0

    @classmethod
    async def create(cls, path: Path, depth: int = 8, *, small: bool = False) -> HashingFile:
        """Open (create or truncate) ``path`` for writing. Raises ``OSError``."""
        handle = await asyncio.to_thread(open, path, "wb", buffering=0)
        return cls(path, handle, depth, small)

    def _write_batch(self, batch: Sequence[bytes]) -> None:
        """All chunks in one ``writev`` system call (one GIL release), then any remainder."""
        fd = self._handle.fileno()
        written = os.writev(fd, batch) if _HAS_WRITEV and len(batch) <= _IOV_MAX else 0
        for chunk in batch:
            if written >= len(chunk):
                written -= len(chunk)
                continue
            view = memoryview(chunk)[written:]
            written = 0
            while view:  # a write may take less than it was given
                view = view[os.write(fd, view) :]

    @staticmethod
    def _hash_batch(digest: hashlib._Hash, batch: Sequence[bytes]) -> None:
        for chunk in batch:
            digest.update(chunk)

    def _write_and_hash(self, batch: Sequence[bytes]) -> None:
        self._write_batch(batch)
        self._hash_batch(self._hash, batch)

    async def _run(self, function: Callable[[], object]) -> None:
        """``function`` in the writer thread (the loop's workers for a small file)."""
        await asyncio.get_running_loop().run_in_executor(self._writer, function)

    def _collect_finished(self) -> None:
        """Drop the oldest batches that both stages finished; raise a stage's error here."""
        while self._pending and all(stage.done() for stage in self._pending[0]):
            for stage in self._pending.popleft():
                stage.result()  # a write error (disk full, ...) is raised here

    async def _wait_oldest(self) -> None:
        running = [asyncio.wrap_future(stage) for stage in self._pending[0] if not stage.done()]
        if running:  # asyncio.wait never cancels a stage half-way, even if this task is
            await asyncio.wait(running)  # cancelled meanwhile
        self._collect_finished()

    async def _settle(self) -> None:
        while self._pending:
            await self._wait_oldest()

    async def write(self, batch: Sequence[bytes]) -> None:
        """Queue one batch (chunks as received, in order) behind the batches before it.

        The chunks are written and hashed as they are, never joined into one copy; the caller
        must not change ``batch`` afterwards (pass a new list each time).
        """
        if self._writer is None or self._hasher is None:  # small: no pipeline of its own
            await self._run(lambda: self._write_and_hash(batch))
            self.size += sum(len(chunk) for chunk in batch)
            return
        self._collect_finished()
        while len(self._pending) >= self._depth:
            await self._wait_oldest()
        written = self._writer.submit(self._write_batch, batch)
        hashed = self._hasher.submit(self._hash_batch, self._hash, batch)
        self._pending.append((written, hashed))
        self.size += sum(len(chunk) for chunk in batch)

    async def restart(self) -> None:
        """Forget everything written: truncate the file and reset the hash."""
        await self._settle()

        def truncate() -> None:
            self._handle.seek(0)
            self._handle.truncate()

        await self._run(truncate)
        self._hash = hashlib.sha256()
        self.size = 0

    async def finish(self) -> tuple[int, str]:
        """Wait for both stages and close; return (size in bytes, lowercase hex SHA-256)."""
        await self._settle()
        await self._run(self._handle.close)
        self._closed = True
        self._shutdown()
        return self.size, self._hash.hexdigest()

    async def delete(self) -> None:
        """Remove the (closed) file."""
        await asyncio.to_thread(_unlink_quietly, self.path)

    async def discard(self) -> None:
        """After a failure or cancellation: wait for both stages, close, delete the file."""
        stages = [asyncio.wrap_future(stage) for pair in self._pending for stage in pair]
        if stages:
            await asyncio.wait(stages)
        for stage in stages:
            if not stage.cancelled():
                stage.exception()  # retrieved: the failure being handled is the one to report
        self._pending.clear()
        if not self._closed:
            self._closed = True
            await self._run(self._handle.close)
        self._shutdown()
        await self.delete()

    def _shutdown(self) -> None:
        for stage in (self._writer, self._hasher):
            if stage is not None:
                stage.shutdown(wait=False)


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)

"""A file that hashes what is written to it, on its own worker thread behind the receiver.

:class:`HashingFile` is the download's destination. Each :meth:`HashingFile.write` queues one
batch for a dedicated worker thread that writes it and feeds it to SHA-256, in order, and
returns at once unless ``depth`` batches are already waiting; so receiving overlaps writing and
hashing, and the event loop itself never writes or hashes. (One long-lived thread per download,
rather than a pool call per batch, keeps the batches in order and avoids handing the GIL back
and forth for every batch, which halves throughput on a two-core machine.) It can start over (a
server that ignores ``Range``) and deletes its file on :meth:`HashingFile.discard`. Standard
library only; no Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO


class HashingFile:
    """Write-behind file plus running SHA-256. Create with :meth:`create`; one writer only.

    Args:
        path: The file (already opened as ``handle``).
        handle: The file opened for binary writing.
        depth: Batches that may wait for the worker before :meth:`write` waits too.
    """

    def __init__(self, path: Path, handle: BinaryIO, depth: int = 8) -> None:
        self.path = path
        self._handle = handle
        self._hash = hashlib.sha256()
        self._depth = max(1, depth)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="orban-download")
        self._pending: deque[asyncio.Future[None]] = deque()
        self._closed = False
        #: Bytes handed to :meth:`write` so far (including batches still being written).
        self.size = 0

    @classmethod
    async def create(cls, path: Path, depth: int = 8) -> HashingFile:
        """Open (create or truncate) ``path`` for writing. Raises ``OSError``."""
        handle = await asyncio.to_thread(open, path, "wb")
        return cls(path, handle, depth)

    def _write_sync(self, data: bytes) -> None:
        self._handle.write(data)
        self._hash.update(data)

    async def _run(self, function: Callable[[], object]) -> None:
        await asyncio.get_running_loop().run_in_executor(self._worker, function)

    async def _wait_oldest(self) -> None:
        oldest = self._pending[0]
        await asyncio.wait([oldest])  # never cancels the worker's batch half-way
        self._pending.popleft()
        oldest.result()  # a write error (disk full, ...) is raised here

    async def _settle(self) -> None:
        while self._pending:
            await self._wait_oldest()

    async def write(self, data: bytes) -> None:
        """Queue ``data`` behind the batches before it."""
        while len(self._pending) >= self._depth:
            await self._wait_oldest()
        loop = asyncio.get_running_loop()
        self._pending.append(loop.run_in_executor(self._worker, self._write_sync, data))
        self.size += len(data)

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
        """Flush and close; return (size in bytes, lowercase hex SHA-256)."""
        await self._settle()
        await self._run(self._handle.close)
        self._closed = True
        self._worker.shutdown(wait=False)
        return self.size, self._hash.hexdigest()

    async def delete(self) -> None:
        """Remove the (closed) file."""
        await asyncio.to_thread(_unlink_quietly, self.path)

    async def discard(self) -> None:
        """After a failure or cancellation: wait for the worker, close, delete the file."""
        if self._pending:
            await asyncio.wait(list(self._pending))
        for batch in self._pending:
            if not batch.cancelled():
                batch.exception()  # retrieved: the failure being handled is the one to report
        self._pending.clear()
        if not self._closed:
            self._closed = True
            await self._run(self._handle.close)
        self._worker.shutdown(wait=False)
        await self.delete()


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)

"""The local model cache: verified model files and unpacked model folders by SHA-256, LRU evicted.

A model file or archive is stored as ``<root>/sha256/<hex>`` (``root`` is
``AppPaths.model_cache_dir`` in the platformdirs cache folder) and only after its download
finished with the right hash and size: a download writes ``<root>/partial/<hex>.<random>.part``
and is renamed into place after it was verified and fsynced, so a partial file is never taken
for a verified one. :meth:`ModelCache.acquire` hands out the file itself (the canary's model);
:meth:`ModelCache.acquire_folder` an archive's read-only folder ``<root>/unpacked/<hex>/``,
unpacked once per hash, safely (:mod:`.archive`), and shared by every task that uses it. Two
tasks asking for the same model share one download and one unpack. A lease pins the model:
every use marks it most recently used, and models not in use (archive and folder together,
both sizes counted) are evicted oldest first whenever the total would exceed ``max_bytes``.
Blocking file work (:mod:`.cache_files`) runs in worker threads. Imports compute modules and
the error tree only, and nothing from Qt.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from orban_desktop.compute.archive import list_model_archive
from orban_desktop.compute.cache_files import HEX_SHA256, CacheFiles
from orban_desktop.errors import DownloadFailed

log = logging.getLogger(__name__)

#: ``fill(partial_path) -> hex sha256 of the bytes it wrote`` (it must verify them itself).
Fill = Callable[[Path], Awaitable[str]]
_FILE, _FOLDER = "file", "folder"
_P = ParamSpec("_P")
_T = TypeVar("_T")


@dataclass(frozen=True)
class ModelLease:
    """A model file or folder held for one task; not evicted until :meth:`ModelCache.release`.

    Attributes:
        sha256_hex: The model file's or archive's hash.
        path: The file (:meth:`~ModelCache.acquire`) or the read-only folder
            (:meth:`~ModelCache.acquire_folder`).
        was_cached: Nothing was downloaded (the folder may have been unpacked again).
    """

    sha256_hex: str
    path: Path
    was_cached: bool


@dataclass
class _Inflight:
    task: asyncio.Task[bool]  # its result: whether nothing was downloaded
    waiters: int = 0


class ModelCache:
    """Content-addressed, size-capped store of verified model files and unpacked folders.

    Args:
        root: The cache folder (created on first use, mode 0700).
        max_bytes: Total size to stay under; a model in use is never evicted, so a single model
            larger than this is still kept while a task uses it.
    """

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._files = CacheFiles(root)
        self._lock = asyncio.Lock()
        self._pins: Counter[str] = Counter()
        self._inflight: dict[tuple[str, str], _Inflight] = {}
        self._opened = False

    def path_for(self, sha256_hex: str) -> Path:
        """Where the verified file or archive ``sha256_hex`` lives."""
        return self._files.archive_path(sha256_hex)

    def folder_for(self, sha256_hex: str) -> Path:
        """Where archive ``sha256_hex`` is unpacked."""
        return self._files.folder_path(sha256_hex)

    async def acquire(self, sha256_hex: str, size_bytes: int, fill: Fill) -> ModelLease:
        """The verified model file, downloading it with ``fill`` if it is not cached.

        Raises:
            ValueError: ``sha256_hex`` is not 64 lowercase hex digits.
            DownloadFailed: From ``fill``, or ``fill`` wrote the wrong bytes.
        """
        _check_hex(sha256_hex)
        return await self._acquire(
            sha256_hex,
            _FILE,
            lambda: self._files.lookup_archive(sha256_hex, size_bytes),
            lambda: self._download(sha256_hex, size_bytes, fill),
        )

    async def acquire_folder(
        self, sha256_hex: str, size_bytes: int, fill: Fill, *, max_unpacked_bytes: int
    ) -> ModelLease:
        """The read-only folder unpacked from archive ``sha256_hex`` (downloaded with ``fill``).

        Args:
            sha256_hex: The archive's hash (``model_hash`` without ``sha256:``).
            size_bytes: The archive's exact size.
            fill: Downloads the archive into the path it is given (see :data:`Fill`).
            max_unpacked_bytes: The most bytes the unpacked files may hold together.

        Raises:
            ValueError: ``sha256_hex`` is not 64 lowercase hex digits.
            DownloadFailed: From ``fill``, or ``fill`` wrote the wrong bytes.
            ValidationFailed: The archive is refused (see :mod:`.archive`); no folder is made.
            TaskExecutionFailed: The folder could not be written (disk full, permissions).
        """
        _check_hex(sha256_hex)
        return await self._acquire(
            sha256_hex,
            _FOLDER,
            lambda: self._files.lookup_folder(sha256_hex, size_bytes, max_unpacked_bytes),
            lambda: self._unpack(sha256_hex, size_bytes, fill, max_unpacked_bytes),
        )

    async def _acquire(
        self,
        sha256_hex: str,
        kind: str,
        lookup: Callable[[], bool],
        start: Callable[[], Coroutine[Any, Any, bool]],
    ) -> ModelLease:
        key = (sha256_hex, kind)
        path = self.path_for(sha256_hex) if kind == _FILE else self.folder_for(sha256_hex)
        async with self._lock:
            if not self._opened:
                await asyncio.to_thread(self._files.open)
                self._opened = True
            entry = self._inflight.get(key)
            if entry is None:
                if await asyncio.to_thread(lookup):
                    self._pins[sha256_hex] += 1
                    return ModelLease(sha256_hex, path, was_cached=True)
                task = asyncio.create_task(start())
                task.add_done_callback(lambda done: done.cancelled() or done.exception())
                entry = self._inflight[key] = _Inflight(task)
            entry.waiters += 1
        try:
            was_cached = await asyncio.shield(entry.task)
        except BaseException:
            self._leave(key, entry)
            if entry.waiters == 0 and not entry.task.done():
                entry.task.cancel()  # nobody wants this download or unpack any more
            raise
        self._pins[sha256_hex] += 1  # pinned before the in-flight mark goes: no gap
        self._leave(key, entry)
        return ModelLease(sha256_hex, path, was_cached)

    def _leave(self, key: tuple[str, str], entry: _Inflight) -> None:
        entry.waiters -= 1
        if entry.waiters == 0 and self._inflight.get(key) is entry:
            del self._inflight[key]

    def _unpin(self, sha256_hex: str) -> None:
        self._pins[sha256_hex] -= 1
        if self._pins[sha256_hex] <= 0:
            del self._pins[sha256_hex]

    async def release(self, lease: ModelLease) -> None:
        """Stop holding ``lease``'s file or folder, then evict down to the size cap."""
        self._unpin(lease.sha256_hex)
        await self.evict(0)

    async def evict(self, incoming_bytes: int = 0) -> int:
        """Delete unused models, oldest use first, until ``incoming_bytes`` more fit the cap.

        Returns:
            The bytes freed.
        """
        async with self._lock:
            return await self._evict_locked(incoming_bytes)

    async def _evict_locked(self, incoming_bytes: int) -> int:
        keep = set(self._pins) | {sha256_hex for sha256_hex, _kind in self._inflight}
        budget = self.max_bytes - incoming_bytes
        return await asyncio.to_thread(self._files.evict, budget, keep)

    async def usage_bytes(self) -> int:
        """Total size of the verified files and unpacked folders now in the cache."""
        entries = await asyncio.to_thread(self._files.entries)
        return sum(entry.size_bytes for entry in entries)

    async def _download(self, sha256_hex: str, size_bytes: int, fill: Fill) -> bool:
        async with self._lock:
            await self._evict_locked(size_bytes)
        partial = self._files.partial_path(sha256_hex, ".part")
        try:
            digest = await fill(partial)
            if digest != sha256_hex:
                raise DownloadFailed(
                    f"the model download produced sha256:{digest}, expected sha256:{sha256_hex}",
                    context={"expected": sha256_hex, "actual": digest},
                )
            await asyncio.to_thread(self._files.commit_archive, partial, sha256_hex, size_bytes)
            log.info("model sha256:%s cached (%d bytes)", sha256_hex, size_bytes)
            return False
        finally:
            await asyncio.to_thread(partial.unlink, missing_ok=True)

    async def _unpack(
        self, sha256_hex: str, size_bytes: int, fill: Fill, max_unpacked_bytes: int
    ) -> bool:
        archive = await self.acquire(sha256_hex, size_bytes, fill)  # shares a download
        try:
            listing = await asyncio.to_thread(
                list_model_archive, archive.path, max_bytes=max_unpacked_bytes
            )
            async with self._lock:
                await self._evict_locked(listing.total_bytes)  # room for the folder
            model = await _to_thread_to_the_end(
                self._files.ensure_folder, sha256_hex, size_bytes, max_unpacked_bytes
            )
            if model is not None:
                log.info(
                    "model sha256:%s unpacked (%d files, %d bytes)",
                    sha256_hex,
                    model.files,
                    model.total_bytes,
                )
            return archive.was_cached
        finally:
            self._unpin(sha256_hex)  # the in-flight folder entry protects it until waiters pin


async def _to_thread_to_the_end(func: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """``asyncio.to_thread``, but a cancelled caller waits for the thread to finish first.

    The file work never outlives the pins that protect it.
    """
    job = asyncio.ensure_future(asyncio.to_thread(func, *args, **kwargs))
    try:
        return await asyncio.shield(job)
    except asyncio.CancelledError:
        await asyncio.wait([job])
        if not job.cancelled():
            job.exception()  # retrieved: the cancellation is what the caller sees
        raise


def _check_hex(sha256_hex: str) -> None:
    if not HEX_SHA256.fullmatch(sha256_hex):
        raise ValueError(f"not a lowercase hex SHA-256: {sha256_hex[:80]!r}")

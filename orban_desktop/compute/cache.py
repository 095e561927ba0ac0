"""The local model cache: verified model files by SHA-256, least recently used evicted first.

A model is stored as ``<root>/sha256/<hex>`` (``root`` is ``AppPaths.model_cache_dir`` in the
platformdirs cache folder) and only after its download finished with the right hash and size:
a download writes ``<root>/partial/<hex>.<random>.part`` and is renamed into place after it was
verified and fsynced, so a partial file is never taken for a verified one (and leftover partials
are deleted when the cache opens). Two tasks asking for the same model share one download.
Every use touches the file's mtime, and files not in use are evicted oldest first whenever the
total would exceed ``max_bytes``. Blocking file work runs in worker threads. Imports only the
error tree from the project, and nothing from Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from orban_desktop.errors import DownloadFailed
from orban_desktop.fsutil import fsync_dir

log = logging.getLogger(__name__)

#: ``fill(partial_path) -> hex sha256 of the bytes it wrote`` (it must verify them itself).
Fill = Callable[[Path], Awaitable[str]]
_HEX = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class ModelLease:
    """A model file held for one task; it is not evicted until :meth:`ModelCache.release`."""

    sha256_hex: str
    path: Path
    was_cached: bool


@dataclass
class _Inflight:
    task: asyncio.Task[Path]
    waiters: int = 0


@dataclass
class _State:
    pins: Counter[str] = field(default_factory=Counter)
    inflight: dict[str, _Inflight] = field(default_factory=dict)


class ModelCache:
    """Content-addressed, size-capped store of verified model files.

    Args:
        root: The cache folder (created on first use, mode 0700).
        max_bytes: Total size to stay under; a model in use is never evicted, so a single model
            larger than this is still kept while a task uses it.
    """

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._blobs = root / "sha256"
        self._partials = root / "partial"
        self._lock = asyncio.Lock()
        self._state = _State()
        self._opened = False

    def path_for(self, sha256_hex: str) -> Path:
        return self._blobs / sha256_hex

    async def acquire(self, sha256_hex: str, size_bytes: int, fill: Fill) -> ModelLease:
        """The verified model file, downloading it with ``fill`` if it is not cached.

        Raises:
            ValueError: ``sha256_hex`` is not 64 lowercase hex digits.
            DownloadFailed: From ``fill``, or ``fill`` wrote the wrong bytes.
        """
        if not _HEX.fullmatch(sha256_hex):
            raise ValueError(f"not a lowercase hex SHA-256: {sha256_hex[:80]!r}")
        async with self._lock:
            if not self._opened:
                await asyncio.to_thread(self._open_sync)
                self._opened = True
            if await asyncio.to_thread(self._lookup_sync, sha256_hex, size_bytes):
                self._state.pins[sha256_hex] += 1
                return ModelLease(sha256_hex, self.path_for(sha256_hex), was_cached=True)
            entry = self._state.inflight.get(sha256_hex)
            if entry is None:
                task = asyncio.create_task(self._fetch(sha256_hex, size_bytes, fill))
                task.add_done_callback(lambda done: done.cancelled() or done.exception())
                entry = self._state.inflight[sha256_hex] = _Inflight(task)
            entry.waiters += 1
        try:
            path = await asyncio.shield(entry.task)
        except BaseException:
            self._leave(sha256_hex, entry)
            if entry.waiters == 0 and not entry.task.done():
                entry.task.cancel()  # nobody wants this download any more
            raise
        self._state.pins[sha256_hex] += 1  # pinned before the in-flight mark goes: no gap
        self._leave(sha256_hex, entry)
        return ModelLease(sha256_hex, path, was_cached=False)

    def _leave(self, sha256_hex: str, entry: _Inflight) -> None:
        entry.waiters -= 1
        if entry.waiters == 0 and self._state.inflight.get(sha256_hex) is entry:
            del self._state.inflight[sha256_hex]

    async def release(self, lease: ModelLease) -> None:
        """Stop holding ``lease``'s file, then evict down to the size cap."""
        pins = self._state.pins
        pins[lease.sha256_hex] -= 1
        if pins[lease.sha256_hex] <= 0:
            del pins[lease.sha256_hex]
        await self.evict(0)

    async def evict(self, incoming_bytes: int = 0) -> int:
        """Delete unused files, oldest use first, until ``incoming_bytes`` more fit the cap.

        Returns:
            The bytes freed.
        """
        async with self._lock:
            return await self._evict_locked(incoming_bytes)

    async def _evict_locked(self, incoming_bytes: int) -> int:
        keep = set(self._state.pins) | set(self._state.inflight)
        budget = self.max_bytes - incoming_bytes
        return await asyncio.to_thread(self._evict_sync, budget, keep)

    async def usage_bytes(self) -> int:
        """Total size of the verified files now in the cache."""
        return sum(size for _name, size, _mtime in await asyncio.to_thread(self._entries_sync))

    async def _fetch(self, sha256_hex: str, size_bytes: int, fill: Fill) -> Path:
        async with self._lock:
            await self._evict_locked(size_bytes)
        partial = self._partials / f"{sha256_hex}.{secrets.token_hex(4)}.part"
        try:
            digest = await fill(partial)
            if digest != sha256_hex:
                raise DownloadFailed(
                    f"the model download produced sha256:{digest}, expected sha256:{sha256_hex}",
                    context={"expected": sha256_hex, "actual": digest},
                )
            final = self.path_for(sha256_hex)
            await asyncio.to_thread(self._commit_sync, partial, final, size_bytes)
            log.info("model sha256:%s cached (%d bytes)", sha256_hex, size_bytes)
            return final
        finally:
            await asyncio.to_thread(_unlink_quietly, partial)

    # ---- blocking helpers, run in worker threads ----
    def _open_sync(self) -> None:
        for folder in (self.root, self._blobs, self._partials):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for stale in self._partials.iterdir():
            _unlink_quietly(stale)

    def _lookup_sync(self, sha256_hex: str, size_bytes: int) -> bool:
        path = self.path_for(sha256_hex)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return False
        if size != size_bytes:
            log.warning(
                "cached model %s has %d bytes, expected %d; fetching it again",
                sha256_hex,
                size,
                size_bytes,
            )
            _unlink_quietly(path)
            return False
        os.utime(path)  # most recently used now
        return True

    def _commit_sync(self, partial: Path, final: Path, size_bytes: int) -> None:
        with open(partial, "rb") as handle:
            if os.fstat(handle.fileno()).st_size != size_bytes:
                raise DownloadFailed(f"the model download has the wrong size (not {size_bytes})")
            os.fsync(handle.fileno())
        os.chmod(partial, 0o444)  # readable by a sandbox's unprivileged user, never written
        os.replace(partial, final)
        fsync_dir(final.parent)

    def _entries_sync(self) -> list[tuple[str, int, float]]:
        if not self._blobs.is_dir():
            return []
        entries = []
        with os.scandir(self._blobs) as scan:
            for entry in scan:
                if _HEX.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                    stat = entry.stat(follow_symlinks=False)
                    entries.append((entry.name, stat.st_size, stat.st_mtime))
        return entries

    def _evict_sync(self, budget: int, keep: set[str]) -> int:
        entries = sorted(self._entries_sync(), key=lambda item: item[2])
        total = sum(size for _name, size, _mtime in entries)
        freed = 0
        for name, size, _mtime in entries:
            if total - freed <= budget:
                break
            if name in keep:
                continue
            _unlink_quietly(self._blobs / name)
            freed += size
            log.info("evicted model sha256:%s (%d bytes) from the cache", name, size)
        if total - freed > budget:
            log.warning(
                "model cache holds %d bytes in use, over its %d byte budget", total - freed, budget
            )
        return freed


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)

"""The model cache's files on disk: archives, the folders unpacked from them, and partials.

Layout under ``root``: ``sha256/<hex>`` holds verified model files or archives (0444);
``unpacked/<hex>/`` the read-only folder unpacked from archive ``<hex>`` (files 0444, folders
0555); ``partial/`` downloads (``<hex>.<random>.part``), unpacks (``<hex>.<random>.dir/``) and
folders being deleted. A folder only ever appears at its final name whole (unpacked in
``partial/``, then renamed), and whatever ``partial/`` holds when the cache opens is a crash's
leftover and removed. An archive and its folder are one cache entry: used, sized and evicted
together. Every method blocks: :class:`~.cache.ModelCache` calls them in worker threads, under
its lock. Imports the archive module, fsutil and the error tree only, and nothing from Qt.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from orban_desktop.compute.archive import (
    UnpackedModel,
    list_model_archive,
    scan_unpacked_folder,
    unpack_model_archive,
)
from orban_desktop.errors import DownloadFailed, ValidationFailed
from orban_desktop.fsutil import fsync_dir, remove_tree

log = logging.getLogger(__name__)
HEX_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class CacheEntry:
    """One model in the cache: its archive's (or file's) and its folder's bytes, last use."""

    sha256_hex: str
    size_bytes: int
    last_used: float


class CacheFiles:
    """The blocking file operations of the model cache rooted at ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._blobs = root / "sha256"
        self._unpacked = root / "unpacked"
        self._partials = root / "partial"

    def archive_path(self, sha256_hex: str) -> Path:
        return self._blobs / sha256_hex

    def folder_path(self, sha256_hex: str) -> Path:
        return self._unpacked / sha256_hex

    def partial_path(self, sha256_hex: str, suffix: str) -> Path:
        return self._partials / f"{sha256_hex}.{secrets.token_hex(4)}{suffix}"

    def open(self) -> None:
        """Create the folders and remove what a crash left in ``partial/``."""
        for folder in (self.root, self._blobs, self._unpacked, self._partials):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for stale in self._partials.iterdir():
            remove_tree(stale)

    def lookup_archive(self, sha256_hex: str, size_bytes: int) -> bool:
        """Whether the file is cached with the right size (a wrong one is deleted); marks use."""
        path = self.archive_path(sha256_hex)
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

    def lookup_folder(self, sha256_hex: str, size_bytes: int, max_unpacked_bytes: int) -> bool:
        """Whether archive and folder are cached and the folder still matches the archive.

        A folder that does not match (files missing, added, resized) is deleted.
        """
        folder = self.folder_path(sha256_hex)
        if not self.lookup_archive(sha256_hex, size_bytes) or not os.path.lexists(folder):
            return False
        try:
            expected = list_model_archive(
                self.archive_path(sha256_hex), max_bytes=max_unpacked_bytes
            ).entries
        except ValidationFailed:
            self.discard_folder(sha256_hex)  # unpacking again says why, to the task
            return False
        if folder.is_symlink() or not folder.is_dir() or scan_unpacked_folder(folder) != expected:
            log.warning("unpacked model %s was changed on disk; unpacking it again", sha256_hex)
            self.discard_folder(sha256_hex)
            return False
        return True

    def commit_archive(self, partial: Path, sha256_hex: str, size_bytes: int) -> Path:
        """Move a verified download into place, read-only and synced."""
        final = self.archive_path(sha256_hex)
        with open(partial, "rb") as handle:
            if os.fstat(handle.fileno()).st_size != size_bytes:
                raise DownloadFailed(f"the model download has the wrong size (not {size_bytes})")
            os.fsync(handle.fileno())
        os.chmod(partial, 0o444)  # readable by a sandbox's unprivileged user, never written
        os.replace(partial, final)
        fsync_dir(final.parent)
        return final

    def ensure_folder(
        self, sha256_hex: str, size_bytes: int, max_unpacked_bytes: int
    ) -> UnpackedModel | None:
        """Unpack the cached archive into its folder, unless a matching folder is there.

        Returns:
            What was unpacked; ``None`` when the folder was already there.

        Raises:
            ValidationFailed: The archive breaks a rule of :mod:`.archive`.
            TaskExecutionFailed: The folder could not be written.
        """
        if self.lookup_folder(sha256_hex, size_bytes, max_unpacked_bytes):
            return None
        partial = self.partial_path(sha256_hex, ".dir")
        model = unpack_model_archive(
            self.archive_path(sha256_hex), partial, max_bytes=max_unpacked_bytes
        )
        final = self.folder_path(sha256_hex)
        try:
            os.chmod(partial, 0o700)  # a folder moves to another parent only while writable
            self.discard_folder(sha256_hex)
            os.rename(partial, final)
        except OSError:
            remove_tree(partial)
            if self.lookup_folder(sha256_hex, size_bytes, max_unpacked_bytes):
                return model  # an earlier, cancelled unpack of the same archive got there first
            raise
        os.chmod(final, 0o555)
        fsync_dir(self._unpacked)
        return model

    def discard_folder(self, sha256_hex: str) -> None:
        """Delete the unpacked folder, first moving it out of its final name."""
        folder = self.folder_path(sha256_hex)
        if not os.path.lexists(folder):
            return
        doomed = self.partial_path(sha256_hex, ".dir")
        try:
            if folder.is_dir() and not folder.is_symlink():
                os.chmod(folder, 0o700)
            os.rename(folder, doomed)
        except OSError:
            doomed = folder
        remove_tree(doomed)

    def discard(self, sha256_hex: str) -> None:
        """Delete the archive (or file) and its folder."""
        _unlink_quietly(self.archive_path(sha256_hex))
        self.discard_folder(sha256_hex)

    def entries(self) -> list[CacheEntry]:
        """Every model in the cache, with its archive's and folder's bytes together."""
        names = {
            name
            for folder in (self._blobs, self._unpacked)
            if folder.is_dir()
            for name in os.listdir(folder)
            if HEX_SHA256.fullmatch(name)
        }
        found = []
        for name in names:
            size, last_used = 0, 0.0
            with contextlib.suppress(FileNotFoundError):
                stat = os.lstat(self.archive_path(name))
                size, last_used = stat.st_size, stat.st_mtime
            folder = self.folder_path(name)
            if os.path.isdir(folder) and not os.path.islink(folder):
                size += _tree_bytes(folder)
                if not last_used:  # a folder without its archive: as old as its unpacking
                    last_used = os.lstat(folder).st_mtime
            found.append(CacheEntry(name, size, last_used))
        return found

    def evict(self, budget: int, keep: set[str]) -> int:
        """Delete entries not in ``keep``, oldest use first, until at most ``budget`` bytes stay.

        Returns:
            The bytes freed.
        """
        entries = sorted(self.entries(), key=lambda entry: entry.last_used)
        total = sum(entry.size_bytes for entry in entries)
        freed = 0
        for entry in entries:
            if total - freed <= budget:
                break
            if entry.sha256_hex in keep:
                continue
            self.discard(entry.sha256_hex)
            freed += entry.size_bytes
            log.info("evicted model sha256:%s (%d bytes)", entry.sha256_hex, entry.size_bytes)
        if total - freed > budget:
            log.warning(
                "model cache holds %d bytes in use, over its %d byte budget", total - freed, budget
            )
        return freed


def _tree_bytes(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(FileNotFoundError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)

"""Safe unpacking of a model archive (format ``hf-folder-tar``) into a read-only folder.

An ``hf-folder-tar`` archive is a plain (uncompressed) POSIX tar of a model folder's files and
sub-folders at its root (``config.json``, ``1_Pooling/config.json``, a ``./`` prefix allowed).
:func:`unpack_model_archive` writes every file itself from the tar's member streams (never
``extractall``) and admits regular files and folders only, under relative clean names: links,
devices, FIFOs, sparse files, absolute names, ``..``, control characters, backslashes, duplicate
names, a member under a file, too many members or too many bytes (declared by the headers or
actually read) refuse the whole archive with one :class:`ValidationFailed` naming the member and
the rule, and leave nothing behind. Files end up 0444, folders 0555. :func:`list_model_archive`
checks an archive the same way without writing, and :func:`scan_unpacked_folder` reads a folder
back in the same form, so a cached folder can be compared with its archive. Everything here
blocks: call it in a worker thread. Imports the error tree and fsutil only, nothing from Qt.
"""

from __future__ import annotations

import errno
import os
import tarfile
from pathlib import Path
from typing import BinaryIO

from orban_desktop.compute.archive_rules import (
    MAX_MEMBERS,
    Listing,
    MemberRules,
    UnpackedModel,
    refused,
)
from orban_desktop.errors import TaskExecutionFailed
from orban_desktop.fsutil import fsync_dir, remove_tree

__all__ = [
    "MAX_MEMBERS",
    "Listing",
    "UnpackedModel",
    "list_model_archive",
    "scan_unpacked_folder",
    "unpack_model_archive",
]
_CHUNK = 1 << 20
_END_OF_ARCHIVE = 2 * tarfile.BLOCKSIZE
_COMPRESSED = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)
_NAME_ERRNOS = {errno.ENAMETOOLONG, errno.EEXIST, errno.EILSEQ, errno.EINVAL, errno.EISDIR}


def unpack_model_archive(
    archive: Path, dest: Path, *, max_bytes: int, max_members: int = MAX_MEMBERS
) -> UnpackedModel:
    """Unpack ``archive`` into the new folder ``dest`` (which must not exist), read-only.

    Args:
        archive: The verified ``hf-folder-tar`` archive.
        dest: The folder to create; on any failure it is removed again.
        max_bytes: The most bytes all files together may hold (by header and as read).
        max_members: The most members (files and folders) the archive may have.

    Raises:
        ValidationFailed: The archive breaks a rule; the message names the member and the rule.
        TaskExecutionFailed: The archive could not be read or the folder written (disk full).
    """
    dest.mkdir(mode=0o700)
    try:
        model = _walk(archive, dest, max_bytes, max_members)
        _seal(dest, model.entries)
        return model
    except BaseException:
        remove_tree(dest)
        raise


def list_model_archive(
    archive: Path, *, max_bytes: int, max_members: int = MAX_MEMBERS
) -> UnpackedModel:
    """Check ``archive`` like :func:`unpack_model_archive` (by its headers) and list it.

    Raises:
        ValidationFailed: The archive breaks a rule.
        TaskExecutionFailed: The archive could not be read.
    """
    return _walk(archive, None, max_bytes, max_members)


def scan_unpacked_folder(folder: Path) -> Listing | None:
    """``folder``'s files and sub-folders as a listing; ``None`` if it holds anything else."""
    found: dict[str, int | None] = {}
    pending = [(folder, "")]
    while pending:
        here, prefix = pending.pop()
        with os.scandir(here) as scan:
            for entry in scan:
                relative = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    found[relative] = None
                    pending.append((Path(entry.path), relative + "/"))
                elif entry.is_file(follow_symlinks=False):
                    found[relative] = entry.stat(follow_symlinks=False).st_size
                else:
                    return None
    return found


def _walk(archive: Path, dest: Path | None, max_bytes: int, max_members: int) -> UnpackedModel:
    rules = MemberRules(max_bytes, max_members)
    written = 0
    try:
        with open(archive, "rb") as raw:
            if _starts_empty(raw):
                _check_end(raw, 0)
                return rules.result()
            with tarfile.open(fileobj=raw, mode="r:") as tar:
                for member in tar:
                    path = rules.admit(member)
                    if dest is not None and path:
                        written += _place(tar, member, dest, path, max_bytes - written)
                _check_end(raw, tar.offset)
    except tarfile.TarError as exc:
        raise refused("", "format", f"is not a readable plain tar ({exc})") from exc
    except OSError as exc:
        raise TaskExecutionFailed(
            f"Could not unpack the model archive {archive.name}: {exc}. Check the free space "
            "and permissions of the model cache folder.",
            context={"archive": str(archive)},
        ) from exc
    return rules.result()


def _starts_empty(raw: BinaryIO) -> bool:
    """Whether the archive's first block is all zeros; refuses compressed archives."""
    head = raw.read(tarfile.BLOCKSIZE)
    raw.seek(0)
    for magic, kind in _COMPRESSED:
        if head.startswith(magic):
            raise refused(
                "", "format", f"is {kind}-compressed; the hf-folder-tar format is a plain tar"
            )
    return len(head) == tarfile.BLOCKSIZE and not any(head)


def _check_end(raw: BinaryIO, offset: int) -> None:
    """Everything from ``offset`` on must be zeros: the end-of-archive marker and padding."""
    raw.seek(offset)
    trailer = 0
    while chunk := raw.read(_CHUNK):
        if any(chunk):
            where = offset + trailer + next(i for i, byte in enumerate(chunk) if byte)
            raise refused("", "format", f"has unreadable data at byte {where}")
        trailer += len(chunk)
    if trailer < _END_OF_ARCHIVE:
        raise refused("", "format", "is cut short (no end-of-archive marker)")


def _place(
    tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path, path: str, budget: int
) -> int:
    """Create ``path`` under ``dest`` from ``member``; returns the bytes written."""
    target = dest.joinpath(*path.split("/"))
    try:
        if member.isdir():
            os.makedirs(target, mode=0o700, exist_ok=True)
            return 0
        os.makedirs(target.parent, mode=0o700, exist_ok=True)
        return _write_file(tar, member, target, path, budget)
    except OSError as exc:
        if exc.errno in _NAME_ERRNOS:
            raise refused(path, "name", f"cannot be created here ({exc.strerror})") from exc
        raise


def _write_file(
    tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path, path: str, budget: int
) -> int:
    source = tar.extractfile(member)
    if source is None:
        raise refused(path, "type", "has no readable data")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    written = 0
    with source, open(os.open(target, flags | getattr(os, "O_BINARY", 0), 0o600), "wb") as out:
        while True:
            try:
                chunk = source.read(_CHUNK)
            except tarfile.ReadError as exc:
                raise refused(path, "size", f"ends before its {member.size} bytes") from exc
            if not chunk:
                break
            written += len(chunk)
            if written > member.size:
                raise refused(path, "size", f"holds more than the {member.size} bytes declared")
            if written > budget:
                raise refused(path, "size", "takes the archive over its size limit as read")
            out.write(chunk)
        if written != member.size:
            raise refused(path, "size", f"ends after {written} of its {member.size} bytes")
        out.flush()
        os.fsync(out.fileno())
    os.chmod(target, 0o444)
    return written


def _seal(dest: Path, entries: Listing) -> None:
    """Make every folder 0555, deepest first, after it is full and synced."""
    folders = sorted(
        (p for p, size in entries.items() if size is None), key=lambda p: -p.count("/")
    )
    for relative in [*folders, ""]:
        folder = dest.joinpath(*relative.split("/")) if relative else dest
        fsync_dir(folder)
        os.chmod(folder, 0o555)

"""Taking a workload's result out of its workspace without trusting anything the workload left.

The workload controls its workspace, so :func:`collect_output` opens the output folder and the
result file relative to each other with ``O_NOFOLLOW`` (a symbolic link anywhere is refused,
never followed), refuses anything but a regular file (a FIFO, a device, a folder) before
opening it and checks again after, refuses a file over the size cap, and copies the bytes into
a private file while hashing them, so the upload reads a file the workload can no longer
change. Blocking: call it through ``asyncio.to_thread``. Imports the error tree only, no Qt.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from orban_desktop.errors import TaskExecutionFailed

_COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class CollectedOutput:
    """The private copy of a result: its path, size in bytes and lowercase hex SHA-256."""

    path: Path
    size_bytes: int
    sha256_hex: str


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refuse(reason: str, name: str) -> TaskExecutionFailed:
    return TaskExecutionFailed(
        f"The task's output {name!r} {reason}; it was not read or uploaded.",
        context={"output": name, "reason": reason},
    )


def collect_output(out_dir: Path, name: str, dest: Path, max_bytes: int) -> CollectedOutput:
    """Copy the regular file ``out_dir/name`` to ``dest`` (created, 0600), hashing it.

    Raises:
        TaskExecutionFailed: No output, a link/FIFO/device/folder instead of a file, or a file
            larger than ``max_bytes``. The message says which.
        OSError: Writing ``dest`` failed.
    """
    try:
        dir_fd = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise _refuse("folder is missing or is not a plain folder", out_dir.name) from exc
    try:
        try:
            before = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            raise _refuse("is missing: the workload wrote no result", name) from None
        if not stat.S_ISREG(before.st_mode):
            raise _refuse(f"is {_kind(before.st_mode)}, not a regular file", name)
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            fd = os.open(name, flags, dir_fd=dir_fd)
        except OSError as exc:
            raise _refuse(f"could not be opened safely ({exc.strerror})", name) from exc
    finally:
        os.close(dir_fd)
    with os.fdopen(fd, "rb") as source:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (
            before.st_dev,
            before.st_ino,
        ):
            raise _refuse("was replaced while it was being read", name)
        if now.st_size > max_bytes:
            raise _refuse(f"has {now.st_size} bytes, more than the {max_bytes} allowed", name)
        return _copy_hashing(source, dest, max_bytes, name)


def _copy_hashing(source: BinaryIO, dest: Path, max_bytes: int, name: str) -> CollectedOutput:
    digest = hashlib.sha256()
    size = 0
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
    with os.fdopen(os.open(dest, flags, 0o600), "wb") as target:
        while chunk := source.read(_COPY_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise _refuse(f"grew past the {max_bytes} bytes allowed", name)
            digest.update(chunk)
            target.write(chunk)
    return CollectedOutput(dest, size, digest.hexdigest())

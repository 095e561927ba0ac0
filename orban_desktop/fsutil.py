"""Durable file writes shared by the config file and the identity key.

:func:`atomic_write_bytes` replaces a file so that a reader (or a crash) sees either the old
content or the new one, never a mix; :func:`fsync_dir` makes a rename or a new name in a folder
durable. Both raise plain ``OSError`` so each caller converts it to its own error with its own
actionable message. This module uses the standard library only; it must not import Qt or any
other part of the project.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

_POSIX = os.name == "posix"


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new name in ``folder`` durable.

    A no-op where folders cannot be opened (Windows, where a rename is durable on its own).

    Raises:
        OSError: The folder was opened but the fsync itself failed.
    """
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` atomically: temp file, fsync, rename, fsync the folder.

    The temp file (``.<name>.<random>.tmp``) lives in the same folder, so the rename never
    crosses file systems; it is removed again whenever the write fails. The folder must exist.

    Args:
        path: The file to create or replace.
        data: Its whole new content.
        mode: The permission bits of the new file, exactly (whatever the umask); POSIX only.

    Raises:
        OSError: The temp file cannot be created or written, or the rename fails (for
            instance, ``path`` is a folder). The caller converts it to its own error.
    """
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as temp_file:
            if _POSIX:  # mkstemp makes it 0600; set the asked mode explicitly
                os.fchmod(temp_file.fileno(), mode)
            temp_file.write(data)
            temp_file.flush()
            os.fsync(temp_file.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    fsync_dir(path.parent)

"""Durable file writes and tree removal shared by the config, the key, the tasks and the cache.

:func:`atomic_write_bytes` replaces a file so that a reader (or a crash) sees either the old
content or the new one, never a mix; :func:`fsync_dir` makes a rename or a new name in a folder
durable. Both raise plain ``OSError`` so each caller converts it to its own error with its own
actionable message. :func:`remove_tree` deletes a folder even when parts of it are read-only (a
task's leftovers, an unpacked model). This module uses the standard library only; it must not
import Qt or any other part of the project.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import stat
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)
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


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o600, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically: temp file, fsync, rename, fsync the folder.

    With ``durable=False`` both fsyncs are left out: readers still see the old content or the
    new one, never a mix, but a power cut may lose the last write. For files that are readings
    rewritten every few seconds (the status file), not records.

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
            if durable:
                os.fsync(temp_file.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    if durable:
        fsync_dir(path.parent)


def remove_tree(path: Path) -> None:
    """Delete ``path`` and everything in it, making read-only folders writable as needed.

    A symbolic link (or a plain file) at ``path`` itself is unlinked, never followed. What
    cannot be removed is logged, not raised.
    """
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        return
    try:
        shutil.rmtree(path)
        return
    except FileNotFoundError:
        return
    except OSError:
        pass
    with contextlib.suppress(OSError):
        os.chmod(path, stat.S_IRWXU)  # the top folder itself may be read-only too
    for root, dirs, _files in os.walk(path):  # top-down: opened before descending
        for name in dirs:
            full = os.path.join(root, name)
            if not os.path.islink(full):
                os.chmod(full, stat.S_IRWXU)
    shutil.rmtree(path, ignore_errors=True)
    if os.path.lexists(path):
        log.warning("could not remove all of %s; delete it by hand", path)

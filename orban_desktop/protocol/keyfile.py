"""The identity key file: 32 raw secret bytes, read and written with the checks ssh makes.

:func:`read_secret_key` refuses a missing file, a symbolic link (checked with ``lstat`` and again
by opening with ``O_NOFOLLOW``), anything but a regular file, a file readable or writable by
group or others (not checked on Windows) and a file of any length but 32 bytes.
:func:`write_secret_key` creates a new file with mode 0600 (``O_EXCL``, never over an existing
one or through a symlink), fsyncs it and its folder, and never leaves a truncated key behind.
The secret never appears in a message. This module uses the standard library,
``orban_desktop.errors`` and ``orban_desktop.fsutil`` only; it must not import Qt or any other
part of the project.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from orban_desktop.errors import KeyFileError
from orban_desktop.fsutil import fsync_dir

SECRET_KEY_BYTES = 32

_KEYGEN_HINT = "run `orban-agent keygen` to create one, or `orban-agent import` to bring yours"
_POSIX = os.name != "nt"


def read_secret_key(path: Path) -> bytes:
    """Read a key file's 32 secret bytes with the checks ssh makes.

    Raises:
        KeyFileError: The file is missing, a symlink, not a regular file, readable or writable
            by group or others (not checked on Windows), or not exactly 32 bytes.
    """
    try:
        link_info = os.lstat(path)
    except FileNotFoundError as exc:
        raise KeyFileError(
            f"No identity key at '{path}'; {_KEYGEN_HINT}.",
            reason="key_missing",
            context={"path": str(path)},
        ) from exc
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    _check_key_file_kind(path, link_info.st_mode)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:  # ELOOP: it became a symlink after the lstat
        raise _unreadable(path, exc) from exc
    try:
        info = os.fstat(fd)
        _check_key_file_kind(path, info.st_mode)
        mode = stat.S_IMODE(info.st_mode)
        if _POSIX and mode & 0o077:
            raise KeyFileError(
                f"Permissions {mode:04o} for '{path}' are too open: other users could read or "
                f"replace your identity key. Run `chmod 600 '{path}'`.",
                reason="key_too_open",
                context={"path": str(path), "mode": f"{mode:04o}"},
            )
        if info.st_size != SECRET_KEY_BYTES:
            raise _wrong_length(path, info.st_size)
        data = b""
        while len(data) <= SECRET_KEY_BYTES:
            chunk = os.read(fd, SECRET_KEY_BYTES + 1 - len(data))
            if not chunk:
                break
            data += chunk
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    finally:
        os.close(fd)
    if len(data) != SECRET_KEY_BYTES:
        raise _wrong_length(path, len(data))
    return data


def write_secret_key(path: Path, secret: bytes) -> None:
    """Write ``secret`` to a new file with mode 0600, never over an existing one.

    A missing parent directory is created with mode 0700; an existing one is left as it is.

    Raises:
        KeyFileError: The file already exists, or it cannot be created or written.
    """
    parent = path.parent
    try:
        os.makedirs(parent, mode=0o700)
        if _POSIX:
            os.chmod(parent, 0o700)  # makedirs' mode is filtered by the umask
    except FileExistsError:
        pass  # an existing directory is left as it is
    except OSError as exc:
        raise KeyFileError(f"Cannot create the key folder '{parent}': {exc.strerror}.") from exc
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError as exc:
        raise KeyFileError(
            f"An identity key already exists at '{path}'; refusing to overwrite it (your agent "
            "id and earnings are tied to it). Move it away first to replace it.",
            reason="key_exists",
            context={"path": str(path)},
        ) from exc
    except OSError as exc:
        raise KeyFileError(f"Cannot create the identity key '{path}': {exc.strerror}.") from exc
    try:
        try:
            if _POSIX:
                os.fchmod(fd, 0o600)  # exactly 0600 whatever the umask
            view = memoryview(secret)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(path)  # never leave a truncated key behind
        raise KeyFileError(f"Cannot write the identity key '{path}': {exc.strerror}.") from exc
    with contextlib.suppress(OSError):  # best effort: make the new name itself durable
        fsync_dir(parent)


def _check_key_file_kind(path: Path, mode: int) -> None:
    if stat.S_ISLNK(mode):
        raise KeyFileError(
            f"The identity key '{path}' is a symbolic link; refusing to follow it. "
            "Point the configuration at the real file instead.",
            reason="key_is_link",
            context={"path": str(path)},
        )
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        raise KeyFileError(
            f"The identity key '{path}' is {kind}; {_KEYGEN_HINT}.",
            reason="key_not_a_file",
            context={"path": str(path)},
        )


def _wrong_length(path: Path, size: int) -> KeyFileError:
    return KeyFileError(
        f"The identity key '{path}' must be exactly {SECRET_KEY_BYTES} raw bytes, found {size}. "
        "A key in hex, base64 or PEM form is not accepted here; run `orban-agent import`.",
        reason="key_wrong_size",
        context={"path": str(path), "size": size, "expected": SECRET_KEY_BYTES},
    )


def _unreadable(path: Path, exc: OSError) -> KeyFileError:
    return KeyFileError(
        f"Cannot read the identity key '{path}': {exc.strerror}.",
        reason="key_unreadable",
        context={"path": str(path), "detail": exc.strerror or str(exc)},
    )

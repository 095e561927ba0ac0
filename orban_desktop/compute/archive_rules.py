"""The rules a model archive's members must follow, checked one member at a time, in order.

:class:`MemberRules` admits regular files and folders only, under clean relative names (an
optional ``./`` prefix; no absolute name, no ``..``, ``.`` or empty component, no control
character, backslash or invalid UTF-8), each name once, never a member under a file, at most
``max_members`` members and ``max_bytes`` declared bytes; it builds the folder's listing as it
goes. Every refusal is a :class:`ValidationFailed` from :func:`refused`, whose message names the
member and the rule (``context["rule"]``). No file work here. Imports the error tree only.
"""

from __future__ import annotations

import tarfile
from collections.abc import Mapping
from dataclasses import dataclass

from orban_desktop.errors import ValidationFailed

#: A folder's content: relative path (``/``-separated) -> file size in bytes, ``None`` = folder.
Listing = Mapping[str, int | None]
MAX_MEMBERS = 10_000
_FILE_TYPES = (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.CONTTYPE)
_TYPE_NAMES = {
    tarfile.SYMTYPE: "a symbolic link",
    tarfile.LNKTYPE: "a hard link",
    tarfile.CHRTYPE: "a character device",
    tarfile.BLKTYPE: "a block device",
    tarfile.FIFOTYPE: "a FIFO",
    tarfile.GNUTYPE_SPARSE: "a sparse file",
}


@dataclass(frozen=True)
class UnpackedModel:
    """What an archive holds (or what was unpacked from it).

    Attributes:
        files: Regular files.
        total_bytes: Their sizes added up.
        entries: Every file and folder, implied parent folders included (not the root).
    """

    files: int
    total_bytes: int
    entries: Listing


def refused(member: str, rule: str, why: str) -> ValidationFailed:
    """The error for an archive that breaks ``rule``; ``member`` is ``""`` for the whole archive."""
    shown = repr(member[:120]) + ("…" if len(member) > 120 else "")
    subject = f"its member {shown}" if member else "it"
    return ValidationFailed(
        f"The model archive was refused: {subject} {why}.",
        context={"member": member[:200], "rule": rule},
    )


def clean_name(name: str, is_dir: bool) -> str:
    """``name`` as a clean relative path (``""``: the archive's root folder).

    Raises:
        ValidationFailed: The name breaks a rule (rule ``name``).
    """
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise refused(name, "name", "contains a NUL or control character")
    if "\\" in name:
        raise refused(name, "name", "contains a backslash")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise refused(name, "name", "is not valid UTF-8") from None
    if name.startswith("/"):
        raise refused(name, "name", "is an absolute path")
    path = "" if name == "." else name.removeprefix("./")
    if is_dir:
        path = path.removesuffix("/")
    if not path:
        if is_dir:
            return ""
        raise refused(name, "name", "is a file named like the archive's root")
    parts = path.split("/")
    if ".." in parts:
        raise refused(name, "name", "has a '..' component")
    if "." in parts or "" in parts:
        raise refused(name, "name", "has an empty or '.' component")
    return path


def member_is_dir(member: tarfile.TarInfo) -> bool:
    """Whether ``member`` is a folder (``False``: a regular file).

    Raises:
        ValidationFailed: It is neither (rule ``type``).
    """
    if member.issparse() or member.type == tarfile.GNUTYPE_SPARSE:
        raise refused(member.name, "type", "is a sparse file; only regular files are allowed")
    if member.type in _FILE_TYPES:
        return False
    if member.type == tarfile.DIRTYPE:
        return True
    what = _TYPE_NAMES.get(member.type, f"of the unsupported tar type {member.type!r}")
    raise refused(member.name, "type", f"is {what}; only regular files and folders are allowed")


class MemberRules:
    """Admits an archive's members one by one and builds the listing of the folder they make.

    Args:
        max_bytes: The most bytes the files may declare in all.
        max_members: The most members (files and folders, the root folder included).
    """

    def __init__(self, max_bytes: int, max_members: int) -> None:
        self._max_bytes = max_bytes
        self._max_members = max_members
        self._entries: dict[str, int | None] = {}
        self._named: set[str] = set()
        self._members = 0
        self._declared = 0

    def admit(self, member: tarfile.TarInfo) -> str:
        """Check the next member; returns its clean relative path (``""``: the root folder).

        Raises:
            ValidationFailed: It breaks a rule; nothing of it should be written.
        """
        self._members += 1
        if self._members > self._max_members:
            limit = self._max_members
            raise refused(member.name, "members", f"is past the {limit} members allowed")
        is_dir = member_is_dir(member)
        path = clean_name(member.name, is_dir)
        if path in self._named:
            raise refused(path, "duplicate", "appears more than once")
        self._named.add(path)
        if not path:
            return path
        parts = path.split("/")
        for depth in range(1, len(parts)):
            parent = "/".join(parts[:depth])
            if self._entries.setdefault(parent, None) is not None:
                raise refused(path, "parent", f"is under {parent!r}, which is a file")
        if path in self._entries and not is_dir:
            raise refused(path, "duplicate", "is a file, but earlier members made it a folder")
        if is_dir:
            self._entries[path] = None
            return path
        if member.size < 0:
            raise refused(path, "size", "declares a negative size")
        self._declared += member.size
        if self._declared > self._max_bytes:
            raise refused(
                path,
                "size",
                f"takes the files to {self._declared} bytes, more than the {self._max_bytes} "
                "allowed",
            )
        self._entries[path] = member.size
        return path

    def result(self) -> UnpackedModel:
        sizes = [size for size in self._entries.values() if size is not None]
        return UnpackedModel(len(sizes), sum(sizes), dict(self._entries))

"""Tests for orban_desktop.fsutil: atomic writes on real files, and fsync of folders."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from orban_desktop.fsutil import atomic_write_bytes, fsync_dir

posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits and symlinks")


def _names(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir())


def test_new_file_gets_the_data_and_no_temp_file_is_left(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"

    atomic_write_bytes(path, b"a = 1\n")

    assert path.read_bytes() == b"a = 1\n"
    assert _names(tmp_path) == ["settings.toml"]


def test_a_durable_write_syncs_and_a_reading_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    atomic_write_bytes(tmp_path / "status.json", b"{}", durable=False)
    assert synced == [] and (tmp_path / "status.json").read_bytes() == b"{}"
    atomic_write_bytes(tmp_path / "config.toml", b"a = 1\n")
    assert len(synced) == (2 if os.name == "posix" else 1)  # the file, then its folder


@posix_only
def test_default_mode_is_0600_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "secret.bin"
    old_umask = os.umask(0o277)  # would leave the owner unable to write, if not corrected
    try:
        atomic_write_bytes(path, b"\x00\x01")
    finally:
        os.umask(old_umask)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@posix_only
def test_asked_mode_is_set_exactly(tmp_path: Path) -> None:
    path = tmp_path / "shared.txt"
    old_umask = os.umask(0o077)
    try:
        atomic_write_bytes(path, b"x", mode=0o640)
    finally:
        os.umask(old_umask)

    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_existing_content_is_replaced_entirely(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b"old = true\n" * 100)
    path.chmod(0o644)

    atomic_write_bytes(path, b"new = 1\n")

    assert path.read_bytes() == b"new = 1\n"
    assert _names(tmp_path) == ["settings.toml"]
    if os.name != "nt":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_empty_data_gives_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.write_bytes(b"something")

    atomic_write_bytes(path, b"")

    assert path.read_bytes() == b""


def test_failed_rename_onto_a_folder_raises_and_removes_the_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "settings.toml"
    target.mkdir()
    (tmp_path / "other.txt").write_bytes(b"keep")

    with pytest.raises(OSError):
        atomic_write_bytes(target, b"a = 1\n")

    assert _names(tmp_path) == ["other.txt", "settings.toml"]
    assert target.is_dir()
    assert list(target.iterdir()) == []


def test_missing_folder_raises_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write_bytes(tmp_path / "absent" / "settings.toml", b"a = 1\n")

    assert list(tmp_path.iterdir()) == []


@posix_only
def test_a_symlink_at_the_path_is_replaced_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.toml"
    target.write_bytes(b"untouched")
    link = tmp_path / "settings.toml"
    link.symlink_to(target)

    atomic_write_bytes(link, b"a = 1\n")

    assert not link.is_symlink()
    assert link.read_bytes() == b"a = 1\n"
    assert target.read_bytes() == b"untouched"


def test_fsync_dir_on_a_real_folder_keeps_its_entries(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"data")

    fsync_dir(tmp_path)

    assert _names(tmp_path) == ["file"]


def test_fsync_dir_is_a_no_op_for_a_folder_it_cannot_open(tmp_path: Path) -> None:
    missing = tmp_path / "absent"

    fsync_dir(missing)

    assert not missing.exists()

"""Collecting a result without following anything the workload planted, and task folders."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from orban_desktop.compute.outputs import collect_output
from orban_desktop.compute.workspace import TaskFolder, remove_stale_task_folders, remove_tree
from orban_desktop.errors import TaskExecutionFailed


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "workspace" / "out"
    folder.mkdir(parents=True)
    return folder


def test_a_regular_file_is_copied_with_its_hash(out_dir: Path, tmp_path: Path) -> None:
    (out_dir / "result").write_bytes(b"19 22\n43 50\n")
    collected = collect_output(out_dir, "result", tmp_path / "copy", 1024)
    assert collected.size_bytes == 12
    assert collected.sha256_hex == hashlib.sha256(b"19 22\n43 50\n").hexdigest()
    assert (tmp_path / "copy").read_bytes() == b"19 22\n43 50\n"
    assert stat.S_IMODE((tmp_path / "copy").stat().st_mode) == 0o600


def test_a_symlink_to_etc_passwd_is_refused_not_read(out_dir: Path, tmp_path: Path) -> None:
    (out_dir / "result").symlink_to("/etc/passwd")
    with pytest.raises(TaskExecutionFailed, match="symbolic link") as caught:
        collect_output(out_dir, "result", tmp_path / "copy", 1 << 20)
    assert caught.value.context["output"] == "result"
    assert not (tmp_path / "copy").exists()


def test_a_symlinked_output_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "result").write_bytes(b"secret")
    (tmp_path / "out").symlink_to(outside)
    with pytest.raises(TaskExecutionFailed, match="not a plain folder"):
        collect_output(tmp_path / "out", "result", tmp_path / "copy", 1 << 20)


def test_a_fifo_is_refused_without_blocking(out_dir: Path, tmp_path: Path) -> None:
    os.mkfifo(out_dir / "result")
    with pytest.raises(TaskExecutionFailed, match="FIFO"):
        collect_output(out_dir, "result", tmp_path / "copy", 1 << 20)


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_node_is_refused(out_dir: Path, tmp_path: Path) -> None:
    os.mknod(out_dir / "result", 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # like /dev/null
    with pytest.raises(TaskExecutionFailed, match="device"):
        collect_output(out_dir, "result", tmp_path / "copy", 1 << 20)


def test_a_folder_is_refused(out_dir: Path, tmp_path: Path) -> None:
    (out_dir / "result").mkdir()
    with pytest.raises(TaskExecutionFailed, match="folder"):
        collect_output(out_dir, "result", tmp_path / "copy", 1 << 20)


def test_no_output_is_reported(out_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(TaskExecutionFailed, match="wrote no result"):
        collect_output(out_dir, "result", tmp_path / "copy", 1 << 20)


def test_an_output_over_the_cap_is_refused(out_dir: Path, tmp_path: Path) -> None:
    (out_dir / "result").write_bytes(b"x" * 2048)
    with pytest.raises(TaskExecutionFailed, match="2048 bytes, more than the 1024"):
        collect_output(out_dir, "result", tmp_path / "copy", 1024)


def test_remove_tree_handles_read_only_folders(tmp_path: Path) -> None:
    root = tmp_path / "task"
    locked = root / "a" / "b"
    locked.mkdir(parents=True)
    (locked / "f").write_bytes(b"x")
    (root / "a" / "link").symlink_to("/etc")
    os.chmod(locked, 0o500)
    os.chmod(root / "a", 0o500)
    remove_tree(root)
    assert not root.exists()
    assert Path("/etc/passwd").exists()


async def test_a_task_folder_is_removed_even_when_the_body_fails(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        async with TaskFolder(tmp_path / "work", "task/../../odd id") as folder:
            assert folder.path.parent == tmp_path / "work"
            assert folder.workspace.is_dir() and folder.private.is_dir()
            (folder.workspace / "input").write_bytes(b"x")
            raise RuntimeError("boom")
    assert list((tmp_path / "work").iterdir()) == []


def test_stale_task_folders_are_removed(tmp_path: Path) -> None:
    (tmp_path / "task-old-1234" / "workspace").mkdir(parents=True)
    (tmp_path / "keep-me").mkdir()
    assert remove_stale_task_folders(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["keep-me"]

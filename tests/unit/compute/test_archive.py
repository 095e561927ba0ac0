"""Safe unpacking of model archives: honest folders come out read-only, hostile tars are refused."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from orban_desktop.compute.archive import (
    list_model_archive,
    scan_unpacked_folder,
    unpack_model_archive,
)
from orban_desktop.errors import TaskExecutionFailed, ValidationFailed
from tests.unit.compute.tarballs import (
    MODEL_FILES,
    Member,
    dir_member,
    file_member,
    model_tar,
    special_member,
    tar_bytes,
)

GOOD = file_member("config.json", b"{}")


def _write(tmp_path: Path, data: bytes) -> Path:
    archive = tmp_path / "model.tar"
    archive.write_bytes(data)
    return archive


def _refused(tmp_path: Path, data: bytes, rule: str, **limits: int) -> ValidationFailed:
    dest = tmp_path / "out"
    with pytest.raises(ValidationFailed) as caught:
        unpack_model_archive(
            _write(tmp_path, data), dest, max_bytes=limits.pop("max_bytes", 1 << 20), **limits
        )
    assert caught.value.context["rule"] == rule, caught.value.message
    assert not dest.exists()  # nothing left behind, not even the good members before it
    return caught.value


def test_an_honest_nested_folder_is_unpacked_read_only(tmp_path: Path) -> None:
    archive = _write(tmp_path, model_tar(MODEL_FILES))
    dest = tmp_path / "model"
    model = unpack_model_archive(archive, dest, max_bytes=1 << 20)
    assert model.files == 4 and model.total_bytes == sum(map(len, MODEL_FILES.values()))
    for name, data in MODEL_FILES.items():
        path = dest / name
        assert path.read_bytes() == data
        assert oct(path.stat().st_mode & 0o7777) == oct(0o444)
    for folder in (dest, dest / "1_Pooling"):
        assert oct(folder.stat().st_mode & 0o7777) == oct(0o555)
    assert model.entries == {**{n: len(d) for n, d in MODEL_FILES.items()}, "1_Pooling": None}
    assert scan_unpacked_folder(dest) == model.entries
    assert list_model_archive(archive, max_bytes=1 << 20) == model


def test_dot_slash_prefixes_implied_folders_and_a_root_member_are_accepted(tmp_path: Path) -> None:
    members = [
        dir_member("."),
        file_member("./config.json", b"{}"),
        file_member("./deep/er/vocab.txt", b"[PAD]\n"),  # its folders are implied
        dir_member("./deep/"),  # named after its files: still one folder
    ]
    dest = tmp_path / "model"
    model = unpack_model_archive(_write(tmp_path, tar_bytes(members)), dest, max_bytes=100)
    assert (dest / "deep" / "er" / "vocab.txt").read_bytes() == b"[PAD]\n"
    assert model.entries == {
        "config.json": 2,
        "deep": None,
        "deep/er": None,
        "deep/er/vocab.txt": 6,
    }
    assert oct((dest / "deep" / "er").stat().st_mode & 0o777) == oct(0o555)


def test_setuid_and_odd_modes_in_the_archive_are_ignored(tmp_path: Path) -> None:
    info, data = file_member("run.sh", b"#!/bin/sh\n")
    info.mode = 0o6777
    dest = tmp_path / "model"
    unpack_model_archive(_write(tmp_path, tar_bytes([(info, data)])), dest, max_bytes=100)
    assert oct((dest / "run.sh").stat().st_mode & 0o7777) == oct(0o444)


def test_an_empty_archive_gives_an_empty_folder(tmp_path: Path) -> None:
    dest = tmp_path / "model"
    model = unpack_model_archive(_write(tmp_path, tar_bytes([])), dest, max_bytes=0)
    assert (model.files, model.total_bytes, dict(model.entries)) == (0, 0, {})
    assert list(dest.iterdir()) == []


PAX, GNU = tarfile.PAX_FORMAT, tarfile.GNU_FORMAT


def _file(name: str) -> list[Member]:
    return [file_member(name, b"x")]


def _special(name: str, kind: bytes, linkname: str = "") -> list[Member]:
    return [special_member(name, kind, linkname)]


def _pax_name(name: str) -> list[Member]:
    info, data = file_member("placeholder", b"x")
    info.pax_headers = {"path": name}
    return [(info, data)]


def _case(case_id: str, members: list[Member], rule: str, words: str, fmt: int = PAX) -> object:
    return pytest.param(members, rule, words, fmt, id=case_id)


HOSTILE = [
    _case("symlink", _special("link", tarfile.SYMTYPE, "/etc/passwd"), "type", "symbolic link"),
    _case("hard link", _special("hard", tarfile.LNKTYPE, "config.json"), "type", "hard link"),
    _case("char device", _special("tty", tarfile.CHRTYPE), "type", "character device"),
    _case("block device", _special("sda", tarfile.BLKTYPE), "type", "block device"),
    _case("fifo", _special("pipe", tarfile.FIFOTYPE), "type", "a FIFO"),
    _case("sparse", _special("holes", tarfile.GNUTYPE_SPARSE), "type", "sparse file", GNU),
    _case("volume header", _special("vol", b"V"), "type", "unsupported tar type"),
    _case("absolute", _file("/etc/cron.d/evil"), "name", "absolute path"),
    _case("dot dot", _file("../evil"), "name", "'..' component"),
    _case("dot slash dot dot", _file("./../evil"), "name", "'..' component"),
    _case("inner dot dot", _file("a/../../evil"), "name", "'..' component"),
    _case("empty component", _file("a//b"), "name", "empty or '.' component"),
    _case("inner dot", _file("a/./b"), "name", "empty or '.' component"),
    _case("backslash", _file("..\\evil"), "name", "backslash"),
    _case("control char", _file("bad\nname"), "name", "control character"),
    _case("nul in pax path", _pax_name("bad\x00name"), "name", "NUL"),
    _case("not utf-8", _file("bad\udcffname"), "name", "not valid UTF-8", GNU),
    _case("file as root", _file("."), "name", "archive's root"),
    _case("long name", _file("n" * 300), "name", "cannot be created"),
    _case("duplicate file", _file("config.json"), "duplicate", "more than once"),
    _case("file then folder", [dir_member("config.json")], "duplicate", "more than once"),
    _case("folder then file", [*_file("a/b"), *_file("a")], "duplicate", "made it a folder"),
    _case("under a file", _file("config.json/inner"), "parent", "which is a file"),
]


@pytest.mark.parametrize(("members", "rule", "words", "tar_format"), HOSTILE)
def test_hostile_members_refuse_the_whole_archive(
    tmp_path: Path, members: list[Member], rule: str, words: str, tar_format: int
) -> None:
    error = _refused(tmp_path, tar_bytes([GOOD, *members], tar_format), rule)
    assert words in error.message
    assert error.message.startswith("The model archive was refused: its member ")


def test_the_message_names_the_member(tmp_path: Path) -> None:
    error = _refused(
        tmp_path, tar_bytes([GOOD, special_member("weights", tarfile.SYMTYPE, "/x")]), "type"
    )
    assert error.message == (
        "The model archive was refused: its member 'weights' is a symbolic link; "
        "only regular files and folders are allowed."
    )
    assert error.context["member"] == "weights"


def test_too_many_bytes_by_the_headers_is_refused_before_writing(tmp_path: Path) -> None:
    data = tar_bytes([GOOD, file_member("model.safetensors", b"w" * 200)])
    error = _refused(tmp_path, data, "size", max_bytes=100)
    assert "202 bytes, more than the 100 allowed" in error.message


def test_a_stream_longer_than_its_header_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def lying_stream(self: tarfile.TarFile, member: tarfile.TarInfo) -> io.BytesIO:
        return io.BytesIO(b"z" * (member.size + 10_000))

    monkeypatch.setattr(tarfile.TarFile, "extractfile", lying_stream)
    error = _refused(tmp_path, tar_bytes([GOOD]), "size", max_bytes=100)
    assert "more than the 2 bytes declared" in error.message


def test_a_stream_shorter_than_its_header_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tarfile.TarFile, "extractfile", lambda self, member: io.BytesIO(b""))
    error = _refused(tmp_path, tar_bytes([GOOD]), "size")
    assert "ends after 0 of its 2 bytes" in error.message


def test_a_member_cut_off_by_the_end_of_the_file_is_refused(tmp_path: Path) -> None:
    whole = tar_bytes([GOOD, file_member("model.safetensors", b"w" * 5000)])
    error = _refused(tmp_path, whole[: 3 * 512 + 1000], "size")
    assert "model.safetensors" in error.message and "ends before its 5000 bytes" in error.message


def test_an_archive_cut_between_members_is_refused(tmp_path: Path) -> None:
    whole = tar_bytes([GOOD, file_member("vocab.txt", b"v")])
    cut = whole[: 2 * 512]  # config.json's header and data, then nothing
    error = _refused(tmp_path, cut, "format")
    assert "cut short" in error.message


def test_garbage_after_the_members_is_refused(tmp_path: Path) -> None:
    whole = tar_bytes([GOOD])
    error = _refused(tmp_path, whole[:1024] + b"garbage!" + whole[1032:], "format")
    assert "unreadable data at byte 1024" in error.message


def test_too_many_members_are_refused(tmp_path: Path) -> None:
    members = [file_member(f"shard-{i}.bin", b"x") for i in range(4)]
    error = _refused(tmp_path, tar_bytes(members), "members", max_members=3)
    assert "shard-3.bin" in error.message and "past the 3 members" in error.message


@pytest.mark.parametrize(
    ("compress", "kind"),
    [(gzip.compress, "gzip"), (bz2.compress, "bzip2"), (lzma.compress, "xz")],
)
def test_a_compressed_tar_is_refused_with_what_it_is(
    tmp_path: Path, compress: Callable[[bytes], bytes], kind: str
) -> None:
    error = _refused(tmp_path, compress(model_tar(MODEL_FILES)), "format")
    assert f"is {kind}-compressed; the hf-folder-tar format is a plain tar" in error.message


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 a zip file" * 40, os.urandom(4096)])
def test_what_is_not_a_tar_is_refused(tmp_path: Path, data: bytes) -> None:
    error = _refused(tmp_path, data, "format")
    assert "is not a readable plain tar" in error.message


def test_listing_checks_the_same_rules_without_writing(tmp_path: Path) -> None:
    archive = _write(tmp_path, tar_bytes([GOOD, file_member("../evil", b"x")]))
    with pytest.raises(ValidationFailed, match=r"'\.\.' component"):
        list_model_archive(archive, max_bytes=100)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.tar"]


def test_a_folder_holding_a_symlink_does_not_scan(tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").symlink_to("/etc/passwd")
    assert scan_unpacked_folder(tmp_path / "model") is None


def test_an_unreadable_archive_is_a_task_error(tmp_path: Path) -> None:
    with pytest.raises(TaskExecutionFailed, match="Could not unpack the model archive"):
        unpack_model_archive(tmp_path / "missing.tar", tmp_path / "out", max_bytes=1)
    assert not (tmp_path / "out").exists()

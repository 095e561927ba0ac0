"""Builders of model archives for the archive and cache tests: honest ones and hostile ones."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterable, Mapping

Member = tuple[tarfile.TarInfo, bytes | None]


def file_member(name: str, data: bytes) -> Member:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    return info, data


def dir_member(name: str) -> Member:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    return info, None


def special_member(name: str, kind: bytes, linkname: str = "") -> Member:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info, None


def tar_bytes(members: Iterable[Member], tar_format: int = tarfile.PAX_FORMAT) -> bytes:
    """A tar of ``members`` in order (names and types exactly as given)."""
    buffer = io.BytesIO()
    with tarfile.open(
        fileobj=buffer, mode="w", format=tar_format, encoding="utf-8", errors="surrogateescape"
    ) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def model_tar(files: Mapping[str, bytes]) -> bytes:
    """An ``hf-folder-tar`` as the platform builds it: sorted, folders first, mtime 0."""
    folders = sorted(
        {"/".join(name.split("/")[:i]) for name in files for i in range(1, name.count("/") + 1)}
    )
    members = [dir_member(name) for name in folders]
    members += [file_member(name, files[name]) for name in sorted(files)]
    return tar_bytes(members)


#: A small model folder: what the tests unpack.
MODEL_FILES = {
    "config.json": b'{"model_type": "bert"}',
    "model.safetensors": b"\x00weights" * 64,
    "1_Pooling/config.json": b'{"pooling_mode_mean_tokens": true}',
    "tokenizer.json": b"{}",
}

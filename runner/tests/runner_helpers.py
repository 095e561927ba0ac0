"""Helpers of the runner's tests: a tiny random BERT folder, JSONL files, the CLI run in-process.

The tiny model is a real ``BertModel`` (random weights, two layers, 16 dims) saved with
``save_pretrained`` next to a WordPiece tokenizer made from a vocabulary written here, so the
runner loads it exactly as it loads a published model; its ``modules.json`` and
``1_Pooling/config.json`` are written per test to choose the pooling.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from orban_runner.cli import main

WORDS = [
    "the", "a", "gpu", "lends", "idle", "time", "to", "work", "and", "pays", "for", "each",
    "task", "done", "on", "its", "own", "card", "quick", "brown", "fox", "jumps", "over",
    "lazy", "dog", "model", "text", "runs", "fast", "slow",
]  # fmt: skip
TEXTS = [
    "the gpu",
    "a quick brown fox jumps over the lazy dog and the dog runs",
    "idle time pays",
    "each task done on its own card runs fast",
    "model",
    "the text runs slow and the model runs fast on the gpu card",
    "lends work",
]
POOLING_KEYS = ("mean_tokens", "cls_token", "max_tokens", "mean_sqrt_len_tokens")
MODULE_TYPE = "sentence_transformers.models.{}"


def build_base_model(folder: Path) -> Path:
    """A tiny random BERT model and its tokenizer saved in ``folder`` (no modules.json yet)."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n")
    BertTokenizerFast(vocab_file=str(vocab), do_lower_case=True).save_pretrained(str(folder))
    torch.manual_seed(1234)
    config = BertConfig(
        vocab_size=5 + len(WORDS),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
    )
    BertModel(config).eval().save_pretrained(str(folder))
    return folder


def sentence_folder(
    base: Path, target: Path, *, pooling: str = "mean", normalize: bool = False
) -> Path:
    """A copy of ``base`` with a sentence-transformers ``modules.json`` and Pooling config."""
    shutil.copytree(base, target)
    modules: list[dict[str, Any]] = [
        {"idx": 0, "name": "0", "path": "", "type": MODULE_TYPE.format("Transformer")},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": MODULE_TYPE.format("Pooling")},
    ]
    if normalize:
        modules.append(
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": MODULE_TYPE.format("Normalize")}
        )
    (target / "modules.json").write_text(json.dumps(modules))
    (target / "1_Pooling").mkdir()
    wanted = {"mean": "mean_tokens", "cls": "cls_token", "max": "max_tokens"}.get(pooling, pooling)
    config: dict[str, Any] = {"word_embedding_dimension": 16}
    config.update({f"pooling_mode_{key}": key == wanted for key in POOLING_KEYS})
    (target / "1_Pooling" / "config.json").write_text(json.dumps(config))
    (target / "sentence_bert_config.json").write_text('{"max_seq_length": 32}')
    return target


def write_jsonl(path: Path, texts: list[str], ids: list[str] | None = None) -> Path:
    """``texts`` as the runner's input (ids ``r0``, ``r1``, ... unless given)."""
    names = ids or [f"r{i}" for i in range(len(texts))]
    lines = [
        json.dumps({"id": name, "text": text}) for name, text in zip(names, texts, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, list[str]]:
    """Run ``python -m orban_runner ARGS`` in this process; its exit code and stderr lines."""
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, [line for line in captured.err.splitlines() if line.strip()]


def embed_args(model: Path, tmp_path: Path, *extra: str | Path) -> list[str | Path]:
    """``embed`` arguments on the CPU with ``tmp_path/in.jsonl`` to ``tmp_path/out.npz``."""
    return [
        "embed", "--model", model, "--input", tmp_path / "in.jsonl",
        "--output", tmp_path / "out.npz", "--device", "cpu", *extra,
    ]  # fmt: skip

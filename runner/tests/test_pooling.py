"""Pooling and normalisation follow the model folder, and match a computation done by hand.

A tiny random BERT folder is embedded through the command line with each Pooling config (mean,
CLS, max) with and without ``Normalize``; the test computes the same thing itself with
transformers and torch (texts in input order, no batching tricks) and compares.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from runner_helpers import TEXTS, embed_args, run_cli, write_jsonl
from transformers import AutoModel, AutoTokenizer


def by_hand(folder: Path, texts: list[str], pooling: str, normalize: bool) -> np.ndarray:
    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    model = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()
    batch = tokenizer(texts, padding=True, truncation=True, max_length=32, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    if pooling == "mean":
        pooled = (hidden * mask).sum(1) / mask.sum(1)
    elif pooling == "cls":
        pooled = hidden[:, 0]
    else:
        pooled = torch.where(mask > 0, hidden, torch.full_like(hidden, -torch.inf)).amax(1)
    if normalize:
        pooled = pooled / pooled.norm(dim=1, keepdim=True)
    result: np.ndarray = pooled.numpy()
    return result


def run(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[np.ndarray, dict[str, object]]:
    write_jsonl(tmp_path / "in.jsonl", TEXTS)
    (tmp_path / "out.npz").unlink(missing_ok=True)
    code, err = run_cli(capsys, *embed_args(folder, tmp_path, "--batch-size", "3", *extra))
    assert code == 0, err
    with np.load(tmp_path / "out.npz", allow_pickle=False) as result:
        return result["embeddings"], json.loads(str(result["manifest"]))


@pytest.mark.parametrize("normalize", [False, True])
@pytest.mark.parametrize("pooling", ["mean", "cls", "max"])
def test_pooling_read_from_the_folder_matches_by_hand(
    model_folder: Callable[..., Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    pooling: str,
    normalize: bool,
) -> None:
    folder = model_folder(pooling, normalize)
    vectors, manifest = run(folder, tmp_path, capsys)
    assert manifest["pooling"] == pooling
    assert manifest["normalize"] is normalize
    assert manifest["max_length"] == 32  # the folder's sentence_bert_config.json
    assert vectors.dtype == np.float32 and vectors.shape == (len(TEXTS), 16)
    np.testing.assert_allclose(vectors, by_hand(folder, TEXTS, pooling, normalize), atol=1e-5)
    norms = np.linalg.norm(vectors, axis=1)
    if normalize:
        np.testing.assert_allclose(norms, 1.0, atol=1e-5)
    else:
        assert not np.allclose(norms, 1.0, atol=1e-3)


def test_each_pooling_gives_other_vectors(
    model_folder: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mean, _ = run(model_folder("mean"), tmp_path, capsys)
    cls, _ = run(model_folder("cls"), tmp_path, capsys)
    peak, _ = run(model_folder("max"), tmp_path, capsys)
    normalised, _ = run(model_folder("mean", normalize=True), tmp_path, capsys)
    assert not np.allclose(mean, cls, atol=1e-3)
    assert not np.allclose(mean, peak, atol=1e-3)
    assert not np.allclose(cls, peak, atol=1e-3)
    assert (peak >= mean - 1e-6).all()  # a max over tokens is never below their mean
    expected = mean / np.linalg.norm(mean, axis=1, keepdims=True)
    np.testing.assert_allclose(normalised, expected, atol=1e-6)


def test_mean_pooling_ignores_padding(
    model_folder: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A text embedded in a batch with longer texts gets the vector it gets alone."""
    folder = model_folder("mean")
    together, _ = run(folder, tmp_path, capsys, "--batch-size", "64")
    alone, _ = run(folder, tmp_path, capsys, "--batch-size", "1")
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_bf16_on_the_cpu_is_close_to_fp32(
    model_folder: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = model_folder("mean", normalize=True)
    full, _ = run(folder, tmp_path, capsys)
    half, manifest = run(folder, tmp_path, capsys, "--precision", "bf16")
    assert manifest["precision"] == "bf16" and half.dtype == np.float32
    cosine = (full * half).sum(axis=1)
    assert cosine.min() > 0.98

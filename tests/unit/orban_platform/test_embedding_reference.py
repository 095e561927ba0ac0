"""The numpy reference encoder: agrees with PyTorch's vectors (the golden file), with a plain
float64 BERT written out here, whatever the grouping, and refuses folders it cannot compute."""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from orban_platform.embedding import reference
from orban_platform.embedding.bert_math import erf, gelu_erf
from orban_platform.embedding.reference import ReferenceEncoder, ReferenceModelError
from orban_platform.embedding.safetensors_np import load_safetensors
from tests.unit.orban_platform.embedding_helpers import golden_entries, real_model_dir, tiny_bert

SENTENCES = [
    "Return a new view of the dictionary's keys.",
    "The quick brown fox jumps over the lazy dog.",
    "Ça coûte 12,50 € — naïve café!",
    "中",
    "x",
    "A much longer sentence that goes on and on about tokens, batches, caches and vectors. " * 9,
]


@pytest.fixture(scope="module")
def encoder() -> ReferenceEncoder:
    return ReferenceEncoder(real_model_dir())


def cosine(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> float:
    return float(np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b))


def test_the_reference_agrees_with_pytorch_on_the_golden_sentences(
    encoder: ReferenceEncoder,
) -> None:
    entries = golden_entries()
    assert len(entries) >= 6 and any(
        entry["tokens"] < 256 < len(entry["text"]) for entry in entries
    )
    for entry in entries:
        ids = encoder.token_ids([entry["text"]], entry["max_length"])[0]
        assert len(ids) == entry["tokens"]
        vector = encoder.encode([entry["text"]], max_length=entry["max_length"])[0]
        assert vector.dtype == np.float32 and vector.shape == (384,)
        assert cosine(vector, np.asarray(entry["vector"])) >= 0.99999, entry["text"][:40]


def test_the_folder_settings_are_read(encoder: ReferenceEncoder) -> None:
    assert (encoder.dim, encoder.pooling, encoder.normalize, encoder.max_length) == (
        384,
        "mean",
        True,
        256,
    )
    assert encoder.encode([]).shape == (0, 384)


def test_rows_keep_their_order_and_values_whatever_the_grouping(
    encoder: ReferenceEncoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    together = encoder.encode(SENTENCES)
    alone = np.stack([encoder.encode([text])[0] for text in SENTENCES])
    monkeypatch.setattr(reference, "GROUP_TOKENS", 40)
    monkeypatch.setattr(reference, "BLOCK_ROWS", 7)
    small_groups = encoder.encode(SENTENCES)
    for row in range(len(SENTENCES)):
        assert cosine(together[row], alone[row]) >= 0.999999
        assert cosine(small_groups[row], alone[row]) >= 0.999999
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_max_length_truncates_and_is_capped_by_the_positions(encoder: ReferenceEncoder) -> None:
    long = SENTENCES[-1]
    assert len(encoder.token_ids([long], 16)[0]) == 16
    assert len(encoder.token_ids([long * 10], 4096)[0]) == 512  # the model's positions
    short, full = encoder.encode([long], max_length=16)[0], encoder.encode([long])[0]
    assert cosine(short, full) < 0.999


def test_threads_with_different_limits_do_not_disturb_each_other(encoder: ReferenceEncoder) -> None:
    expected = {limit: encoder.encode(SENTENCES, max_length=limit) for limit in (8, 256)}
    results: dict[int, npt.NDArray[np.float32]] = {}

    def work(limit: int) -> None:
        for _ in range(3):
            results[limit] = encoder.encode(SENTENCES, max_length=limit)
            assert np.allclose(results[limit], expected[limit], atol=1e-6)

    threads = [threading.Thread(target=work, args=(limit,)) for limit in expected]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(results) == {8, 256}


def test_erf_and_gelu_are_accurate_to_float32() -> None:
    grid = np.linspace(-7.0, 7.0, 20001, dtype=np.float32)
    exact = np.array([math.erf(value) for value in grid.astype(np.float64)])
    assert np.abs(erf(grid) - exact).max() < 5e-7
    gelu = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in grid.astype(np.float64)])
    assert (np.abs(gelu_erf(grid) - gelu) / np.maximum(1.0, np.abs(grid))).max() < 5e-7


def plain_bert(folder: Path, ids: list[int]) -> npt.NDArray[np.float64]:
    """The textbook BERT + mean pooling + normalise, in float64, one text (the test's oracle)."""
    w = {
        k.removeprefix("bert."): v.astype(np.float64)
        for k, v in load_safetensors(folder / "model.safetensors").items()
    }
    config = json.loads((folder / "config.json").read_text())
    heads, dim = config["num_attention_heads"], config["hidden_size"]

    def norm(x: Any, name: str) -> Any:
        mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-12) * w[f"{name}.weight"] + w[f"{name}.bias"]

    def dense(x: Any, name: str) -> Any:
        return x @ w[f"{name}.weight"].T + w[f"{name}.bias"]

    n = len(ids)
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
    x = norm(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
    erf_vec = np.vectorize(math.erf)
    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}"
        q, k, v = (
            dense(x, f"{p}.attention.self.{part}").reshape(n, heads, -1).transpose(1, 0, 2)
            for part in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(dim // heads)
        probs = np.exp(scores - scores.max(-1, keepdims=True))
        context = (probs / probs.sum(-1, keepdims=True)) @ v
        x = norm(
            x + dense(context.transpose(1, 0, 2).reshape(n, dim), f"{p}.attention.output.dense"),
            f"{p}.attention.output.LayerNorm",
        )
        hidden = dense(x, f"{p}.intermediate.dense")
        hidden = 0.5 * hidden * (1 + erf_vec(hidden / math.sqrt(2)))
        x = norm(x + dense(hidden, f"{p}.output.dense"), f"{p}.output.LayerNorm")
    pooled = x.mean(0)
    result: npt.NDArray[np.float64] = pooled / np.linalg.norm(pooled)
    return result


@pytest.mark.parametrize("prefix", ["", "bert."])
def test_a_tiny_bert_matches_the_textbook_pass(tmp_path: Path, prefix: str) -> None:
    folder = tiny_bert(tmp_path / "tiny", prefix=prefix)
    tiny = ReferenceEncoder(folder)
    vectors = tiny.encode(SENTENCES)
    for text, vector in zip(SENTENCES, vectors, strict=True):
        assert cosine(vector, plain_bert(folder, tiny.token_ids([text])[0])) >= 0.99999


@pytest.mark.parametrize("pooling", ["cls", "max"])
def test_cls_and_max_pooling_are_read_from_the_pooling_module(tmp_path: Path, pooling: str) -> None:
    mean = ReferenceEncoder(tiny_bert(tmp_path / "mean")).encode(SENTENCES[:2])
    other = ReferenceEncoder(tiny_bert(tmp_path / pooling, pooling=pooling))
    assert other.pooling == pooling
    vectors = other.encode(SENTENCES[:2])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert cosine(vectors[0], mean[0]) < 0.9999


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"config.json": {"model_type": "roberta"}}, "BERT models, not 'roberta'"),
        ({"config.json": {"hidden_act": "swish"}}, "activation 'swish'"),
        ({"config.json": {"position_embedding_type": "relative_key"}}, "absolute positions"),
        (
            {
                "modules.json": [
                    {"path": "", "type": "x.Transformer"},
                    {"path": "2", "type": "x.Dense"},
                ]
            },
            "module 'Dense'",
        ),
        ({"modules.json": [{"path": "", "type": "x.Transformer"}]}, "no pooling module"),
        ({"1_Pooling/config.json": {"pooling_mode_mean_sqrt_len_tokens": True}}, "one of mean"),
    ],
)
def test_folders_it_cannot_compute_are_refused(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    folder = tiny_bert(tmp_path / "tiny")
    for name, value in change.items():
        path = folder / name
        if isinstance(value, dict):
            value = {**json.loads(path.read_text()), **value}
            if name.startswith("1_Pooling"):
                value = {key: key == "pooling_mode_mean_sqrt_len_tokens" for key in value}
        path.write_text(json.dumps(value))
    with pytest.raises(ReferenceModelError, match=message):
        ReferenceEncoder(folder)


def test_a_missing_tensor_is_named(tmp_path: Path) -> None:
    folder = tiny_bert(tmp_path / "tiny")
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "num_hidden_layers": 3}))
    with pytest.raises(ReferenceModelError, match=r"no tensor encoder\.layer\.2\."):
        ReferenceEncoder(folder)

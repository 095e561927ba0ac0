"""The platform's reference encoder: its own BERT forward pass in numpy, pooled as the folder says.

:class:`ReferenceEncoder` reads a sentence-transformers folder: ``config.json`` (BERT only),
``modules.json`` with its pooling module's ``config.json`` (mean, CLS or max; Normalize or not)
and ``sentence_bert_config.json`` (the token limit). It loads ``model.safetensors`` through
:mod:`.bert_weights`, tokenizes with the folder's ``tokenizer.json`` (the ``tokenizers``
library, truncation on, padding off) and computes the vectors in float32, the tokens of a few
texts packed together: position-wise steps run over all of them at once, in cache-sized
blocks, and attention runs text by text, so there is no padding and no mask. It imports numpy
and ``tokenizers`` only (no PyTorch, transformers or runner code), keeps no global state, and
may be called from several worker threads at once: it is blocking work.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from orban_platform.embedding.bert_math import ACTIVATIONS, Matrix, layer_norm
from orban_platform.embedding.bert_weights import (
    BertWeights,
    ReferenceModelError,
    load_bert_weights,
)

#: Texts run together up to this many tokens (bounds memory to some 30 MiB of float32).
GROUP_TOKENS = 4096
#: Position-wise steps run this many tokens at a time (their float32 blocks fit the cache).
BLOCK_ROWS = 256
_POOLING_KEYS = {
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_cls_token": "cls",
    "pooling_mode_max_tokens": "max",
}
_KNOWN_MODULES = ("Transformer", "Pooling", "Normalize")

__all__ = ["ReferenceEncoder", "ReferenceModelError"]


def _read_json(folder: Path, name: str) -> Any:
    try:
        return json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReferenceModelError(f"the model folder's {name} cannot be read: {exc}") from exc


def _read_plan(folder: Path) -> tuple[str, bool]:
    """The pooling mode and whether vectors are normalised, from ``modules.json``."""
    modules = _read_json(folder, "modules.json")
    if not isinstance(modules, list):
        raise ReferenceModelError("modules.json is not a list of modules")
    pooling: str | None = None
    normalize = False
    for module in modules:
        kind = str(module.get("type", "")).rsplit(".", 1)[-1] if isinstance(module, dict) else ""
        if kind not in _KNOWN_MODULES:
            raise ReferenceModelError(f"the reference cannot compute module {kind or module!r}")
        if kind == "Pooling":
            settings = _read_json(folder / str(module.get("path", "")), "config.json")
            chosen = [
                k for k, on in settings.items() if k.startswith("pooling_mode") and on is True
            ]
            if len(chosen) != 1 or chosen[0] not in _POOLING_KEYS:
                raise ReferenceModelError(
                    f"the pooling module must choose one of mean, cls or max, not {chosen}"
                )
            pooling = _POOLING_KEYS[chosen[0]]
        elif kind == "Normalize":
            normalize = True
    if pooling is None:
        raise ReferenceModelError("modules.json names no pooling module")
    return pooling, normalize


class ReferenceEncoder:
    """Sentence vectors of a BERT sentence-transformers folder, computed with numpy.

    Attributes:
        dim: The vector size (the model's hidden size).
        pooling: ``"mean"``, ``"cls"`` or ``"max"``.
        normalize: Whether vectors are scaled to unit length.
        max_length: The folder's token limit (``max_seq_length``, else 256).

    Raises:
        ReferenceModelError: Not a BERT folder this reference computes, or unreadable files.
        OSError: The weights cannot be read.
    """

    def __init__(self, model_dir: Path) -> None:
        from tokenizers import Tokenizer

        config = _read_json(model_dir, "config.json")
        if not isinstance(config, dict) or config.get("model_type") != "bert":
            found = config.get("model_type") if isinstance(config, dict) else None
            raise ReferenceModelError(f"the reference computes BERT models, not {found!r}")
        self.pooling, self.normalize = _read_plan(model_dir)
        sbert = model_dir / "sentence_bert_config.json"
        limit = _read_json(model_dir, sbert.name).get("max_seq_length") if sbert.is_file() else None
        self.max_length: int = limit if isinstance(limit, int) and limit > 0 else 256
        self._weights: BertWeights = load_bert_weights(model_dir / "model.safetensors", config)
        self.dim: int = self._weights.dim
        try:
            self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        except Exception as exc:  # the library raises plain Exception
            raise ReferenceModelError(f"the folder's tokenizer.json cannot be read: {exc}") from exc
        self._tokenizer.no_padding()
        self._tokenizer_lock = threading.Lock()  # truncation is tokenizer state

    def token_ids(self, texts: Sequence[str], max_length: int | None = None) -> list[list[int]]:
        """The token ids of each text as the model sees them (with [CLS]/[SEP], truncated)."""
        limit = min(max_length or self.max_length, self._weights.max_positions)
        with self._tokenizer_lock:
            self._tokenizer.enable_truncation(max_length=limit)
            encodings = self._tokenizer.encode_batch(list(texts))
        return [list(encoding.ids) for encoding in encodings]

    def encode(self, texts: Sequence[str], max_length: int | None = None) -> Matrix:
        """One float32 vector per text, rows in the order of ``texts``, shape (N, dim).

        Args:
            texts: The texts; each is truncated to ``max_length`` tokens.
            max_length: The token limit (``None``: the folder's); at most the model's positions.
        """
        ids = self.token_ids(texts, max_length)
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        group: list[int] = []
        tokens = 0
        for row, row_ids in enumerate(ids):
            if group and tokens + len(row_ids) > GROUP_TOKENS:
                out[group] = self._encode_group([ids[member] for member in group])
                group, tokens = [], 0
            group.append(row)
            tokens += len(row_ids)
        if group:
            out[group] = self._encode_group([ids[member] for member in group])
        return out

    def _encode_group(self, texts: list[list[int]]) -> Matrix:
        """The pooled vectors of a few tokenized texts, run packed."""
        spans = [0, *np.cumsum([len(row) for row in texts]).tolist()]
        hidden = self._forward(texts, spans)
        pooled = np.empty((len(texts), self.dim), dtype=np.float32)
        for index, (begin, end) in enumerate(itertools.pairwise(spans)):
            states = hidden[begin:end]
            if self.pooling == "cls":
                pooled[index] = states[0]
            elif self.pooling == "max":
                pooled[index] = states.max(axis=0)
            else:
                pooled[index] = states.mean(axis=0)
        if self.normalize:
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
        return pooled

    def _forward(self, texts: list[list[int]], spans: list[int]) -> Matrix:
        """The last hidden state of every token of ``texts``, packed: (total tokens, dim)."""
        w = self._weights
        ids = np.concatenate([np.asarray(row, dtype=np.int64) for row in texts])
        positions = np.concatenate([np.arange(len(row)) for row in texts])
        # Single texts: every token type is 0 (the [CLS] A [SEP] template).
        x = layer_norm(
            w.word[ids] + w.position[positions] + w.token_type[0], w.norm_weight, w.norm_bias, w.eps
        )
        heads, size = w.heads, w.dim // w.heads
        activation = ACTIVATIONS[w.activation]
        context = np.empty_like(x)
        for layer in w.layers:
            qkv = x @ layer.qkv_weight + layer.qkv_bias
            for begin, end in itertools.pairwise(spans):
                parts = qkv[begin:end].reshape(end - begin, 3, heads, size).transpose(1, 2, 0, 3)
                query, key, value = parts[0], parts[1], parts[2]  # (heads, tokens, size)
                scores: Matrix = query @ key.transpose(0, 2, 1)  # 1/sqrt(size) is in the query
                scores -= scores.max(axis=-1, keepdims=True)
                np.exp(scores, out=scores)
                scores /= scores.sum(axis=-1, keepdims=True)
                context[begin:end] = (scores @ value).transpose(1, 0, 2).reshape(-1, w.dim)
            for start in range(0, len(x), BLOCK_ROWS):
                rows = slice(start, start + BLOCK_ROWS)
                mid = context[rows] @ layer.out_weight + layer.out_bias
                mid += x[rows]
                mid = layer_norm(mid, layer.norm1_weight, layer.norm1_bias, w.eps)
                mid += activation(mid @ layer.up_weight + layer.up_bias) @ layer.down_weight
                mid += layer.down_bias
                x[rows] = layer_norm(mid, layer.norm2_weight, layer.norm2_bias, w.eps)
        return x

"""The platform's reference encoder: a BERT forward pass in numpy, pooled as the folder says.

:class:`ReferenceEncoder` reads ``config.json`` (BERT only), ``modules.json`` with its pooling
module's ``config.json`` (mean, CLS or max; Normalize or not) and ``sentence_bert_config.json``
(the token limit), loads ``model.safetensors`` with :mod:`.safetensors_np`, tokenizes with the
model's own ``tokenizer.json`` (the ``tokenizers`` library), and computes each text's vector in
float32: embeddings + LayerNorm, then per layer self-attention and the GELU feed-forward, each
with its residual LayerNorm. GELU uses erf from Abramowitz and Stegun 7.1.26 (error under
1.5e-7, far below what the cosine check can see). Blocking: call it in a worker thread.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from orban_desktop.local_platform.embedding.safetensors_np import load_safetensors

#: numpy arrays (float32); ``Any`` because numpy's stubs lose the type through the math.
Array = Any


class ReferenceError(ValueError):
    """The model folder is not one this reference computes."""


def _erf(x: Array) -> Array:
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: Array) -> Array:
    return 0.5 * x * (1.0 + _erf(x / np.sqrt(2.0)))


def _layer_norm(x: Array, weight: Array, bias: Array, eps: float) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _read(folder: Path, name: str) -> Any:
    try:
        return json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReferenceError(f"the model folder's {name} cannot be read: {exc}") from exc


class ReferenceEncoder:
    """Sentence vectors of a BERT sentence-transformers folder, computed with numpy."""

    def __init__(self, model_dir: Path) -> None:
        from tokenizers import Tokenizer

        config = _read(model_dir, "config.json")
        if config.get("model_type") != "bert":
            raise ReferenceError(
                f"the reference computes BERT models, not {config.get('model_type')!r}"
            )
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.dim = int(config["hidden_size"])
        self.pooling, self.normalize = self._plan(model_dir)
        sbert = model_dir / "sentence_bert_config.json"
        self.max_length = (
            int(_read(model_dir, sbert.name).get("max_seq_length", 256)) if sbert.exists() else 256
        )
        weights = load_safetensors(model_dir / "model.safetensors")
        self.w = {name.removeprefix("bert."): value for name, value in weights.items()}
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()

    @staticmethod
    def _plan(folder: Path) -> tuple[str, bool]:
        pooling, normalize = None, False
        for module in _read(folder, "modules.json"):
            kind = str(module.get("type", ""))
            if kind.endswith(".Pooling"):
                settings = _read(folder / str(module.get("path", "")), "config.json")
                modes = [m for m in ("mean", "cls", "max") if settings.get(
                    {"mean": "pooling_mode_mean_tokens", "cls": "pooling_mode_cls_token",
                     "max": "pooling_mode_max_tokens"}[m])]  # fmt: skip
                if len(modes) != 1:
                    raise ReferenceError("the pooling module must name exactly one mode")
                pooling = modes[0]
            elif kind.endswith(".Normalize"):
                normalize = True
        if pooling is None:
            raise ReferenceError("modules.json names no pooling module")
        return pooling, normalize

    def _linear(self, x: Array, name: str) -> Array:
        return x @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]

    def _forward(self, ids: Array, types: Array) -> Array:
        w, n = self.w, len(ids)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = _layer_norm(
            x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps
        )
        size = self.dim // self.heads
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}"
            q, k, v = (
                self._linear(x, f"{p}.attention.self.{part}")
                .reshape(n, self.heads, size)
                .transpose(1, 0, 2)
                for part in ("query", "key", "value")
            )
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(size)
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            context = (scores / scores.sum(axis=-1, keepdims=True)) @ v
            attended = self._linear(
                context.transpose(1, 0, 2).reshape(n, self.dim), f"{p}.attention.output.dense"
            )
            x = _layer_norm(x + attended, w[f"{p}.attention.output.LayerNorm.weight"],
                            w[f"{p}.attention.output.LayerNorm.bias"], self.eps)  # fmt: skip
            hidden = self._linear(
                _gelu(self._linear(x, f"{p}.intermediate.dense")), f"{p}.output.dense"
            )
            x = _layer_norm(
                x + hidden,
                w[f"{p}.output.LayerNorm.weight"],
                w[f"{p}.output.LayerNorm.bias"],
                self.eps,
            )
        return x

    def encode(self, texts: Sequence[str], max_length: int | None = None) -> Array:
        """One float32 vector per text (rows in order)."""
        limit = min(max_length or self.max_length, self.max_length)
        self.tokenizer.enable_truncation(max_length=limit)
        rows = []
        for encoding in self.tokenizer.encode_batch(list(texts)):
            hidden = self._forward(np.asarray(encoding.ids), np.asarray(encoding.type_ids))
            if self.pooling == "cls":
                vector = hidden[0]
            elif self.pooling == "max":
                vector = hidden.max(axis=0)
            else:
                vector = hidden.mean(axis=0)
            if self.normalize:
                vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
            rows.append(vector.astype(np.float32))
        return np.stack(rows) if rows else np.zeros((0, self.dim), np.float32)

"""BERT weights read from ``model.safetensors``, in the shapes the numpy forward pass wants.

:func:`load_bert_weights` reads a ``BertModel`` checkpoint (names ``embeddings.*`` and
``encoder.layer.N.*``, with or without a ``bert.`` prefix) through :mod:`.safetensors_np`,
checks every tensor the forward pass needs is there with the shape ``config.json`` implies,
and stores the matrices transposed (``x @ W``), with query, key and value fused into one
matrix and the attention's 1/sqrt(head size) folded into the query. It refuses, with
:class:`ReferenceModelError`, settings the pass does not compute (relative positions, an
unknown activation). Imports numpy and the other reference modules only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from orban_platform.embedding.bert_math import ACTIVATIONS, Matrix
from orban_platform.embedding.safetensors_np import load_safetensors


class ReferenceModelError(ValueError):
    """The model folder is not one the platform's reference can compute."""


@dataclass(frozen=True)
class BertLayer:
    """One encoder layer, matrices transposed for ``x @ W``."""

    qkv_weight: Matrix  # (dim, 3 dim): query (pre-scaled), key, value
    qkv_bias: Matrix
    out_weight: Matrix
    out_bias: Matrix
    norm1_weight: Matrix
    norm1_bias: Matrix
    up_weight: Matrix  # (dim, intermediate)
    up_bias: Matrix
    down_weight: Matrix  # (intermediate, dim)
    down_bias: Matrix
    norm2_weight: Matrix
    norm2_bias: Matrix


@dataclass(frozen=True)
class BertWeights:
    """A whole BERT encoder: embeddings, layers and the numbers the pass needs."""

    dim: int
    heads: int
    eps: float
    activation: str
    word: Matrix
    position: Matrix
    token_type: Matrix
    norm_weight: Matrix
    norm_bias: Matrix
    layers: tuple[BertLayer, ...]

    @property
    def max_positions(self) -> int:
        return int(self.position.shape[0])


class _Tensors:
    """Named tensors with shape checks that say which one is wrong."""

    def __init__(self, tensors: Mapping[str, Matrix]) -> None:
        self._tensors = {name.removeprefix("bert."): value for name, value in tensors.items()}

    def get(self, name: str, *shape: int | None) -> Matrix:
        tensor = self._tensors.get(name)
        if tensor is None:
            raise ReferenceModelError(f"model.safetensors has no tensor {name}")
        if tensor.ndim != len(shape) or any(
            want is not None and want != got for want, got in zip(shape, tensor.shape, strict=True)
        ):
            raise ReferenceModelError(f"tensor {name} has shape {tensor.shape}, not {shape}")
        return tensor

    def linear(self, name: str, out: int | None, inp: int | None) -> tuple[Matrix, Matrix]:
        weight = self.get(f"{name}.weight", out, inp)
        return np.ascontiguousarray(weight.T), self.get(f"{name}.bias", weight.shape[0])


def _layer(tensors: _Tensors, index: int, dim: int, heads: int) -> BertLayer:
    prefix = f"encoder.layer.{index}"
    scale = np.float32(1.0 / np.sqrt(dim // heads))
    q, qb = tensors.linear(f"{prefix}.attention.self.query", dim, dim)
    k, kb = tensors.linear(f"{prefix}.attention.self.key", dim, dim)
    v, vb = tensors.linear(f"{prefix}.attention.self.value", dim, dim)
    out, out_b = tensors.linear(f"{prefix}.attention.output.dense", dim, dim)
    up, up_b = tensors.linear(f"{prefix}.intermediate.dense", None, dim)
    down, down_b = tensors.linear(f"{prefix}.output.dense", dim, up.shape[1])
    return BertLayer(
        qkv_weight=np.ascontiguousarray(np.concatenate([q * scale, k, v], axis=1)),
        qkv_bias=np.concatenate([qb * scale, kb, vb]),
        out_weight=out,
        out_bias=out_b,
        norm1_weight=tensors.get(f"{prefix}.attention.output.LayerNorm.weight", dim),
        norm1_bias=tensors.get(f"{prefix}.attention.output.LayerNorm.bias", dim),
        up_weight=up,
        up_bias=up_b,
        down_weight=down,
        down_bias=down_b,
        norm2_weight=tensors.get(f"{prefix}.output.LayerNorm.weight", dim),
        norm2_bias=tensors.get(f"{prefix}.output.LayerNorm.bias", dim),
    )


def _int(config: Mapping[str, Any], key: str) -> int:
    value = config.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ReferenceModelError(f"config.json has no positive integer {key}")
    return value


def load_bert_weights(path: Path, config: Mapping[str, Any]) -> BertWeights:
    """The encoder of ``path`` as ``config`` (a BERT ``config.json``) describes it.

    Raises:
        ReferenceModelError: A setting this reference does not compute, or a missing tensor.
        SafetensorsError, OSError: The weights file cannot be read.
    """
    dim, heads = _int(config, "hidden_size"), _int(config, "num_attention_heads")
    count = _int(config, "num_hidden_layers")
    activation = str(config.get("hidden_act", "gelu"))
    if activation not in ACTIVATIONS:
        raise ReferenceModelError(f"the reference cannot compute activation {activation!r}")
    if config.get("position_embedding_type", "absolute") != "absolute" or dim % heads:
        raise ReferenceModelError("the reference computes absolute positions and whole heads only")
    tensors = _Tensors(load_safetensors(path))
    return BertWeights(
        dim=dim,
        heads=heads,
        eps=float(config.get("layer_norm_eps", 1e-12)),
        activation=activation,
        word=tensors.get("embeddings.word_embeddings.weight", None, dim),
        position=tensors.get("embeddings.position_embeddings.weight", None, dim),
        token_type=tensors.get("embeddings.token_type_embeddings.weight", None, dim),
        norm_weight=tensors.get("embeddings.LayerNorm.weight", dim),
        norm_bias=tensors.get("embeddings.LayerNorm.bias", dim),
        layers=tuple(_layer(tensors, index, dim, heads) for index in range(count)),
    )

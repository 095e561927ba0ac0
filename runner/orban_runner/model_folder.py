"""What a model folder says to do: the transformer, its pooling and normalisation.

A sentence-transformers folder lists its modules in ``modules.json``: the ``Transformer`` (the
folder itself), a ``Pooling`` module whose ``config.json`` names the mode (mean, CLS token or
max) and, optionally, ``Normalize`` (no files). ``sentence_bert_config.json`` gives the token
limit. Plain Hugging Face folders without ``modules.json`` are refused: the runner does what the
folder says, it never guesses. Only encoder architectures run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orban_runner.errors import BadModel

#: Encoder architectures the text-embedding pipeline runs (``config.json`` ``model_type``).
ENCODER_TYPES = frozenset({"bert", "roberta", "xlm-roberta", "mpnet", "distilbert", "electra"})
_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"
_REQUIRED = ("config.json", "modules.json", "tokenizer.json")
_WEIGHTS = ("model.safetensors", "pytorch_model.bin")


@dataclass(frozen=True)
class ModelPlan:
    """The pipeline a model folder describes."""

    folder: Path
    model_type: str
    pooling: str
    normalize: bool
    max_seq_length: int | None
    dimension: int | None


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BadModel(f"the model folder lacks {path.name}") from exc
    except (OSError, ValueError) as exc:
        raise BadModel(f"the model folder's {path.name} cannot be read: {exc}") from exc


def _pooling_mode(config: Any, where: str) -> str:
    if not isinstance(config, dict):
        raise BadModel(f"{where} is not a JSON object")
    modes = [
        mode
        for key, mode in (
            ("pooling_mode_mean_tokens", "mean"),
            ("pooling_mode_cls_token", "cls"),
            ("pooling_mode_max_tokens", "max"),
        )
        if config.get(key) is True
    ]
    others = [k for k, v in config.items() if k.startswith("pooling_mode_") and v is True]
    if len(modes) != 1 or len(others) != 1:
        raise BadModel(f"{where} must turn on exactly one of mean, CLS or max pooling")
    return modes[0]


def read_plan(folder: Path) -> ModelPlan:
    """Read a model folder's pipeline.

    Raises:
        BadModel: A required file is missing or unreadable, the architecture is not an encoder,
            or ``modules.json`` lists a module this runner does not have.
    """
    if not folder.is_dir():
        raise BadModel(f"the model folder {folder} does not exist")
    for name in _REQUIRED:
        if not (folder / name).is_file():
            raise BadModel(f"the model folder lacks {name}")
    if not any((folder / name).is_file() for name in _WEIGHTS):
        raise BadModel("the model folder holds no weights (model.safetensors)")
    model_type = str(_json(folder / "config.json").get("model_type", ""))
    if model_type not in ENCODER_TYPES:
        raise BadModel(
            f"the model is a {model_type or 'unknown'!r} model; the text-embedding pipeline runs "
            f"encoders only ({', '.join(sorted(ENCODER_TYPES))})"
        )
    modules = _json(folder / "modules.json")
    if not isinstance(modules, list) or not modules:
        raise BadModel("modules.json must list the model's modules")
    pooling, normalize, seen_transformer = None, False, False
    for module in sorted(modules, key=lambda m: int(m.get("idx", 0)) if isinstance(m, dict) else 0):
        kind = module.get("type") if isinstance(module, dict) else None
        if kind == _TRANSFORMER and module.get("path", "") == "":
            seen_transformer = True
        elif kind == _POOLING:
            path = folder / str(module.get("path", "")) / "config.json"
            pooling = _pooling_mode(_json(path), f"{module.get('path')}/config.json")
        elif kind == _NORMALIZE:
            normalize = True
        else:
            raise BadModel(f"modules.json lists a module this runner does not run: {kind!r}")
    if not seen_transformer or pooling is None:
        raise BadModel("modules.json must list a Transformer and a Pooling module")
    sbert = folder / "sentence_bert_config.json"
    max_seq = _json(sbert).get("max_seq_length") if sbert.is_file() else None
    pooling_config = _json(folder / "config.json")
    return ModelPlan(
        folder=folder,
        model_type=model_type,
        pooling=pooling,
        normalize=normalize,
        max_seq_length=int(max_seq) if isinstance(max_seq, int) else None,
        dimension=pooling_config.get("hidden_size"),
    )

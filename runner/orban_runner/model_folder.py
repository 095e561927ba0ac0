"""What a model folder says to do: its encoder, its pooling, whether it normalises, its token limit.

A sentence-transformers folder lists its modules in ``modules.json``: the ``Transformer`` (the
folder itself, ``path ""``), a ``Pooling`` module whose ``config.json`` turns on one mode (mean
of the tokens, the CLS token, or the max over tokens) and optionally ``Normalize`` (it has no
files). ``sentence_bert_config.json`` gives ``max_seq_length``; ``config.json`` the architecture
(``model_type``), of which only encoders run. Every fact comes from the folder: the runner
never guesses, and a folder it cannot follow is refused with
:class:`~orban_runner.errors.BadModel` (exit 4) naming the file. Reads JSON only (no torch).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orban_runner.errors import BadModel

#: Encoder architectures the text-embedding pipeline runs (``config.json`` ``model_type``).
ENCODER_TYPES = frozenset({"bert", "roberta", "xlm-roberta", "mpnet", "distilbert", "electra"})
#: The ``modules.json`` types this runner runs, by what it calls them.
MODULE_TYPES = {
    "sentence_transformers.models.Transformer": "Transformer",
    "sentence_transformers.models.Pooling": "Pooling",
    "sentence_transformers.models.Normalize": "Normalize",
}
POOLING_KEYS = {
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_cls_token": "cls",
    "pooling_mode_max_tokens": "max",
}
_TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "vocab.json", "sentencepiece.bpe.model")
_WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin")
_FALLBACK_MAX_LENGTH = 256


@dataclass(frozen=True)
class ModelPlan:
    """The pipeline a model folder describes.

    Attributes:
        folder: The model folder.
        model_type: ``config.json``'s ``model_type`` (one of :data:`ENCODER_TYPES`).
        pooling: ``"mean"``, ``"cls"`` or ``"max"``.
        normalize: Whether ``modules.json`` lists ``Normalize`` (unit-length embeddings).
        max_seq_length: ``sentence_bert_config.json``'s token limit; ``None`` when it has none.
        token_limit: The most tokens the encoder takes (``max_position_embeddings``, or the
            tokenizer's ``model_max_length`` when smaller); ``None`` when the folder says neither.
    """

    folder: Path
    model_type: str
    pooling: str
    normalize: bool
    max_seq_length: int | None
    token_limit: int | None

    def default_max_length(self) -> int:
        """``max_seq_length`` (else 256), never above :attr:`token_limit`."""
        wanted = self.max_seq_length or _FALLBACK_MAX_LENGTH
        return min(wanted, self.token_limit) if self.token_limit else wanted


def _read_json(folder: Path, name: str) -> Any:
    try:
        return json.loads((folder / name).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BadModel(f"the model folder lacks {name}") from exc
    except (OSError, ValueError) as exc:
        raise BadModel(f"the model folder's {name} cannot be read: {exc}") from exc


def _read_object(folder: Path, name: str) -> dict[str, Any]:
    value = _read_json(folder, name)
    if not isinstance(value, dict):
        raise BadModel(f"the model folder's {name} is not a JSON object")
    return value


def _positive_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def pooling_mode(config: dict[str, Any], name: str) -> str:
    """The one pooling mode ``config`` (a Pooling ``config.json``) turns on.

    Raises:
        BadModel: No mode, several modes, or a mode this runner does not run is on.
    """
    on = sorted(key for key, value in config.items() if key.startswith("pooling_mode_") and value)
    unsupported = [key for key in on if key not in POOLING_KEYS]
    if unsupported:
        raise BadModel(f"{name} asks for {unsupported[0]}; the runner pools by mean, cls or max")
    if len(on) != 1:
        raise BadModel(f"{name} must turn on exactly one of mean, cls or max pooling")
    return POOLING_KEYS[on[0]]


def _modules(folder: Path) -> tuple[str, bool]:
    """The pooling mode and whether to normalise, from ``modules.json``."""
    modules = _read_json(folder, "modules.json")
    if not isinstance(modules, list) or not all(isinstance(m, dict) for m in modules):
        raise BadModel("the model folder's modules.json must be a list of modules")
    kinds: list[str] = []
    pooling = None
    for module in sorted(modules, key=lambda m: _positive_int(m.get("idx")) or 0):
        kind = MODULE_TYPES.get(str(module.get("type")))
        if kind is None:
            raise BadModel(
                f"modules.json lists a module this runner does not run: {module.get('type')!r}"
            )
        path = str(module.get("path", ""))
        if kind == "Transformer" and path.strip("./"):
            raise BadModel(f"modules.json puts the Transformer in {path!r}; it must be the folder")
        if kind == "Pooling":
            name = f"{path}/config.json" if path else "config.json"
            pooling = pooling_mode(_read_object(folder, name), name)
        kinds.append(kind)
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        raise BadModel(
            "modules.json must list Transformer, Pooling and optionally Normalize, in that order "
            f"(it lists {', '.join(kinds) or 'nothing'})"
        )
    assert pooling is not None
    return pooling, "Normalize" in kinds


def _token_limit(folder: Path, config: dict[str, Any]) -> int | None:
    limits = [_positive_int(config.get("max_position_embeddings"))]
    if (folder / "tokenizer_config.json").is_file():
        tokenizer_limit = _positive_int(
            _read_object(folder, "tokenizer_config.json").get("model_max_length")
        )
        limits.append(tokenizer_limit if tokenizer_limit and tokenizer_limit < 1_000_000 else None)
    known = [limit for limit in limits if limit]
    return min(known) if known else None


def read_plan(folder: Path) -> ModelPlan:
    """Read a model folder's pipeline (JSON files only; the weights are not opened).

    Raises:
        BadModel: The folder or a required file is missing or unreadable, the architecture is
            not an encoder, or ``modules.json`` lists a module this runner does not run.
    """
    if not folder.is_dir():
        raise BadModel(f"the model folder {folder} does not exist")
    for required in ("config.json", "modules.json"):
        if not (folder / required).is_file():
            raise BadModel(f"the model folder lacks {required}")
    if not any((folder / name).is_file() for name in _TOKENIZER_FILES):
        raise BadModel("the model folder lacks its tokenizer (tokenizer.json or vocab.txt)")
    if not any((folder / name).is_file() for name in _WEIGHT_FILES):
        raise BadModel("the model folder lacks its weights (model.safetensors)")
    config = _read_object(folder, "config.json")
    model_type = str(config.get("model_type") or "")
    if model_type not in ENCODER_TYPES:
        raise BadModel(
            f"the model is a {model_type or 'unknown'!r} model; the text-embedding pipeline runs "
            f"encoders only ({', '.join(sorted(ENCODER_TYPES))})"
        )
    pooling, normalize = _modules(folder)
    max_seq = None
    if (folder / "sentence_bert_config.json").is_file():
        sbert = _read_object(folder, "sentence_bert_config.json")
        max_seq = _positive_int(sbert.get("max_seq_length"))
    return ModelPlan(
        folder=folder,
        model_type=model_type,
        pooling=pooling,
        normalize=normalize,
        max_seq_length=max_seq,
        token_limit=_token_limit(folder, config),
    )

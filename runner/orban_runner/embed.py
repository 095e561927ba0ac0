"""The text-embedding pipeline: the folder's tokenizer and encoder, its pooling, on one device.

:func:`load` reads the tokenizer and encoder from the model folder (``local_files_only``: never
a download) and puts the encoder on the device in the asked precision (fp16 and bf16 convert the
weights with ``model.to(dtype)``; fp16 on the CPU is refused). :func:`embed` sorts the texts by
token count so batches pad little, tokenizes and encodes ``batch_size`` texts at a time under
``torch.inference_mode``, pools with the attention mask as the folder says (mean, CLS or max),
normalises when it lists ``Normalize``, and returns float32 rows in input order. Pooling and
normalisation run in float32. ``torch`` is passed in; transformers is imported in :func:`load`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from orban_runner.devices import Device
from orban_runner.errors import BadInput, BadModel, OutOfMemory, first_line
from orban_runner.model_folder import ModelPlan

PRECISIONS = ("fp32", "fp16", "bf16")
_COUNT_CHUNK = 4096  # texts tokenized at a time to count their tokens
#: ``on_batch(batch_number, rows_done)``, called after each batch (numbers from 1).
BatchCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class LoadedModel:
    """A tokenizer and an encoder on their device, ready to embed."""

    tokenizer: Any
    model: Any
    plan: ModelPlan
    device: Device
    precision: str
    load_s: float


def _dtype(torch: Any, precision: str) -> Any:
    return {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[precision]


def _synchronize(torch: Any, device: Device) -> None:
    if device.kind == "cuda":
        torch.cuda.synchronize(device.spec)
    elif device.kind == "mps":
        torch.mps.synchronize()


def _out_of_memory(device: Device, what: str) -> OutOfMemory:
    where = "the host" if device.kind == "cpu" else f"the GPU ({device.name})"
    return OutOfMemory(f"{where} ran out of memory {what}")


def load(torch: Any, plan: ModelPlan, device: Device, precision: str) -> LoadedModel:
    """Load the folder's tokenizer and encoder onto ``device`` in ``precision``.

    Raises:
        BadInput: An unknown precision, or fp16 on the CPU.
        BadModel: The folder's files do not load.
        OutOfMemory: The weights do not fit on the device.
    """
    if precision not in PRECISIONS:
        raise BadInput(f"--precision must be one of {', '.join(PRECISIONS)} (got {precision!r})")
    if precision == "fp16" and not device.is_gpu:
        raise BadInput("fp16 runs on a GPU only; use fp32 or bf16 on the CPU")
    import transformers

    transformers.logging.set_verbosity_error()
    started = time.perf_counter()
    folder = str(plan.folder)
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(folder, local_files_only=True)
        model = transformers.AutoModel.from_pretrained(folder, local_files_only=True)
    except Exception as exc:  # OSError, ValueError, safetensors errors...: the folder is bad
        raise BadModel(f"the model folder does not load: {first_line(exc)}") from exc
    if device.kind == "cuda":
        torch.cuda.reset_peak_memory_stats(device.spec)
    try:
        model = model.to(device=device.spec, dtype=_dtype(torch, precision)).eval()
        _synchronize(torch, device)
    except (torch.cuda.OutOfMemoryError, MemoryError) as exc:
        raise _out_of_memory(device, f"loading the model in {precision}") from exc
    return LoadedModel(tokenizer, model, plan, device, precision, time.perf_counter() - started)


def pool(torch: Any, hidden: Any, mask: Any, mode: str) -> Any:
    """Pool token states ``hidden`` (batch, tokens, dim) to (batch, dim), in float32.

    ``mode`` is ``"mean"`` (of the tokens ``mask`` keeps), ``"cls"`` (the first token) or
    ``"max"`` (over the kept tokens).
    """
    hidden = hidden.float()
    if mode == "cls":
        return hidden[:, 0]
    keep = mask.unsqueeze(-1).to(hidden.dtype)
    if mode == "max":
        return hidden.masked_fill(keep == 0, torch.finfo(hidden.dtype).min).max(dim=1).values
    return (hidden * keep).sum(dim=1) / keep.sum(dim=1).clamp(min=1e-9)


def length_order(tokenizer: Any, texts: list[str], max_length: int) -> list[int]:
    """Indices of ``texts``, most tokens first, so each batch pads little (and OOM shows first).

    Token counts, not characters: a text's characters say little about its word pieces, and
    padding to the longest text of a batch is paid in every layer. Counting tokenizes each text
    once more (about 1 % of the encoder's time), in chunks so memory stays small.
    """
    lengths: list[int] = []
    for start in range(0, len(texts), _COUNT_CHUNK):
        encoded = tokenizer(
            texts[start : start + _COUNT_CHUNK],
            truncation=True,
            max_length=max_length,
            return_attention_mask=False,
            return_token_type_ids=False,
        )
        lengths.extend(len(ids) for ids in encoded["input_ids"])
    return sorted(range(len(texts)), key=lambda i: lengths[i], reverse=True)


def embed(
    torch: Any,
    loaded: LoadedModel,
    texts: list[str],
    *,
    batch_size: int,
    max_length: int,
    on_batch: BatchCallback | None = None,
) -> np.ndarray[Any, np.dtype[np.float32]]:
    """Embeddings of ``texts``: float32, shape (len(texts), dim), in input order.

    Raises:
        OutOfMemory: The device ran out of memory (the message names batch size and tokens).
    """
    order = length_order(loaded.tokenizer, texts, max_length)
    result: np.ndarray[Any, np.dtype[np.float32]] | None = None
    done = 0
    try:
        with torch.inference_mode():
            for number, start in enumerate(range(0, len(order), batch_size), start=1):
                chosen = order[start : start + batch_size]
                batch = loaded.tokenizer(
                    [texts[i] for i in chosen],
                    padding=True,
                    truncation=True,
                    max_length=max_length,
                    return_tensors="pt",
                ).to(loaded.device.spec)
                hidden = loaded.model(**batch).last_hidden_state
                pooled = pool(torch, hidden, batch["attention_mask"], loaded.plan.pooling)
                if loaded.plan.normalize:
                    pooled = torch.nn.functional.normalize(pooled, p=2.0, dim=1)
                values = pooled.cpu().numpy()
                if result is None:
                    result = np.empty((len(texts), values.shape[1]), dtype=np.float32)
                result[chosen] = values
                done += len(chosen)
                if on_batch is not None:
                    on_batch(number, done)
    except (torch.cuda.OutOfMemoryError, MemoryError) as exc:
        raise _out_of_memory(
            loaded.device, f"at batch size {batch_size} with up to {max_length} tokens a text; "
            "a smaller --batch-size (or --max-length) may fit",
        ) from exc  # fmt: skip
    except RuntimeError as exc:  # MPS and some CUDA paths say so in a plain RuntimeError
        if "out of memory" not in str(exc).lower():
            raise
        raise _out_of_memory(
            loaded.device, f"at batch size {batch_size}; a smaller --batch-size may fit"
        ) from exc
    assert result is not None  # texts is never empty (inputs.read_rows)
    return result

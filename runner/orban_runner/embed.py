"""The text-embedding pipeline: the folder's tokenizer and encoder, its pooling, on one device.

Texts are sorted by length so batches pad little, embedded ``batch_size`` at a time under
``torch.inference_mode``, pooled with the attention mask as the model folder says (mean, CLS
or max), normalised when it lists ``Normalize``, and returned as float32 in input order. fp16
and bf16 convert the encoder's weights on a GPU (fp16 on the CPU is refused: it is not
supported there); pooling and normalisation run in float32.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from orban_runner.devices import Device
from orban_runner.errors import BadInput, BadModel, OutOfMemory
from orban_runner.model_folder import ModelPlan

PRECISIONS = ("fp32", "fp16", "bf16")


@dataclass
class LoadedModel:
    tokenizer: Any
    model: Any
    plan: ModelPlan
    load_s: float


def load(torch: Any, plan: ModelPlan, device: Device, precision: str) -> LoadedModel:
    """Load the folder's tokenizer and encoder onto ``device`` in ``precision``.

    Raises:
        BadInput: fp16 asked for on the CPU, or an unknown precision.
        BadModel: The folder's files do not load.
    """
    if precision not in PRECISIONS:
        raise BadInput(f"--precision must be one of {', '.join(PRECISIONS)}")
    if precision == "fp16" and not device.is_gpu:
        raise BadInput("fp16 runs on a GPU only; use fp32 or bf16 on the CPU")
    from transformers import AutoModel, AutoTokenizer

    started = time.perf_counter()
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(plan.folder), local_files_only=True)
        model = AutoModel.from_pretrained(str(plan.folder), local_files_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise BadModel(f"the model folder does not load: {str(exc).splitlines()[0][:300]}") from exc
    dtype = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[precision]
    model = model.to(device=device.spec, dtype=dtype).eval()
    if device.is_gpu:
        torch.cuda.synchronize() if device.spec.startswith("cuda") else None
    return LoadedModel(tokenizer, model, plan, time.perf_counter() - started)


def _pool(torch: Any, hidden: Any, mask: Any, mode: str) -> Any:
    hidden = hidden.float()
    mask = mask.unsqueeze(-1).float()
    if mode == "cls":
        return hidden[:, 0]
    if mode == "max":
        return hidden.masked_fill(mask == 0, torch.finfo(hidden.dtype).min).max(dim=1).values
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)


def embed(
    torch: Any,
    loaded: LoadedModel,
    device: Device,
    texts: list[str],
    *,
    batch_size: int,
    max_length: int,
    on_batch: Callable[[int, int], None] = lambda number, done: None,
) -> np.ndarray[Any, Any]:
    """Embeddings of ``texts`` (float32, one row per text, in input order).

    Raises:
        OutOfMemory: The device ran out of memory (try a smaller batch).
    """
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
    rows: list[Any] = [None] * len(texts)
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
                ).to(device.spec)
                hidden = loaded.model(**batch).last_hidden_state
                pooled = _pool(torch, hidden, batch["attention_mask"], loaded.plan.pooling)
                if loaded.plan.normalize:
                    pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                values = pooled.cpu().numpy().astype(np.float32)
                for row, index in enumerate(chosen):
                    rows[index] = values[row]
                done += len(chosen)
                on_batch(number, done)
    except torch.cuda.OutOfMemoryError as exc:
        raise OutOfMemory(
            f"the GPU ran out of memory at batch size {batch_size}; a smaller batch may fit"
        ) from exc
    except RuntimeError as exc:
        if "out of memory" in str(exc).lower():
            raise OutOfMemory(f"the device ran out of memory at batch size {batch_size}") from exc
        raise
    return np.stack(rows).astype(np.float32)

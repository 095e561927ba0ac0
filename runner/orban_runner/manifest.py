"""The manifest: one JSON object saying what a run did, stored in the result next to the vectors.

It names the runner, the pipeline, the model (name and archive sha256), the framework and its
version, the device it computed on (torch's name, UUID), the precision, batch size, token limit,
rows and dimension, the pooling and normalisation read from the model folder, the threads, and
the measured times (``load_s``, ``infer_s``, ``rows_per_s``) and peak device memory. The agent
reports these figures and the platform checks them; the keys are :data:`MANIFEST_KEYS`
(docs/runner.md). Imports the pipeline's dataclasses only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orban_runner import __version__
from orban_runner.devices import Device
from orban_runner.model_folder import ModelPlan

PIPELINE = "text-embedding"
FRAMEWORK = "pytorch"
MANIFEST_KEYS = (
    "runner_version",
    "pipeline",
    "model_name",
    "model_sha256",
    "framework",
    "framework_version",
    "transformers_version",
    "device",
    "device_name",
    "device_uuid",
    "precision",
    "batch_size",
    "max_length",
    "rows",
    "dim",
    "pooling",
    "normalize",
    "threads",
    "load_s",
    "infer_s",
    "rows_per_s",
    "peak_device_memory_bytes",
)


@dataclass(frozen=True)
class RunFacts:
    """What one run measured and used, beyond the model plan and the device.

    Attributes:
        model_name: The model's name as the task gave it.
        model_sha256: The model archive's hex sha256; ``None`` when not given.
        framework_version: ``torch.__version__``.
        transformers_version: ``transformers.__version__``.
        precision: ``fp32``, ``fp16`` or ``bf16``.
        batch_size: Rows per forward pass.
        max_length: Token limit per text.
        rows: Rows embedded.
        dim: Embedding dimension.
        threads: torch's CPU threads.
        load_s: Seconds to load the tokenizer and the model onto the device.
        infer_s: Seconds of embedding (tokenizing, encoding, pooling), device synchronised.
        peak_device_memory_bytes: Peak bytes torch allocated on the GPU; ``None`` on the CPU.
    """

    model_name: str
    model_sha256: str | None
    framework_version: str
    transformers_version: str
    precision: str
    batch_size: int
    max_length: int
    rows: int
    dim: int
    threads: int
    load_s: float
    infer_s: float
    peak_device_memory_bytes: int | None


def build_manifest(plan: ModelPlan, device: Device, facts: RunFacts) -> dict[str, Any]:
    """The manifest of one run, with exactly the keys of :data:`MANIFEST_KEYS`."""
    manifest: dict[str, Any] = {
        "runner_version": __version__,
        "pipeline": PIPELINE,
        "model_name": facts.model_name,
        "model_sha256": facts.model_sha256,
        "framework": FRAMEWORK,
        "framework_version": facts.framework_version,
        "transformers_version": facts.transformers_version,
        "device": device.spec,
        "device_name": device.name,
        "device_uuid": device.uuid,
        "precision": facts.precision,
        "batch_size": facts.batch_size,
        "max_length": facts.max_length,
        "rows": facts.rows,
        "dim": facts.dim,
        "pooling": plan.pooling,
        "normalize": plan.normalize,
        "threads": facts.threads,
        "load_s": round(facts.load_s, 6),
        "infer_s": round(facts.infer_s, 6),
        "rows_per_s": round(facts.rows / facts.infer_s, 3) if facts.infer_s > 0 else 0.0,
        "peak_device_memory_bytes": facts.peak_device_memory_bytes,
    }
    assert tuple(manifest) == MANIFEST_KEYS
    return manifest

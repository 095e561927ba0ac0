"""What a TASK_ASSIGN's ``payload.config`` asks the agent to run: the task contract.

Upstream leaves ``config`` free-form. Ours carries a :class:`JobSpec` of one of two kinds (the
full contract is ``docs/orban-protocol.md`` §6 and ``docs/runner.md``):

**Runner tasks** (``"pipeline"`` present): real model work run by the ``orban-runner``
distribution, in a runner image the owner allows or in a runner environment. The model is a
``hf-folder-tar`` archive (a plain tar of a Hugging Face model folder) whose sha256 is
``model_hash``; the input is JSON Lines of ``{"id", "text"}``; the result is the runner's
``.npz``. The config names the pipeline (``"text-embedding"``), the runner image, the model
(``name``, ``format``), the rows, batch size, precision and token limit, and the sizes and
limits below. A platform never sends a command: the agent builds the runner's command line.

**Canary tasks** (``"workload"`` present): ``orban/checksum:1``, a shipped shell script of
``orban_desktop/compute/workloads/`` that touches no GPU. model = any bytes, input = any bytes;
output, 5 text lines: hex sha256 of the model, hex sha256 of the input, hex sha256 of
model||input, byte count of the input, line count (number of ``\\n`` bytes) of the input.

The local reference platform writes specs with :meth:`JobSpec.to_config`; the executor reads
them with :func:`parse_job_config`. Imports nothing of the project and nothing from Qt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

WORKLOAD_CHECKSUM = "orban/checksum:1"
PIPELINE_TEXT_EMBEDDING = "text-embedding"
#: Canary workloads (shipped scripts) and runner pipelines this agent knows.
WORKLOADS = frozenset({WORKLOAD_CHECKSUM})
PIPELINES = frozenset({PIPELINE_TEXT_EMBEDDING})
MODEL_FORMAT_HF_FOLDER_TAR = "hf-folder-tar"
PRECISIONS = ("fp32", "fp16", "bf16")
#: The framework a runner task asks for in ``requirements.framework`` (upstream's field).
FRAMEWORK_PYTORCH = "pytorch"

MAX_ARTIFACT_BYTES = 8 * 1024**3
MAX_TIMEOUT_SEC = 24 * 3600
MAX_ROWS = 100_000
MAX_BATCH_SIZE = 4096
MAX_TOKENS = 8192
_IMAGE_REF = re.compile(r"[a-z0-9][a-z0-9._/:@-]{0,254}")
_MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,199}")


class JobSpecError(ValueError):
    """A ``config`` that does not describe a task this agent can run."""


@dataclass(frozen=True)
class RunnerJob:
    """The runner part of a runner task's config.

    Attributes:
        pipeline: One of :data:`PIPELINES`.
        image: The runner image the platform names (``config.runner``), e.g. ``orban/runner:0.1.0``.
        model_name: The model's name (``config.model.name``), for labels and the manifest.
        model_format: ``config.model.format``; :data:`MODEL_FORMAT_HF_FOLDER_TAR`.
        rows: Rows in the input.
        batch_size: Rows per forward pass.
        precision: ``fp32``, ``fp16`` or ``bf16``.
        max_length: Token limit per text.
    """

    pipeline: str
    image: str
    model_name: str
    model_format: str
    rows: int
    batch_size: int
    precision: str
    max_length: int


@dataclass(frozen=True)
class JobSpec:
    """The agent-side meaning of ``TaskPayload.config``.

    Attributes:
        workload: A canary workload of :data:`WORKLOADS`, or the runner pipeline's name.
        model_size_bytes: Exact size of the model file or archive (the download cap).
        input_size_bytes: Exact size of the input file.
        timeout_sec: Wall-clock limit for running the work (not counting transfers).
        max_output_bytes: Largest result the platform accepts.
        allow_process_sandbox: Whether the task may run without Docker (weaker isolation).
        runner: The runner part; ``None`` for a canary.
    """

    workload: str
    model_size_bytes: int
    input_size_bytes: int
    timeout_sec: int = 600
    max_output_bytes: int = 16 * 1024 * 1024
    allow_process_sandbox: bool = True
    runner: RunnerJob | None = None

    @property
    def is_runner_task(self) -> bool:
        return self.runner is not None

    def to_config(self) -> dict[str, Any]:
        common: dict[str, Any] = {
            "model_size_bytes": self.model_size_bytes,
            "input_size_bytes": self.input_size_bytes,
            "timeout_sec": self.timeout_sec,
            "max_output_bytes": self.max_output_bytes,
            "allow_process_sandbox": self.allow_process_sandbox,
        }
        if self.runner is None:
            return {"workload": self.workload, **common}
        job = self.runner
        return {
            "pipeline": job.pipeline,
            "runner": job.image,
            "model": {"name": job.model_name, "format": job.model_format},
            "rows": job.rows,
            "batch_size": job.batch_size,
            "precision": job.precision,
            "max_length": job.max_length,
            **common,
        }


def _int_field(config: dict[str, Any], name: str, low: int, high: int, default: int | None) -> int:
    value = config.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise JobSpecError(f"config.{name} must be an integer")
    if not low <= value <= high:
        raise JobSpecError(f"config.{name} must be between {low} and {high} (got {value})")
    return value


def _text_field(config: dict[str, Any], name: str, pattern: re.Pattern[str]) -> str:
    value = config.get(name)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise JobSpecError(f"config.{name} is missing or not a valid name ({str(value)[:64]!r})")
    return value


def _runner_job(config: dict[str, Any]) -> RunnerJob:
    pipeline = config.get("pipeline")
    if pipeline not in PIPELINES:
        raise JobSpecError(
            f"unknown pipeline {str(pipeline)[:64]!r}; this agent runs {sorted(PIPELINES)}"
        )
    model = config.get("model")
    if not isinstance(model, dict):
        raise JobSpecError("config.model must be an object with name and format")
    if model.get("format") != MODEL_FORMAT_HF_FOLDER_TAR:
        raise JobSpecError(
            f"config.model.format must be {MODEL_FORMAT_HF_FOLDER_TAR!r} "
            f"(got {str(model.get('format'))[:64]!r})"
        )
    precision = config.get("precision", "fp32")
    if precision not in PRECISIONS:
        raise JobSpecError(f"config.precision must be one of {list(PRECISIONS)}")
    return RunnerJob(
        pipeline=str(pipeline),
        image=_text_field(config, "runner", _IMAGE_REF),
        model_name=_text_field(model, "name", _MODEL_NAME),
        model_format=MODEL_FORMAT_HF_FOLDER_TAR,
        rows=_int_field(config, "rows", 1, MAX_ROWS, None),
        batch_size=_int_field(config, "batch_size", 1, MAX_BATCH_SIZE, 64),
        precision=str(precision),
        max_length=_int_field(config, "max_length", 1, MAX_TOKENS, 256),
    )


def parse_job_config(config: object) -> JobSpec:
    """Read ``TaskPayload.config`` into a :class:`JobSpec`.

    Raises:
        JobSpecError: Not an object, an unknown workload or pipeline, or a missing or
            out-of-range field.
    """
    if not isinstance(config, dict):
        raise JobSpecError("config must be a JSON object naming a pipeline or a workload")
    runner: RunnerJob | None = None
    workload: object
    if "pipeline" in config:
        runner = _runner_job(config)
        workload = runner.pipeline
    else:
        workload = config.get("workload")
        if workload not in WORKLOADS:
            raise JobSpecError(
                f"unknown workload {str(workload)[:64]!r}; this agent runs the pipelines "
                f"{sorted(PIPELINES)} and the workloads {sorted(WORKLOADS)}"
            )
    allow = config.get("allow_process_sandbox", True)
    if not isinstance(allow, bool):
        raise JobSpecError("config.allow_process_sandbox must be true or false")
    return JobSpec(
        workload=str(workload),
        model_size_bytes=_int_field(config, "model_size_bytes", 0, MAX_ARTIFACT_BYTES, None),
        input_size_bytes=_int_field(config, "input_size_bytes", 0, MAX_ARTIFACT_BYTES, None),
        timeout_sec=_int_field(config, "timeout_sec", 1, MAX_TIMEOUT_SEC, 600),
        max_output_bytes=_int_field(config, "max_output_bytes", 1, MAX_ARTIFACT_BYTES, 16 << 20),
        allow_process_sandbox=allow,
        runner=runner,
    )

"""What a TASK_ASSIGN's ``payload.config`` asks the agent to run: the demo workloads' contract.

Upstream leaves ``config`` free-form. Ours carries a :class:`JobSpec`: which vetted workload to
run (a platform can never send an arbitrary command: the agent runs only workloads it ships, from
``orban_desktop/compute/workloads/``), the exact sizes of the model and input files (the download
size caps), and the limits. The local reference platform writes it; the executor reads it. Both
verify results independently from the definitions below. Imports nothing from Qt.

Workloads (files are bytes; "text" means ASCII lines ending in ``\\n``):

``orban/checksum:1``
    model = any bytes ("weights"), input = any bytes. Output, 5 text lines:
    hex sha256 of the model, hex sha256 of the input, hex sha256 of model||input,
    byte count of the input, line count (number of ``\\n`` bytes) of the input.

``orban/matmul:1``
    model = matrix A, input = matrix B, each as text: one row per line, integers separated by
    single spaces, every row the same length; A's columns == B's rows. Entries are within
    ±1000 and dimensions at most 64, so every product sum is exact in a double. Output = A×B in
    the same text form (integers printed in plain decimal, no ``+``, no leading zeros).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

WORKLOAD_CHECKSUM = "orban/checksum:1"
WORKLOAD_MATMUL = "orban/matmul:1"
WORKLOADS = frozenset({WORKLOAD_CHECKSUM, WORKLOAD_MATMUL})

MAX_ARTIFACT_BYTES = 8 * 1024**3
MAX_TIMEOUT_SEC = 24 * 3600
MATMUL_MAX_DIM = 64
MATMUL_MAX_ABS = 1000


class JobSpecError(ValueError):
    """A ``config`` that does not describe a task this agent can run."""


@dataclass(frozen=True)
class JobSpec:
    """The agent-side meaning of ``TaskPayload.config``.

    Attributes:
        workload: One of :data:`WORKLOADS`.
        model_size_bytes: Exact size of the model file (the download cap).
        input_size_bytes: Exact size of the input file.
        timeout_sec: Wall-clock limit for running the workload (not counting transfers).
        max_output_bytes: Largest result the platform accepts.
        allow_process_sandbox: Whether the task may run without Docker (weaker isolation).
    """

    workload: str
    model_size_bytes: int
    input_size_bytes: int
    timeout_sec: int = 600
    max_output_bytes: int = 16 * 1024 * 1024
    allow_process_sandbox: bool = True

    def to_config(self) -> dict[str, Any]:
        return asdict(self)


def _int_field(config: dict[str, Any], name: str, low: int, high: int, default: int | None) -> int:
    value = config.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise JobSpecError(f"config.{name} must be an integer")
    if not low <= value <= high:
        raise JobSpecError(f"config.{name} must be between {low} and {high} (got {value})")
    return value


def parse_job_config(config: object) -> JobSpec:
    """Read ``TaskPayload.config`` into a :class:`JobSpec`.

    Raises:
        JobSpecError: Not an object, an unknown workload, or a missing or out-of-range field.
    """
    if not isinstance(config, dict):
        raise JobSpecError("config must be a JSON object naming a workload")
    workload = config.get("workload")
    if workload not in WORKLOADS:
        raise JobSpecError(
            f"unknown workload {str(workload)[:64]!r}; this agent runs {sorted(WORKLOADS)}"
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
    )

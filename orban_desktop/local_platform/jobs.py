"""Demo jobs with real work: their files, their expected results, and the artifact folder.

Workloads are the two of :mod:`orban_desktop.jobspec` (read its docstring: it is the contract).
:class:`JobFactory` draws realistic random jobs from a seeded RNG: checksum jobs over a "model"
of random weights and an input of text lines, and matmul jobs over integer matrices, reusing a
small pool of models the way real jobs share weights (so an agent's cache has something to do).
:func:`expected_output` recomputes each result in Python straight from the definitions, and the
platform accepts an upload only if it equals it. :class:`ArtifactStore` keeps files by their
sha256 (content-addressed, written atomically). Imports ``jobspec`` and the protocol types only.
"""

from __future__ import annotations

import hashlib
import os
import random
from dataclasses import dataclass
from pathlib import Path

from orban_desktop.jobspec import (
    MATMUL_MAX_ABS,
    WORKLOAD_CHECKSUM,
    WORKLOAD_MATMUL,
    JobSpec,
    JobSpecError,
)
from orban_desktop.protocol.types import TaskRequirements

_VOCABULARY = (
    "gpu tensor kernel batch epoch weight layer token cache stream warp block grid shard "
    "vector matrix queue agent platform orban compute node rack fan watt"
)
_WORDS = tuple(_VOCABULARY.split())
_MODEL_POOL = 4


def checksum_output(model: bytes, data: bytes) -> bytes:
    """``orban/checksum:1``: five lines (three sha256 hex digests, byte count, line count)."""
    lines = (
        hashlib.sha256(model).hexdigest(),
        hashlib.sha256(data).hexdigest(),
        hashlib.sha256(model + data).hexdigest(),
        str(len(data)),
        str(data.count(b"\n")),
    )
    return "".join(line + "\n" for line in lines).encode("ascii")


def parse_matrix(text: bytes) -> list[list[int]]:
    """A matrix in the workload's text form (rows of space-separated integers, one per line).

    Raises:
        JobSpecError: Not that form, or rows of different lengths.
    """
    try:
        rows = [
            [int(cell) for cell in line.split(" ")]
            for line in text.decode("ascii").split("\n")[:-1]
        ]
    except (UnicodeDecodeError, ValueError) as exc:
        raise JobSpecError(f"not a matrix in text form: {exc}") from exc
    if not rows or not text.endswith(b"\n") or len({len(row) for row in rows}) != 1:
        raise JobSpecError("a matrix needs at least one row, every row the same length")
    return rows


def format_matrix(rows: list[list[int]]) -> bytes:
    return "".join(" ".join(str(cell) for cell in row) + "\n" for row in rows).encode("ascii")


def matmul_output(model: bytes, data: bytes) -> bytes:
    """``orban/matmul:1``: A (the model) times B (the input), as text."""
    a, b = parse_matrix(model), parse_matrix(data)
    if len(a[0]) != len(b):
        raise JobSpecError(f"A has {len(a[0])} columns but B has {len(b)} rows")
    columns = list(zip(*b, strict=True))
    return format_matrix(
        [[sum(x * y for x, y in zip(row, col, strict=True)) for col in columns] for row in a]
    )


def expected_output(workload: str, model: bytes, data: bytes) -> bytes:
    """The one correct result of a demo task, recomputed from the workload definitions."""
    if workload == WORKLOAD_CHECKSUM:
        return checksum_output(model, data)
    if workload == WORKLOAD_MATMUL:
        return matmul_output(model, data)
    raise JobSpecError(f"unknown workload {workload!r}")


@dataclass(frozen=True)
class DemoJob:
    """One generated job: its files, its spec and what it asks of a GPU."""

    job_id: str
    workload: str
    model: bytes
    data: bytes
    spec: JobSpec
    requirements: TaskRequirements
    priority: int
    estimated_duration_sec: int


class JobFactory:
    """Draws demo jobs from a seeded RNG.

    Args:
        rng: The random source (seed it for reproducible jobs).
        mix: ``(workload, weight)`` pairs.
        checksum_max_bytes: Largest model or input of a checksum job.
        matmul_max_dim: Largest matrix dimension (at most the jobspec's 64).
    """

    def __init__(
        self,
        rng: random.Random,
        mix: tuple[tuple[str, int], ...],
        checksum_max_bytes: int,
        matmul_max_dim: int,
    ) -> None:
        self._rng = rng
        self._workloads = [w for w, _ in mix]
        self._weights = [weight for _, weight in mix]
        self._checksum_max = max(1, checksum_max_bytes)
        self._dim_max = max(1, min(matmul_max_dim, 64))
        self._models: dict[str, list[bytes]] = {WORKLOAD_CHECKSUM: [], WORKLOAD_MATMUL: []}

    def make(self, job_id: str) -> DemoJob:
        workload = self._rng.choices(self._workloads, self._weights)[0]
        if workload == WORKLOAD_CHECKSUM:
            model, data = self._checksum_files()
        else:
            model, data = self._matmul_files()
        output_bytes = len(expected_output(workload, model, data))
        spec = JobSpec(
            workload=workload,
            model_size_bytes=len(model),
            input_size_bytes=len(data),
            timeout_sec=120,
            max_output_bytes=max(4096, 4 * output_bytes),
        )
        requirements = TaskRequirements(
            min_vram_gb=self._rng.choice((0, 1)),
            min_compute_capability="",
            framework="",
            fp16=False,
        )
        return DemoJob(
            job_id=job_id,
            workload=workload,
            model=model,
            data=data,
            spec=spec,
            requirements=requirements,
            priority=self._rng.randint(0, 3),
            estimated_duration_sec=self._rng.randint(30, 600),
        )

    def _reuse_or(self, workload: str, fresh: bytes) -> bytes:
        pool = self._models[workload]
        if pool and self._rng.random() < 0.5:
            return self._rng.choice(pool)
        if len(pool) >= _MODEL_POOL:
            pool.pop(0)
        pool.append(fresh)
        return fresh

    def _checksum_files(self) -> tuple[bytes, bytes]:
        size = self._rng.randint(1, self._checksum_max)
        model = self._reuse_or(WORKLOAD_CHECKSUM, self._rng.randbytes(size))
        lines, total = [], 0
        limit = self._rng.randint(1, self._checksum_max)
        while total < limit:
            line = " ".join(self._rng.choices(_WORDS, k=self._rng.randint(1, 12))) + "\n"
            lines.append(line)
            total += len(line)
        return model, "".join(lines).encode("ascii")[:limit]

    def _random_matrix(self, rows: int, cols: int) -> list[list[int]]:
        span = MATMUL_MAX_ABS
        return [[self._rng.randint(-span, span) for _ in range(cols)] for _ in range(rows)]

    def _matmul_files(self) -> tuple[bytes, bytes]:
        fresh = format_matrix(
            self._random_matrix(
                self._rng.randint(1, self._dim_max), self._rng.randint(1, self._dim_max)
            )
        )
        model = self._reuse_or(WORKLOAD_MATMUL, fresh)
        inner = len(parse_matrix(model)[0])
        data = format_matrix(self._random_matrix(inner, self._rng.randint(1, self._dim_max)))
        return model, data


@dataclass(frozen=True)
class PreparedJob:
    """A job whose files are stored, with the sha256 of each and of its correct result."""

    job: DemoJob
    model_sha256: str
    input_sha256: str
    expected_sha256: str


class ArtifactStore:
    """Files named by the hex sha256 of their content, under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes) -> str:
        """Store ``data`` (once) and return its hex sha256."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.root / digest
        if not path.exists():
            temp = path.with_name(f".{digest}.{os.getpid()}.tmp")
            temp.write_bytes(data)
            os.replace(temp, path)
        return digest

    def path(self, digest: str) -> Path | None:
        """The file of ``digest``, or ``None`` when absent or not a digest."""
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            return None
        path = self.root / digest
        return path if path.is_file() else None

    def read(self, digest: str) -> bytes:
        path = self.path(digest)
        if path is None:
            raise FileNotFoundError(f"no artifact {digest}")
        return path.read_bytes()


def store_job(artifacts: ArtifactStore, job: DemoJob) -> PreparedJob:
    """Store a job's files and compute its result (CPU work: run it off the event loop)."""
    expected = expected_output(job.workload, job.model, job.data)
    return PreparedJob(
        job=job,
        model_sha256=artifacts.put(job.model),
        input_sha256=artifacts.put(job.data),
        expected_sha256=hashlib.sha256(expected).hexdigest(),
    )


def prepare_job(factory: JobFactory, artifacts: ArtifactStore, job_id: str) -> PreparedJob:
    """Draw a job and store it (see :func:`store_job`)."""
    return store_job(artifacts, factory.make(job_id))

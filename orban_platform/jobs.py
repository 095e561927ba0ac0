"""Canary jobs, the job record both kinds share, and the artifact folder.

:class:`JobFactory` draws checksum canaries from a seeded RNG: a
"model" of random bytes and an input of text lines, reusing a small pool of models the way real
jobs share weights. :func:`expected_output` recomputes a canary's one correct result in Python
from the definition, and the platform accepts an upload only if it equals it. Real work
(text embedding) is made by :mod:`.embedding_jobs` and checked by sampling. :class:`ArtifactStore`
keeps files by their sha256 (content-addressed, written atomically). Imports ``jobspec`` and the
protocol types only.
"""

from __future__ import annotations

import hashlib
import os
import random
from dataclasses import dataclass
from pathlib import Path

from orban_desktop.protocol.jobspec import WORKLOAD_CHECKSUM, JobSpec, JobSpecError
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


def expected_output(workload: str, model: bytes, data: bytes) -> bytes:
    """The one correct result of a canary task, recomputed from the workload definition."""
    if workload == WORKLOAD_CHECKSUM:
        return checksum_output(model, data)
    raise JobSpecError(f"unknown workload {workload!r}")


@dataclass(frozen=True)
class DemoJob:
    """One generated job: its files, its spec and what it asks of a GPU.

    A text-embedding job's model is the stored archive (``model_sha256`` set, ``model`` empty)
    and ``canary_rows`` lists the rows whose vectors the platform already knows.
    """

    job_id: str
    workload: str
    model: bytes
    data: bytes
    spec: JobSpec
    requirements: TaskRequirements
    priority: int
    estimated_duration_sec: int
    model_sha256: str | None = None
    canary_rows: tuple[int, ...] = ()


class JobFactory:
    """Draws checksum canary jobs from a seeded RNG.

    Args:
        rng: The random source (seed it for reproducible jobs).
        checksum_max_bytes: Largest model or input of a checksum job.
    """

    def __init__(self, rng: random.Random, checksum_max_bytes: int) -> None:
        self._rng = rng
        self._checksum_max = max(1, checksum_max_bytes)
        self._models: list[bytes] = []

    def make(self, job_id: str) -> DemoJob:
        model, data = self._checksum_files()
        output_bytes = len(checksum_output(model, data))
        spec = JobSpec(
            workload=WORKLOAD_CHECKSUM,
            model_size_bytes=len(model),
            input_size_bytes=len(data),
            timeout_sec=120,
            max_output_bytes=max(4096, 4 * output_bytes),
        )
        requirements = TaskRequirements(
            min_vram_gb=0, min_compute_capability="", framework="", fp16=False
        )
        return DemoJob(
            job_id=job_id,
            workload=WORKLOAD_CHECKSUM,
            model=model,
            data=data,
            spec=spec,
            requirements=requirements,
            priority=self._rng.randint(0, 1),
            estimated_duration_sec=1,
        )

    def _checksum_files(self) -> tuple[bytes, bytes]:
        size = self._rng.randint(1, self._checksum_max)
        if self._models and self._rng.random() < 0.5:
            model = self._rng.choice(self._models)
        else:
            model = self._rng.randbytes(size)
            self._models = [*self._models[-(_MODEL_POOL - 1) :], model]
        lines, total = [], 0
        limit = self._rng.randint(1, self._checksum_max)
        while total < limit:
            line = " ".join(self._rng.choices(_WORDS, k=self._rng.randint(1, 12))) + "\n"
            lines.append(line)
            total += len(line)
        return model, "".join(lines).encode("ascii")[:limit]


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
    """Store a job's files and, for a canary, compute its result (blocking: off the loop).

    A text-embedding job has no single correct output: it is checked by sampling (its
    ``expected_sha256`` is empty) against the stored archive ``job.model_sha256``.
    """
    if job.model_sha256 is not None:
        return PreparedJob(job, job.model_sha256, artifacts.put(job.data), "")
    expected = expected_output(job.workload, job.model, job.data)
    return PreparedJob(
        job=job,
        model_sha256=artifacts.put(job.model),
        input_sha256=artifacts.put(job.data),
        expected_sha256=hashlib.sha256(expected).hexdigest(),
    )


def prepare_job(factory: JobFactory, artifacts: ArtifactStore, job_id: str) -> PreparedJob:
    """Draw a canary job and store it (see :func:`store_job`)."""
    return store_job(artifacts, factory.make(job_id))

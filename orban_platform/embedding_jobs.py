"""Real model jobs: text embedding with all-MiniLM-L6-v2 over real sentences, sized per agent.

:func:`open_embedding_source` (blocking, once at start) finds the model folder, stores its
deterministic archive in the artifact store, loads the platform's own
:class:`~.embedding.reference.ReferenceEncoder`, reads the corpus, and computes the vectors of a
pool of canary sentences. :class:`EmbeddingJobFactory` then draws jobs for an agent: 64 to 256
rows in fp32 for an agent whose GPUs are simulated (it computes on the CPU), 1,024 to 4,096 rows
by VRAM on a real GPU (fp16 when the agent reports it), with a few canary rows at random places;
the input is JSON Lines of ``{"id", "text"}``. Imports the job spec, the protocol types and the
embedding reference; nothing from Qt.
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orban_desktop.protocol.jobspec import (
    FRAMEWORK_PYTORCH,
    MODEL_FORMAT_HF_FOLDER_TAR,
    PIPELINE_TEXT_EMBEDDING,
    JobSpec,
    RunnerJob,
)
from orban_desktop.protocol.types import TaskRequirements
from orban_platform.jobs import ArtifactStore, DemoJob

logger = logging.getLogger(__name__)
RUNNER_IMAGE = "orban/runner:0.1.0"
CANARY_POOL = 32
#: Conservative throughputs (rows per second) the pay cap assumes, by where the work runs.
ESTIMATED_ROWS_PER_S = {"cpu": 10.0, "gpu": 400.0}
LOAD_ALLOWANCE_S = 30.0


@dataclass(frozen=True)
class EmbeddingSource:
    """What embedding jobs are made from (prepared once; read-only afterwards)."""

    model_name: str
    archive_sha256: str
    archive_size: int
    encoder: Any  # ReferenceEncoder (imported lazily: numpy and tokenizers)
    corpus: tuple[str, ...]
    canaries: dict[str, Any]  # canary text -> its known vector

    @property
    def dim(self) -> int:
        return int(self.encoder.dim)


def open_embedding_source(model_dir: Path, artifacts: ArtifactStore) -> EmbeddingSource:
    """Prepare the model archive, the reference, the corpus and the canaries. Blocking.

    Raises:
        OSError, ValueError: The folder or the corpus cannot be used (the caller says why).
    """
    from orban_platform.embedding.archive import MODEL_NAME, build_model_archive
    from orban_platform.embedding.corpus import load_corpus
    from orban_platform.embedding.reference import ReferenceEncoder

    scratch = artifacts.root / ".model-archive.tar"
    digest = build_model_archive(model_dir, scratch)
    final = artifacts.root / digest
    if final.exists():
        scratch.unlink()
    else:
        scratch.replace(final)
    corpus = load_corpus()
    if len(corpus) < 2 * CANARY_POOL:
        raise ValueError(f"only {len(corpus)} sentences were found for the corpus")
    encoder = ReferenceEncoder(model_dir)
    chosen = random.Random(0).sample(corpus, CANARY_POOL)
    vectors = encoder.encode(chosen, max_length=256)
    return EmbeddingSource(
        model_name=MODEL_NAME,
        archive_sha256=digest,
        archive_size=final.stat().st_size,
        encoder=encoder,
        corpus=tuple(corpus),
        canaries=dict(zip(chosen, vectors, strict=True)),
    )


@dataclass(frozen=True)
class AgentProfile:
    """What the platform knows of the agent a job is made for."""

    on_cpu: bool
    best_vram_gb: int
    fp16: bool


def job_size(profile: AgentProfile, rng: random.Random) -> tuple[int, str, int]:
    """Rows, precision and batch size for an agent like ``profile``."""
    if profile.on_cpu:
        return rng.randint(64, 256), "fp32", 32
    rows = 1024 if profile.best_vram_gb < 8 else 2048 if profile.best_vram_gb < 24 else 4096
    return rows, "fp16" if profile.fp16 else "fp32", 256


def pay_cap_s(rows: int, on_cpu: bool) -> float:
    """The most compute seconds the platform pays for ``rows`` (its own estimate, ×3)."""
    rate = ESTIMATED_ROWS_PER_S["cpu" if on_cpu else "gpu"]
    return rows / rate * 3 + LOAD_ALLOWANCE_S


class EmbeddingJobFactory:
    """Draws text-embedding jobs from ``source`` with a seeded RNG."""

    def __init__(self, source: EmbeddingSource, rng: random.Random) -> None:
        self.source = source
        self._rng = rng
        self._canary_texts = sorted(source.canaries)

    def make(self, job_id: str, profile: AgentProfile) -> DemoJob:
        rng, source = self._rng, self.source
        rows, precision, batch = job_size(profile, rng)
        texts = rng.sample(source.corpus, min(rows, len(source.corpus)))
        while len(texts) < rows:
            texts.append(rng.choice(source.corpus))
        planted = sorted(rng.sample(range(rows), rng.randint(2, 4)))
        for row in planted:
            texts[row] = rng.choice(self._canary_texts)
        number = job_id.removeprefix("job-")
        lines = [json.dumps({"id": f"r{number}-{i:05d}", "text": t}) for i, t in enumerate(texts)]
        data = ("\n".join(lines) + "\n").encode("utf-8")
        runner = RunnerJob(
            pipeline=PIPELINE_TEXT_EMBEDDING,
            image=RUNNER_IMAGE,
            model_name=source.model_name,
            model_format=MODEL_FORMAT_HF_FOLDER_TAR,
            rows=rows,
            batch_size=batch,
            precision=precision,
            max_length=256,
        )
        spec = JobSpec(
            workload=PIPELINE_TEXT_EMBEDDING,
            model_size_bytes=source.archive_size,
            input_size_bytes=len(data),
            timeout_sec=900,
            max_output_bytes=rows * (source.dim * 4 + 96) + 64 * 1024,
            runner=runner,
        )
        requirements = TaskRequirements(
            min_vram_gb=1,
            min_compute_capability="8.0" if precision == "bf16" else "",
            framework=FRAMEWORK_PYTORCH,
            fp16=precision != "fp32",
        )
        estimate = rows / ESTIMATED_ROWS_PER_S["cpu" if profile.on_cpu else "gpu"]
        return DemoJob(
            job_id=job_id,
            workload=PIPELINE_TEXT_EMBEDDING,
            model=b"",
            data=data,
            spec=spec,
            requirements=requirements,
            priority=1,
            estimated_duration_sec=max(1, round(estimate)),
            model_sha256=source.archive_sha256,
            canary_rows=tuple(planted),
        )

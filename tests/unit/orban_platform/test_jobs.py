"""Canary jobs: results recomputed from the jobspec definition, seeded generation, artifacts."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from orban_desktop.protocol.jobspec import JobSpecError
from orban_platform.jobs import (
    ArtifactStore,
    JobFactory,
    checksum_output,
    expected_output,
    store_job,
)


def test_checksum_output_is_five_lines() -> None:
    out = checksum_output(b"weights", b"a\nb\n").decode().split("\n")
    assert out[:2] == [
        hashlib.sha256(b"weights").hexdigest(),
        hashlib.sha256(b"a\nb\n").hexdigest(),
    ]
    assert out[2] == hashlib.sha256(b"weightsa\nb\n").hexdigest()
    assert out[3:] == ["4", "2", ""]
    with pytest.raises(JobSpecError):
        expected_output("orban/unknown:1", b"", b"")


def _factory(seed: int) -> JobFactory:
    return JobFactory(random.Random(seed), checksum_max_bytes=2048)


def test_jobs_are_reproducible_from_a_seed_and_within_the_spec() -> None:
    assert _factory(5).make("job-1") == _factory(5).make("job-1")
    factory = _factory(9)
    for i in range(40):
        job = factory.make(f"job-{i}")
        assert (job.spec.model_size_bytes, job.spec.input_size_bytes) == (
            len(job.model),
            len(job.data),
        )
        result = expected_output(job.workload, job.model, job.data)
        assert len(result) <= job.spec.max_output_bytes
        assert 1 <= len(job.data) <= 2048
        assert job.requirements.framework == ""  # a canary runs anywhere


def test_artifacts_are_content_addressed(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    digest = store.put(b"model bytes")
    assert digest == hashlib.sha256(b"model bytes").hexdigest()
    assert store.put(b"model bytes") == digest and store.read(digest) == b"model bytes"
    assert store.path("../etc/passwd") is None and store.path("0" * 64) is None
    prepared = store_job(store, _factory(3).make("job-x"))
    assert store.read(prepared.model_sha256) == prepared.job.model
    expected = expected_output(prepared.job.workload, prepared.job.model, prepared.job.data)
    assert prepared.expected_sha256 == hashlib.sha256(expected).hexdigest()

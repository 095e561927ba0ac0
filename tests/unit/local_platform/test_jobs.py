"""Demo jobs: results recomputed from the jobspec definitions, seeded generation, artifacts."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from orban_desktop.jobspec import MATMUL_MAX_ABS, WORKLOAD_CHECKSUM, WORKLOAD_MATMUL, JobSpecError
from orban_desktop.local_platform.jobs import (
    ArtifactStore,
    JobFactory,
    checksum_output,
    expected_output,
    matmul_output,
    parse_matrix,
    prepare_job,
)


def test_checksum_output_is_five_lines() -> None:
    out = checksum_output(b"weights", b"a\nb\n").decode().split("\n")
    assert out[:2] == [
        hashlib.sha256(b"weights").hexdigest(),
        hashlib.sha256(b"a\nb\n").hexdigest(),
    ]
    assert out[2] == hashlib.sha256(b"weightsa\nb\n").hexdigest()
    assert out[3:] == ["4", "2", ""]


def test_matmul_output() -> None:
    assert matmul_output(b"1 2\n3 4\n", b"5\n-6\n") == b"-7\n-9\n"
    assert matmul_output(b"-1000\n", b"1000 0\n") == b"-1000000 0\n"
    with pytest.raises(JobSpecError):
        matmul_output(b"1 2\n", b"1 2\n")
    with pytest.raises(JobSpecError):
        parse_matrix(b"1 2\n3\n")
    with pytest.raises(JobSpecError):
        expected_output("orban/unknown:1", b"", b"")


def _factory(seed: int) -> JobFactory:
    mix = ((WORKLOAD_CHECKSUM, 1), (WORKLOAD_MATMUL, 1))
    return JobFactory(random.Random(seed), mix, checksum_max_bytes=2048, matmul_max_dim=16)


def test_jobs_are_reproducible_from_a_seed_and_within_the_spec() -> None:
    first = [_factory(5).make(f"job-{i}") for i in range(1)]
    again = [_factory(5).make(f"job-{i}") for i in range(1)]
    assert first == again
    factory = _factory(9)
    for i in range(40):
        job = factory.make(f"job-{i}")
        assert (job.spec.model_size_bytes, job.spec.input_size_bytes) == (
            len(job.model),
            len(job.data),
        )
        result = expected_output(job.workload, job.model, job.data)
        assert len(result) <= job.spec.max_output_bytes
        if job.workload == WORKLOAD_MATMUL:
            a, b = parse_matrix(job.model), parse_matrix(job.data)
            assert len(a[0]) == len(b) and max(len(a), len(b), len(b[0])) <= 16
            assert all(abs(x) <= MATMUL_MAX_ABS for row in a + b for x in row)
        else:
            assert 1 <= len(job.data) <= 2048


def test_artifacts_are_content_addressed(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    digest = store.put(b"model bytes")
    assert digest == hashlib.sha256(b"model bytes").hexdigest()
    assert store.put(b"model bytes") == digest and store.read(digest) == b"model bytes"
    assert store.path("../etc/passwd") is None and store.path("0" * 64) is None
    prepared = prepare_job(_factory(3), store, "job-x")
    assert store.read(prepared.model_sha256) == prepared.job.model
    expected = expected_output(prepared.job.workload, prepared.job.model, prepared.job.data)
    assert prepared.expected_sha256 == hashlib.sha256(expected).hexdigest()

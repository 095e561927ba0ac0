"""TaskPayload.config -> JobSpec: only vetted workloads, exact sizes, bounded limits."""

from __future__ import annotations

import pytest

from orban_desktop.jobspec import (
    WORKLOAD_CHECKSUM,
    WORKLOAD_MATMUL,
    JobSpec,
    JobSpecError,
    parse_job_config,
)

BASE = {"workload": WORKLOAD_CHECKSUM, "model_size_bytes": 1, "input_size_bytes": 1}


def test_round_trip() -> None:
    spec = JobSpec(WORKLOAD_MATMUL, model_size_bytes=10, input_size_bytes=20, timeout_sec=30)
    assert parse_job_config(spec.to_config()) == spec


def test_defaults() -> None:
    spec = parse_job_config(BASE)
    assert (spec.timeout_sec, spec.allow_process_sandbox) == (600, True)


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        (None, "JSON object"),
        ({"workload": "rm -rf /"}, "unknown workload"),
        ({"workload": WORKLOAD_CHECKSUM, "input_size_bytes": 1}, "model_size_bytes"),
        ({**BASE, "model_size_bytes": -1}, "between"),
        ({**BASE, "model_size_bytes": "1"}, "integer"),
        ({**BASE, "timeout_sec": 0}, "timeout_sec"),
        ({**BASE, "allow_process_sandbox": "yes"}, "allow_process_sandbox"),
    ],
)
def test_bad_configs(config: object, fragment: str) -> None:
    with pytest.raises(JobSpecError, match=fragment):
        parse_job_config(config)

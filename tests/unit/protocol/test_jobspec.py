"""TaskPayload.config -> JobSpec: only vetted workloads, exact sizes, bounded limits."""

from __future__ import annotations

import pytest

from orban_desktop.protocol.jobspec import (
    MODEL_FORMAT_HF_FOLDER_TAR,
    PIPELINE_TEXT_EMBEDDING,
    WORKLOAD_CHECKSUM,
    JobSpec,
    JobSpecError,
    RunnerJob,
    parse_job_config,
)

BASE = {"workload": WORKLOAD_CHECKSUM, "model_size_bytes": 1, "input_size_bytes": 1}


RUNNER = RunnerJob(
    pipeline=PIPELINE_TEXT_EMBEDDING,
    image="orban/runner:0.1.0",
    model_name="sentence-transformers/all-MiniLM-L6-v2",
    model_format=MODEL_FORMAT_HF_FOLDER_TAR,
    rows=256,
    batch_size=64,
    precision="fp16",
    max_length=128,
)
EMBED = {
    "pipeline": PIPELINE_TEXT_EMBEDDING,
    "runner": "orban/runner:0.1.0",
    "model": {"name": "m", "format": MODEL_FORMAT_HF_FOLDER_TAR},
    "rows": 8,
    "model_size_bytes": 1,
    "input_size_bytes": 1,
}


def test_round_trip() -> None:
    spec = JobSpec(WORKLOAD_CHECKSUM, model_size_bytes=10, input_size_bytes=20, timeout_sec=30)
    assert parse_job_config(spec.to_config()) == spec


def test_a_runner_task_round_trips_in_the_documented_shape() -> None:
    spec = JobSpec(PIPELINE_TEXT_EMBEDDING, 91_000_000, 40_000, runner=RUNNER)
    config = spec.to_config()
    assert config["runner"] == "orban/runner:0.1.0"
    assert config["model"] == {
        "name": "sentence-transformers/all-MiniLM-L6-v2",
        "format": "hf-folder-tar",
    }
    assert "workload" not in config
    assert parse_job_config(config) == spec
    assert parse_job_config(config).is_runner_task


def test_runner_defaults() -> None:
    job = parse_job_config(EMBED).runner
    assert job is not None
    assert (job.batch_size, job.precision, job.max_length) == (64, "fp32", 256)


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"pipeline": "image-gen"}, "unknown pipeline"),
        ({"model": {"name": "m", "format": "onnx"}}, "hf-folder-tar"),
        ({"model": "m"}, "name and format"),
        ({"precision": "int4"}, "precision"),
        ({"rows": 0}, "rows"),
        ({"batch_size": 5000}, "batch_size"),
        ({"runner": "Bad Image"}, "runner"),
        ({"runner": None}, "runner"),
    ],
)
def test_bad_runner_configs(changes: dict[str, object], fragment: str) -> None:
    with pytest.raises(JobSpecError, match=fragment):
        parse_job_config({**EMBED, **changes})


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

"""``TaskExecutor.prepare``: a TASK_ASSIGN is validated with no side effects."""

from __future__ import annotations

from pathlib import Path

import pytest

from orban_desktop.compute.cache import ModelCache
from orban_desktop.compute.executor import WORKLOAD_SCRIPTS, WORKLOADS_DIR, TaskExecutor
from orban_desktop.compute.sandbox.select import SandboxPolicy
from orban_desktop.errors import ValidationFailed
from orban_desktop.protocol.jobspec import WORKLOADS
from tests.unit.compute.factories import job_config, make_assign


@pytest.fixture
def executor(tmp_path: Path) -> TaskExecutor:
    return TaskExecutor(
        cache=ModelCache(tmp_path / "cache", 1 << 20),
        work_root=tmp_path / "work",
        sandbox_policy=SandboxPolicy(preference="process", max_timeout_secs=600),
    )


def test_a_good_assignment_is_prepared_without_touching_the_disk(
    executor: TaskExecutor, tmp_path: Path
) -> None:
    assign = make_assign(
        model_hash="sha256:" + "AB" * 32,
        model_url="http://127.0.0.1:8740/artifacts/model",
        config=job_config(b"model", b"input", timeout_sec=120),
    )
    prepared = executor.prepare(assign)
    assert prepared.task_id == "task-compute-1"
    assert prepared.model_sha256 == "ab" * 32
    assert prepared.model_url == "http://127.0.0.1:8740/artifacts/model"
    assert prepared.spec.model_size_bytes == 5
    assert prepared.timeout_s == 120
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"config": {"workload": "rm -rf /"}}, "unknown workload"),
        ({"config": {"workload": "orban/checksum:1"}}, "model_size_bytes"),
        ({"config": "run anything"}, "JSON object"),
        ({"model_hash": "md5:abc"}, "sha256:<64 hex digits>"),
        ({"model_hash": "sha256:" + "ab" * 31}, "sha256:<64 hex digits>"),
        ({"model_url": "file:///etc/passwd"}, "model URL uses file scheme"),
        ({"input_url": "http://example.com/in"}, "input URL uses plain http"),
        ({"output_url": "https://169.254.169.254/put"}, "output URL points at 169.254"),
        ({"config": job_config(b"m", b"i", timeout_sec=601)}, "at most 600 s"),
    ],
)
def test_a_bad_assignment_is_refused_with_a_reason(
    executor: TaskExecutor, changes: dict[str, object], text: str
) -> None:
    with pytest.raises(ValidationFailed, match=text):
        executor.prepare(make_assign(**changes))  # type: ignore[arg-type]


def test_every_workload_has_its_shipped_script() -> None:
    assert set(WORKLOAD_SCRIPTS) == set(WORKLOADS)
    for script in WORKLOAD_SCRIPTS.values():
        assert (WORKLOADS_DIR / script).is_file()

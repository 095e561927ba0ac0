"""Stage progress as one monotonic fraction, GPU figures, and how a run's ending is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from orban_desktop.compute.metrics import GpuMeter, summarize
from orban_desktop.compute.reporting import StageProgress, raise_for_ending
from orban_desktop.compute.sandbox.base import ResourceLimits, SandboxJob, SandboxRun
from orban_desktop.compute.task import GpuSample, TaskStage
from orban_desktop.errors import OrbanError, OutOfMemory, TaskExecutionFailed, TaskTimeout


def test_progress_is_one_fraction_that_never_goes_back() -> None:
    seen: list[tuple[TaskStage, float]] = []
    progress = StageProgress(lambda stage, value: seen.append((stage, value)))
    progress.enter(TaskStage.DOWNLOADING)
    for fraction in (0.001, 0.5, 0.4, 1.0):
        progress.within(fraction)
    progress.enter(TaskStage.RUNNING)
    progress.enter(TaskStage.UPLOADING)
    progress.within(0.5)
    progress.enter(TaskStage.COMPLETED)
    assert seen == [
        (TaskStage.DOWNLOADING, 0.0),
        (TaskStage.DOWNLOADING, 0.225),
        (TaskStage.DOWNLOADING, 0.45),
        (TaskStage.RUNNING, 0.45),
        (TaskStage.UPLOADING, 0.9),
        (TaskStage.UPLOADING, 0.95),
        (TaskStage.COMPLETED, 1.0),
    ]
    assert str(TaskStage.RUNNING) == "running"  # sent as TASK_PROGRESS stage


def test_a_failing_listener_does_not_fail_the_task(caplog: pytest.LogCaptureFixture) -> None:
    def broken(stage: TaskStage, value: float) -> None:
        raise RuntimeError("listener bug")

    progress = StageProgress(broken)
    progress.enter(TaskStage.RUNNING)
    assert "progress listener failed" in caplog.text


def make_job(tmp_path: Path) -> SandboxJob:
    limits = ResourceLimits(memory_bytes=128 << 20, cpu_cores=1, pids=32, max_output_bytes=4096)
    return SandboxJob("t", tmp_path / "s.sh", tmp_path / "m", tmp_path, tmp_path, 3, limits)


def ending(**changes: object) -> SandboxRun:
    values: dict[str, object] = {
        "sandbox": "process", "exit_code": 0, "signal": None, "timed_out": False,
        "oom_killed": False, "file_limit_hit": False, "duration_s": 1.0,
        "stdout_tail": "", "stderr_tail": "",
    }  # fmt: skip
    values.update(changes)
    return SandboxRun(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "error", "text"),
    [
        ({"timed_out": True, "exit_code": 137}, TaskTimeout, "ran past its 3 s limit"),
        ({"oom_killed": True, "exit_code": 137}, OutOfMemory, "more than its 128 MiB"),
        ({"file_limit_hit": True, "exit_code": 153}, TaskExecutionFailed, "more than 1048576"),
        ({"exit_code": 2, "stderr_tail": "matmul: bad row\n"}, TaskExecutionFailed,
         "exited with status 2 .*matmul: bad row"),
        ({"exit_code": None, "signal": 9}, TaskExecutionFailed, "killed by signal 9"),
    ],
)  # fmt: skip
def test_each_ending_maps_to_its_error(
    tmp_path: Path, changes: dict[str, object], error: type[OrbanError], text: str
) -> None:
    with pytest.raises(error, match=text) as caught:
        raise_for_ending(ending(**changes), make_job(tmp_path), "orban/matmul:1")
    assert caught.value.context["sandbox"] == "process"


def test_a_clean_ending_raises_nothing(tmp_path: Path) -> None:
    raise_for_ending(ending(), make_job(tmp_path), "orban/checksum:1")


def test_timeouts_are_recoverable_and_oom_is_not() -> None:
    assert TaskTimeout.recoverable and not OutOfMemory.recoverable


def test_energy_is_the_integral_of_power() -> None:
    readings = [
        (10.0, GpuSample(50.0, 1 << 30, 100.0)),
        (12.0, GpuSample(100.0, 3 << 30, 200.0)),
        (13.0, GpuSample(None, None, None)),
        (14.0, GpuSample(30.0, 2 << 30, 200.0)),
    ]
    usage = summarize(readings)
    assert usage.avg_utilization_pct == pytest.approx(60.0)
    assert usage.peak_memory_bytes == 3 << 30
    assert usage.energy_kwh == pytest.approx((300 + 400) / 3_600_000)
    assert usage.samples == 4


def test_no_readings_give_no_figures() -> None:
    usage = summarize([(1.0, GpuSample(None, None, None))])
    assert (usage.avg_utilization_pct, usage.peak_memory_bytes, usage.energy_kwh) == (None,) * 3


async def test_the_meter_samples_at_start_and_end_of_a_run() -> None:
    calls: list[int] = []

    def sampler(index: int) -> GpuSample:
        calls.append(index)
        return GpuSample(40.0, 1000 * len(calls), 150.0)

    async with GpuMeter(sampler, 3, interval_s=60) as meter:
        pass
    assert calls == [3, 3]
    assert meter.usage.peak_memory_bytes == 2000
    assert meter.usage.energy_kwh is not None and meter.usage.energy_kwh >= 0


async def test_a_failing_sampler_is_ignored(caplog: pytest.LogCaptureFixture) -> None:
    def sampler(index: int) -> GpuSample:
        raise OSError("NVML gone")

    async with GpuMeter(sampler, 0, interval_s=0.01) as meter:
        pass
    assert meter.usage.samples == 0
    assert "could not be sampled" in caplog.text

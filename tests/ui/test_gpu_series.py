"""The charts' ring: fixed memory from the start, readings in order across the wrap, NaN where a
reading is missing or the GPU is faulty, and a window cut by time."""

from __future__ import annotations

import math

import pytest

from orban_desktop.gpu.device import GIB, GPUFault, GPUStatus
from orban_desktop.protocol.enums import GPUVendor
from orban_desktop.ui.gpu_series import METRIC_KEYS, GpuSeries


def _status(at: float, utilization: float | None = None, **readings: object) -> GPUStatus:
    return GPUStatus(
        0, None, "Test GPU", GPUVendor.NVIDIA, False,
        utilization_pct=utilization, monotonic_ts=at, **readings,  # type: ignore[arg-type]
    )  # fmt: skip


def _buffer_sizes(series: GpuSeries) -> list[int]:
    columns = [series._times, *series._columns.values()]
    return [column.buffer_info()[1] for column in columns]


def test_the_memory_is_taken_once_and_never_grows() -> None:
    series = GpuSeries(100)
    before = _buffer_sizes(series)
    assert before == [100] * (1 + len(METRIC_KEYS))
    for second in range(1000):
        series.add(_status(float(second), float(second % 100)))
    assert _buffer_sizes(series) == before
    assert len(series) == 100


def test_readings_come_out_oldest_first_across_the_wrap() -> None:
    series = GpuSeries(4)
    for second in range(6):
        series.add(_status(float(second), float(second)))
    window = series.window(100.0, 10.0)
    assert list(window.times) == [2.0, 3.0, 4.0, 5.0]
    assert list(window.values["utilization"]) == [2.0, 3.0, 4.0, 5.0]
    assert window.last_value("utilization") == 5.0


def test_the_window_is_cut_by_time() -> None:
    series = GpuSeries(50)
    for second in range(20):
        series.add(_status(float(second), 1.0))
    assert list(series.window(5.0, 15.0).times) == [10.0, 11.0, 12.0, 13.0, 14.0, 15.0]
    assert len(series.window(5.0, 100.0)) == 0


def test_missing_readings_and_faults_are_nan() -> None:
    series = GpuSeries(3)
    series.add(_status(1.0, None, memory_used_bytes=2 * GIB))
    series.add(_status(2.0, 50.0, fault=GPUFault.LOST))
    window = series.window(10.0, 2.0)
    assert math.isnan(window.values["utilization"][0])
    assert window.values["memory"][0] == 2.0
    assert all(math.isnan(window.values[key][1]) for key in METRIC_KEYS)
    assert window.last_value("utilization") is None
    assert window.latest is not None and window.latest.monotonic_ts == 2.0


def test_a_ring_needs_room() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        GpuSeries(0)

"""MetricsAggregator: counts, sums, utilization mean, energy rule, window reset, wire round trip."""

from __future__ import annotations

import pytest

from orban_desktop.agent.metrics import MetricsAggregator
from orban_desktop.money import Money
from orban_desktop.protocol import messages as m
from orban_desktop.protocol.codec import decode_json, encode_json
from orban_desktop.protocol.timestamps import NANOS, WireTime
from tests.unit.agent.snapshots import snapshot

T0 = WireTime.parse("2025-11-28T10:00:00Z")
T1 = WireTime(T0.ns + 300 * NANOS)
T2 = WireTime(T1.ns + 300 * NANOS)


def test_an_empty_window() -> None:
    batch = MetricsAggregator(window_start=T0).batch("agent-1", T1)
    metrics = batch.aggregated_metrics
    assert batch.agent_id == "agent-1"
    assert (batch.time_range.start, batch.time_range.end) == (T0, T1)
    assert (metrics.tasks_completed, metrics.tasks_failed) == (0, 0)
    assert (metrics.total_gpu_hours, metrics.avg_gpu_utilization) == (0.0, 0.0)
    assert metrics.total_energy_kwh == 0.0
    assert metrics.earnings_usd == Money.from_micros(0)


def test_sums_and_counts() -> None:
    aggregator = MetricsAggregator(window_start=T0)
    aggregator.task_completed(1800.0, 0.25)
    aggregator.task_completed(5400.0, 0.5)
    aggregator.task_failed()
    aggregator.earning(103_688)
    aggregator.earning(1_250_000)
    metrics = aggregator.batch("agent-1", T1).aggregated_metrics
    assert (metrics.tasks_completed, metrics.tasks_failed) == (2, 1)
    assert metrics.total_gpu_hours == 2.0
    assert metrics.total_energy_kwh == 0.75
    assert metrics.earnings_usd == Money.from_micros(1_353_688)
    assert metrics.earnings_usd.text == "1.353688"


def test_utilization_is_the_mean_over_samples_that_report_it() -> None:
    aggregator = MetricsAggregator(window_start=T0)
    aggregator.sample([snapshot(0, utilization_pct=100.0), snapshot(1)])  # GPU 1: not reported
    aggregator.sample([snapshot(0, utilization_pct=50.0), snapshot(1, utilization_pct=0.0)])
    assert aggregator.average_utilization == pytest.approx(0.5)
    assert aggregator.batch("a", T1).aggregated_metrics.avg_gpu_utilization == pytest.approx(0.5)


def test_batch_starts_a_new_window() -> None:
    aggregator = MetricsAggregator(window_start=T0)
    aggregator.task_completed(3600.0, 1.0)
    aggregator.earning(5)
    aggregator.sample([snapshot(0, utilization_pct=80.0)])
    aggregator.batch("agent-1", T1)
    second = aggregator.batch("agent-1", T2)
    assert (second.time_range.start, second.time_range.end) == (T1, T2)
    metrics = second.aggregated_metrics
    assert (metrics.tasks_completed, metrics.total_gpu_hours, metrics.total_energy_kwh) == (0, 0, 0)
    assert (metrics.avg_gpu_utilization, metrics.earnings_usd.micros) == (0.0, 0)
    assert aggregator.window_start == T2


def test_a_clock_that_went_back_never_gives_an_inverted_range() -> None:
    batch = MetricsAggregator(window_start=T1).batch("agent-1", T0)
    assert batch.time_range.start == batch.time_range.end == T0


def test_energy_of_a_task_without_its_own_comes_from_its_gpus_power_samples() -> None:
    busy: set[int] = {0}
    aggregator = MetricsAggregator(window_start=T0, busy_indices=lambda: busy)
    # GPU 0 runs a task: 200 W then 400 W over 36 s (trapezoid: 300 W x 36 s = 0.003 kWh).
    # GPU 1 is idle at 100 W: never counted.
    aggregator.sample([snapshot(0, at=0.0, power_w=200.0), snapshot(1, at=0.0, power_w=100.0)])
    aggregator.sample([snapshot(0, at=36.0, power_w=400.0), snapshot(1, at=36.0, power_w=100.0)])
    aggregator.task_completed(36.0, None, gpu_index=0)
    assert aggregator.energy_kwh == pytest.approx(0.003)
    # A task that reports its energy counts that, not the samples (never both).
    aggregator.sample([snapshot(0, at=72.0, power_w=400.0)])  # a new run starts at zero
    aggregator.sample([snapshot(0, at=108.0, power_w=400.0)])
    aggregator.task_completed(36.0, 0.01, gpu_index=0)
    assert aggregator.energy_kwh == pytest.approx(0.013)


def test_sampled_energy_skips_gaps_and_missing_power_and_carries_across_windows() -> None:
    busy: set[int] = {0}
    aggregator = MetricsAggregator(
        window_start=T0, busy_indices=lambda: busy, max_sample_gap_s=60.0
    )
    aggregator.sample([snapshot(0, at=0.0, power_w=360.0)])
    aggregator.sample([snapshot(0, at=500.0, power_w=360.0)])  # a gap: not integrated
    aggregator.sample([snapshot(0, at=510.0)])  # no reading: the one known side counts
    aggregator.sample([snapshot(0, at=520.0)])  # neither side known: nothing
    aggregator.sample([snapshot(0, at=530.0, power_w=360.0)])
    first = aggregator.batch("agent-1", T1)  # the task is still running: nothing yet
    assert first.aggregated_metrics.total_energy_kwh == 0.0
    aggregator.task_failed(gpu_index=0)
    # 360 W x 10 s twice = 7200 J = 0.002 kWh.
    assert aggregator.batch("agent-1", T2).aggregated_metrics.total_energy_kwh == pytest.approx(
        0.002
    )


def test_a_gpu_that_went_idle_starts_its_next_task_at_zero() -> None:
    busy: set[int] = {0}
    aggregator = MetricsAggregator(window_start=T0, busy_indices=lambda: busy)
    aggregator.sample([snapshot(0, at=0.0, power_w=3600.0)])
    aggregator.sample([snapshot(0, at=10.0, power_w=3600.0)])  # 0.01 kWh of an unknown task
    busy.clear()
    aggregator.sample([snapshot(0, at=20.0, power_w=3600.0)])
    busy.add(0)
    aggregator.sample([snapshot(0, at=30.0, power_w=3600.0)])
    aggregator.sample([snapshot(0, at=40.0, power_w=3600.0)])
    aggregator.task_completed(10.0, None, gpu_index=0)
    assert aggregator.energy_kwh == pytest.approx(0.01)


def test_without_busy_gpus_only_reported_energy_counts() -> None:
    aggregator = MetricsAggregator(window_start=T0)
    aggregator.sample([snapshot(0, at=0.0, power_w=300.0)])
    aggregator.sample([snapshot(0, at=10.0, power_w=300.0)])
    aggregator.task_completed(10.0, None, gpu_index=0)
    aggregator.task_completed(10.0, None)
    assert aggregator.energy_kwh == 0.0


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_bad_amounts_are_refused(bad: float) -> None:
    aggregator = MetricsAggregator()
    with pytest.raises(ValueError):
        aggregator.task_completed(bad, None)
    with pytest.raises(ValueError):
        aggregator.task_completed(1.0, bad)
    assert aggregator.tasks_completed == 0


def test_the_batch_encodes_and_decodes_back() -> None:
    aggregator = MetricsAggregator(window_start=T0)
    aggregator.task_completed(1234.5, 0.0421)
    aggregator.task_failed()
    aggregator.earning(103_688)
    aggregator.sample([snapshot(0, utilization_pct=98.0)])
    batch = aggregator.batch("agent-7", T1)
    text = encode_json(batch)
    assert '"earnings_usd":"0.103688"' in text
    assert '"type":"METRICS_BATCH"' in text
    decoded = decode_json(text)
    assert isinstance(decoded, m.MetricsBatch)
    assert decoded == batch
    assert encode_json(decoded) == text

"""A run's energy: the GPU's energy counter where every reading has one, else power over time."""

from __future__ import annotations

from orban_desktop.compute.metrics import summarize
from orban_desktop.compute.task import GpuSample


def test_the_counter_wins_when_every_reading_has_it() -> None:
    readings = [
        (0.0, GpuSample(50.0, 1, 100.0, 1_000_000)),
        (10.0, GpuSample(50.0, 1, 300.0, 4_600_000)),  # 3.6 kJ over the run
    ]
    usage = summarize(readings)
    assert usage.energy_source == "counter"
    assert usage.energy_kwh == 3_600.0 / 3_600_000.0


def test_power_over_time_without_a_counter_or_after_a_reset() -> None:
    power_only = [(0.0, GpuSample(50.0, 1, 100.0)), (10.0, GpuSample(50.0, 1, 300.0))]
    assert summarize(power_only).energy_source == "power"
    assert summarize(power_only).energy_kwh == 2_000.0 / 3_600_000.0  # trapezoid: 200 W x 10 s
    reset = [(0.0, GpuSample(50.0, 1, 100.0, 9_000)), (10.0, GpuSample(50.0, 1, 300.0, 10))]
    assert summarize(reset).energy_source == "power"


def test_no_reading_no_energy() -> None:
    usage = summarize([(0.0, GpuSample(None, None, None))])
    assert (usage.energy_kwh, usage.energy_source) == (None, None)

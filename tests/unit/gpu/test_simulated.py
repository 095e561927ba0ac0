"""Simulated GPUs: labelled as such, deterministic, and reacting to load."""

from __future__ import annotations

from dataclasses import asdict

from orban_desktop.gpu.device import GPUDevice, GPUProcess
from orban_desktop.gpu.simulated import SIMULATED_GPU_NAME, SimulatedGPU


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def readings(gpu: SimulatedGPU) -> dict[str, object]:
    data = asdict(gpu.status())
    del data["monotonic_ts"], data["sampled_at"]
    return data


def test_it_is_named_and_flagged_as_simulated_everywhere():
    gpu = SimulatedGPU(2)
    assert isinstance(gpu, GPUDevice)
    assert gpu.simulated and gpu.facts().simulated and gpu.status().simulated
    assert gpu.name() == gpu.status().name == SIMULATED_GPU_NAME == "Simulated GPU"
    assert gpu.uuid() == "SIMULATED-GPU-2"


def test_same_clock_same_readings():
    clock_a, clock_b = FakeClock(), FakeClock()
    a, b = SimulatedGPU(0, clock=clock_a), SimulatedGPU(0, clock=clock_b)
    for step in (0.0, 5.0, 30.0):
        clock_a.now += step
        clock_b.now += step
        if step == 5.0:
            a.set_busy(True)
            b.set_busy(True)
        assert readings(a) == readings(b)


def test_load_raises_every_reading_and_release_lowers_them():
    clock = FakeClock()
    gpu = SimulatedGPU(0, clock=clock)
    idle = gpu.status()
    gpu.set_busy(True)
    clock.now += 5.0
    warming = gpu.status()
    clock.now += 120.0
    hot = gpu.status()
    assert idle.utilization_pct is not None and idle.utilization_pct < 5
    assert warming.utilization_pct is not None and warming.utilization_pct > 80
    for field in ("utilization_pct", "memory_used_bytes", "temperature_c", "power_w"):
        assert getattr(idle, field) < getattr(warming, field) <= getattr(hot, field), field
    assert hot.temperature_c is not None and hot.temperature_c > 70
    gpu.set_busy(False)
    clock.now += 120.0
    cooled = gpu.status()
    assert cooled.temperature_c is not None and cooled.temperature_c < 40
    assert cooled.memory_free_bytes == hot.memory_total_bytes - cooled.memory_used_bytes  # type: ignore[operator]


def test_readings_stay_in_range():
    clock = FakeClock()
    gpu = SimulatedGPU(1, clock=clock)
    gpu.set_busy(True)
    for _ in range(50):
        clock.now += 3.7
        s = gpu.status()
        assert 0 <= s.utilization_pct <= 100  # type: ignore[operator]
        assert 0 < s.memory_used_bytes < s.memory_total_bytes  # type: ignore[operator]
        assert s.power_w <= s.power_limit_w  # type: ignore[operator]


def test_injected_processes_are_listed_for_pause_demos():
    gpu = SimulatedGPU(0)
    game = GPUProcess(gpu_index=0, pid=4242, name="game.exe", kind="graphics", used_memory_bytes=1)
    gpu.add_process(game)
    assert gpu.processes() == [game]
    gpu.clear_processes()
    assert gpu.processes() == []

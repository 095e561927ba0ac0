"""Simulated GPUs: deterministic, plausible telemetry that reacts to load.

Used by tests, the demo and machines without a GPU, and only when explicitly asked for (config
or ``--simulate-gpus N``). Every simulated device is named "Simulated GPU", has ``simulated``
set and a UUID that says so, so no screen or message can pass it off as real hardware.
Readings are pure functions of the injected clock and of when the device was busy: while a
task holds it, utilisation and memory rise within seconds, temperature, power and fan within
tens of seconds, and all fall back once released. It reports vendor NVIDIA and compute
capability 8.9 (configurable) so demo tasks with CUDA requirements can be matched. No Qt.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from orban_desktop.gpu.device import GIB, BaseGPUDevice, GPUFacts, GPUProcess, GPUStatus
from orban_desktop.protocol.enums import GPUVendor

SIMULATED_GPU_NAME = "Simulated GPU"


@dataclass(frozen=True, slots=True)
class SimulatedProfile:
    """The simulated card's ratings (an Ada-class 24 GiB card by default)."""

    memory_total_bytes: int = 24 * GIB
    idle_memory_bytes: int = GIB // 2
    busy_memory_fraction: float = 0.6
    idle_power_w: float = 25.0
    max_power_w: float = 300.0
    idle_temperature_c: float = 34.0
    max_temperature_c: float = 76.0
    compute_capability: str = "8.9"
    cuda_cores: int = 16384
    pcie_bandwidth_gbps: int = 32
    load_time_constant_s: float = 2.0
    heat_time_constant_s: float = 20.0


class SimulatedGPU(BaseGPUDevice):
    """A GPU that exists only in software. ``set_busy`` is how the detector loads it."""

    def __init__(
        self,
        index: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        profile: SimulatedProfile | None = None,
    ) -> None:
        super().__init__(index, GPUVendor.NVIDIA)
        self._clock = clock
        self.profile = profile or SimulatedProfile()
        self._lock = threading.Lock()
        self._busy = False
        self._load = 0.0  # fast state: utilisation and memory follow it
        self._heat = 0.0  # slow state: temperature, power and fan follow it
        self._last = clock()
        self._processes: list[GPUProcess] = []
        p = self.profile
        self._facts = GPUFacts(
            index=index,
            vendor=self.vendor,
            name=SIMULATED_GPU_NAME,
            uuid=f"SIMULATED-GPU-{index}",
            memory_total_bytes=p.memory_total_bytes,
            compute_capability=p.compute_capability,
            cuda_cores=p.cuda_cores,
            pcie_bandwidth_gbps=p.pcie_bandwidth_gbps,
            driver_version="simulated",
            simulated=True,
        )

    @property
    def simulated(self) -> bool:
        return True

    def facts(self) -> GPUFacts:
        return self._facts

    def set_busy(self, busy: bool) -> None:
        with self._lock:
            self._advance()
            self._busy = busy

    def add_process(self, process: GPUProcess) -> None:
        """Pretend another program (a game) uses this GPU, for demos and tests."""
        with self._lock:
            self._processes.append(process)

    def clear_processes(self) -> None:
        with self._lock:
            self._processes.clear()

    def processes(self) -> list[GPUProcess]:
        with self._lock:
            return list(self._processes)

    def _advance(self) -> float:
        now = self._clock()
        dt = max(now - self._last, 0.0)
        self._last = now
        target = 1.0 if self._busy else 0.0
        p = self.profile
        self._load += (target - self._load) * (1.0 - math.exp(-dt / p.load_time_constant_s))
        self._heat += (target - self._heat) * (1.0 - math.exp(-dt / p.heat_time_constant_s))
        return now

    def status(self) -> GPUStatus:
        with self._lock:
            now = self._advance()
            load, heat = self._load, self._heat
        p = self.profile
        wobble = 0.5 + 0.5 * math.sin(0.7 * now + self.index)  # deterministic jitter
        used = round(
            p.idle_memory_bytes
            + load * (p.busy_memory_fraction * p.memory_total_bytes - p.idle_memory_bytes)
        )
        return GPUStatus.of(
            self.facts(),
            utilization_pct=round(min(1.0 + 93.0 * load + 4.0 * wobble * load, 100.0), 1),
            memory_utilization_pct=round(60.0 * load, 1),
            memory_total_bytes=p.memory_total_bytes,
            memory_used_bytes=used,
            memory_free_bytes=p.memory_total_bytes - used,
            temperature_c=round(
                p.idle_temperature_c + heat * (p.max_temperature_c - p.idle_temperature_c), 1
            ),
            power_w=round(
                p.idle_power_w + (p.max_power_w - p.idle_power_w) * (0.7 * load + 0.3 * heat), 1
            ),
            power_limit_w=p.max_power_w,
            fan_speed_pct=round(30.0 + 55.0 * heat, 1),
        )

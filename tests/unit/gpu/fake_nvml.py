"""A fake ``pynvml`` module whose GPUs are recorded ``nvidia-smi -q -x`` outputs.

Values come from ``parse_nvidia_smi_xml`` over the fixtures; a value nvidia-smi printed as
``N/A`` raises NVML's NotSupported, as the real library does. Error classes and constants are
the real pynvml's (the package is installed; only its shared library is missing here), so the
backend's error mapping is checked against the real class hierarchy. ``fail`` injects an NVML
error code per function; ``calls`` counts every call.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pynvml

from orban_desktop.gpu.nvidia_smi_xml import SmiGpu, parse_nvidia_smi_xml

#: Public facts about the recorded models that nvidia-smi -q does not print.
COMPUTE_CAPABILITY = {
    "Tesla T4": (7, 5),
    "NVIDIA GeForce RTX 3090": (8, 6),
    "NVIDIA A100-SXM4-80GB": (8, 0),
    "NVIDIA RTX A5000": (8, 6),
}
#: NVML's nvmlDeviceGetNumGpuCores where the fake reports it (Ampere and newer).
NUM_CORES = {"NVIDIA GeForce RTX 3090": 10496, "NVIDIA RTX A5000": 8192}
#: SM counts for the architecture-table path (T4: 40 SMs x 64 = 2560 cores).
SM_COUNT = {"Tesla T4": 40}


@dataclass
class Handle:
    gpu: SmiGpu


class FakeNvml:
    """Module-like object with the slice of pynvml's API the backend uses."""

    def __init__(self, gpus: list[SmiGpu], *, init_error: int | None = None) -> None:
        for name in dir(pynvml):
            if name.startswith(("NVMLError", "NVML_ERROR_")) or name == "NVML_TEMPERATURE_GPU":
                setattr(self, name, getattr(pynvml, name))
        self.gpus = gpus
        self.init_error = init_error
        self.fail: dict[str, int] = {}
        self.calls: Counter[str] = Counter()
        self.process_names = {p.pid: p.name for g in gpus for p in g.processes}
        #: GPU index -> its total energy counter in millijoules (absent: NotSupported, as on
        #: GPUs before Volta); tests advance it.
        self.energy_mj: dict[int, int] = {}

    @classmethod
    def from_xml(cls, path: Path, **kwargs: Any) -> FakeNvml:
        return cls(parse_nvidia_smi_xml(path.read_bytes()), **kwargs)

    def _call(self, name: str) -> None:
        self.calls[name] += 1
        if name in self.fail:
            raise pynvml.NVMLError(self.fail[name])

    @staticmethod
    def _value(value: Any) -> Any:
        if value is None:
            raise pynvml.NVMLError(pynvml.NVML_ERROR_NOT_SUPPORTED)
        return value

    def nvmlInit(self) -> None:
        self._call("nvmlInit")
        if self.init_error is not None:
            raise pynvml.NVMLError(self.init_error)

    def nvmlShutdown(self) -> None:
        self._call("nvmlShutdown")

    def nvmlDeviceGetCount(self) -> int:
        self._call("nvmlDeviceGetCount")
        return len(self.gpus)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> Handle:
        self._call("nvmlDeviceGetHandleByIndex")
        return Handle(self.gpus[index])

    def nvmlSystemGetDriverVersion(self) -> str:
        self._call("nvmlSystemGetDriverVersion")
        return self._value(self.gpus[0].driver_version if self.gpus else None)

    def nvmlDeviceGetName(self, h: Handle) -> str:
        self._call("nvmlDeviceGetName")
        return h.gpu.name

    def nvmlDeviceGetUUID(self, h: Handle) -> str:
        self._call("nvmlDeviceGetUUID")
        return self._value(h.gpu.uuid)

    def nvmlDeviceGetPciInfo(self, h: Handle) -> SimpleNamespace:
        self._call("nvmlDeviceGetPciInfo")
        return SimpleNamespace(busId=h.gpu.pci_bus_id.encode())

    def nvmlDeviceGetMemoryInfo(self, h: Handle) -> SimpleNamespace:
        self._call("nvmlDeviceGetMemoryInfo")
        g = h.gpu
        self._value(g.memory_total_bytes)
        return SimpleNamespace(
            total=g.memory_total_bytes, used=g.memory_used_bytes, free=g.memory_free_bytes
        )

    def nvmlDeviceGetUtilizationRates(self, h: Handle) -> SimpleNamespace:
        self._call("nvmlDeviceGetUtilizationRates")
        gpu = self._value(h.gpu.utilization_gpu_pct)
        return SimpleNamespace(gpu=int(gpu), memory=int(self._value(h.gpu.utilization_memory_pct)))

    def nvmlDeviceGetTemperature(self, h: Handle, sensor: int) -> int:
        self._call("nvmlDeviceGetTemperature")
        assert sensor == pynvml.NVML_TEMPERATURE_GPU
        return int(self._value(h.gpu.temperature_c))

    def nvmlDeviceGetPowerUsage(self, h: Handle) -> int:
        self._call("nvmlDeviceGetPowerUsage")
        return round(self._value(h.gpu.power_draw_w) * 1000)

    def nvmlDeviceGetTotalEnergyConsumption(self, h: Handle) -> int:
        self._call("nvmlDeviceGetTotalEnergyConsumption")
        return int(self._value(self.energy_mj.get(self.gpus.index(h.gpu))))

    def nvmlDeviceGetEnforcedPowerLimit(self, h: Handle) -> int:
        self._call("nvmlDeviceGetEnforcedPowerLimit")
        return round(self._value(h.gpu.power_limit_w) * 1000)

    def nvmlDeviceGetFanSpeed(self, h: Handle) -> int:
        self._call("nvmlDeviceGetFanSpeed")
        return int(self._value(h.gpu.fan_speed_pct))

    def nvmlDeviceGetCudaComputeCapability(self, h: Handle) -> tuple[int, int]:
        self._call("nvmlDeviceGetCudaComputeCapability")
        return self._value(COMPUTE_CAPABILITY.get(h.gpu.name))

    def nvmlDeviceGetNumGpuCores(self, h: Handle) -> int:
        self._call("nvmlDeviceGetNumGpuCores")
        return self._value(NUM_CORES.get(h.gpu.name))

    def nvmlDeviceGetAttributes_v2(self, h: Handle) -> SimpleNamespace:
        self._call("nvmlDeviceGetAttributes_v2")
        return SimpleNamespace(multiprocessorCount=self._value(SM_COUNT.get(h.gpu.name)))

    def nvmlDeviceGetMaxPcieLinkGeneration(self, h: Handle) -> int:
        self._call("nvmlDeviceGetMaxPcieLinkGeneration")
        return self._value(h.gpu.pcie_max_generation)

    def nvmlDeviceGetMaxPcieLinkWidth(self, h: Handle) -> int:
        self._call("nvmlDeviceGetMaxPcieLinkWidth")
        return self._value(h.gpu.pcie_max_width)

    def _procs(self, h: Handle, letter: str) -> list[SimpleNamespace]:
        return [
            SimpleNamespace(pid=p.pid, usedGpuMemory=p.used_memory_bytes)
            for p in h.gpu.processes
            if letter in p.kind
        ]

    def nvmlDeviceGetComputeRunningProcesses(self, h: Handle) -> list[SimpleNamespace]:
        self._call("nvmlDeviceGetComputeRunningProcesses")
        return self._procs(h, "C")

    def nvmlDeviceGetGraphicsRunningProcesses(self, h: Handle) -> list[SimpleNamespace]:
        self._call("nvmlDeviceGetGraphicsRunningProcesses")
        return self._procs(h, "G")

    def nvmlSystemGetProcessName(self, pid: int) -> str:
        self._call("nvmlSystemGetProcessName")
        if pid not in self.process_names:
            raise pynvml.NVMLError(pynvml.NVML_ERROR_NOT_FOUND)
        return self.process_names[pid]

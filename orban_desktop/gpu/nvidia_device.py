"""One NVIDIA GPU read through an ``NvidiaBackend`` (which maps every NVML error).

Static facts (name, UUID, compute capability, CUDA cores, PCIe bandwidth) are read once;
``status()`` reads all telemetry in one go; ``processes()`` lists the compute and graphics
processes NVML sees, for foreign-process detection. Imports no Qt and never imports pynvml
itself: the backend owns the module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orban_desktop.gpu.arch import cuda_cores, format_compute_capability
from orban_desktop.gpu.arch import pcie_bandwidth_for_generation as pcie_gbps
from orban_desktop.gpu.device import BaseGPUDevice, GPUFacts, GPUProcess, GPUStatus
from orban_desktop.gpu.pow import PowSolution
from orban_desktop.gpu.pow_cuda import solve_pow_preferring_cuda
from orban_desktop.protocol.enums import GPUVendor

if TYPE_CHECKING:
    from orban_desktop.gpu.nvidia import NvidiaBackend


def nvml_text(value: Any) -> str | None:
    """NVML strings arrive as ``bytes`` from older pynvml versions and ``str`` from newer."""
    if value is None:
        return None
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _watts(milliwatts: Any) -> float | None:
    return None if milliwatts is None else int(milliwatts) / 1000.0


def _millijoules(value: Any) -> int | None:
    return None if value is None else int(value)


class NvidiaDevice(BaseGPUDevice):
    """An NVML device. ``index`` is the agent's index; ``nvml_index`` is NVML's (= CUDA's with
    ``CUDA_DEVICE_ORDER=PCI_BUS_ID``)."""

    def __init__(self, backend: NvidiaBackend, *, nvml_index: int, handle: Any, index: int):
        super().__init__(index, GPUVendor.NVIDIA)
        self._backend = backend
        self.nvml_index = nvml_index
        self._handle = handle
        self._facts: GPUFacts | None = None

    def _q(self, function: str, *args: Any) -> Any | None:
        return self._backend.query(function, self._handle, *args, gpu=self.nvml_index)

    def facts(self) -> GPUFacts:
        if self._facts is None:
            memory = self._q("nvmlDeviceGetMemoryInfo")
            cc = self._q("nvmlDeviceGetCudaComputeCapability")
            cc_pair = (int(cc[0]), int(cc[1])) if cc is not None else None
            gen = self._q("nvmlDeviceGetMaxPcieLinkGeneration")
            width = self._q("nvmlDeviceGetMaxPcieLinkWidth")
            pci = self._q("nvmlDeviceGetPciInfo")
            self._facts = GPUFacts(
                index=self.index,
                vendor=GPUVendor.NVIDIA,
                name=nvml_text(self._q("nvmlDeviceGetName")) or "NVIDIA GPU",
                uuid=nvml_text(self._q("nvmlDeviceGetUUID")),
                memory_total_bytes=None if memory is None else int(memory.total),
                compute_capability=None if cc_pair is None else format_compute_capability(*cc_pair),
                cuda_cores=self._cuda_cores(cc_pair),
                pcie_bandwidth_gbps=None if gen is None or width is None else pcie_gbps(gen, width),
                driver_version=self._backend.driver_version,
                pci_bus_id=None if pci is None else nvml_text(getattr(pci, "busId", None)),
            )
        return self._facts

    def _cuda_cores(self, cc: tuple[int, int] | None) -> int | None:
        """NVML's own count where the driver has it, else SMs x cores-per-SM from the table."""
        count = self._q("nvmlDeviceGetNumGpuCores")
        if count is not None:
            return int(count)
        attributes = self._q("nvmlDeviceGetAttributes_v2")
        sm_count = getattr(attributes, "multiprocessorCount", None)
        if cc is None or sm_count is None:
            return None
        return cuda_cores(cc, int(sm_count))

    def status(self) -> GPUStatus:
        facts = self.facts()
        memory = self._q("nvmlDeviceGetMemoryInfo")
        rates = self._q("nvmlDeviceGetUtilizationRates")
        sensor = getattr(self._backend.nvml, "NVML_TEMPERATURE_GPU", 0)
        temperature = self._q("nvmlDeviceGetTemperature", sensor)
        fan = self._q("nvmlDeviceGetFanSpeed")
        return GPUStatus.of(
            facts,
            utilization_pct=None if rates is None else float(rates.gpu),
            memory_utilization_pct=None if rates is None else float(rates.memory),
            memory_total_bytes=None if memory is None else int(memory.total),
            memory_used_bytes=None if memory is None else int(memory.used),
            memory_free_bytes=None if memory is None else int(memory.free),
            temperature_c=None if temperature is None else float(temperature),
            power_w=_watts(self._q("nvmlDeviceGetPowerUsage")),
            power_limit_w=_watts(self._q("nvmlDeviceGetEnforcedPowerLimit")),
            energy_total_mj=_millijoules(self._q("nvmlDeviceGetTotalEnergyConsumption")),
            fan_speed_pct=None if fan is None else float(fan),
        )

    def processes(self) -> list[GPUProcess]:
        found: list[GPUProcess] = []
        for kind, function in (
            ("compute", "nvmlDeviceGetComputeRunningProcesses"),
            ("graphics", "nvmlDeviceGetGraphicsRunningProcesses"),
        ):
            for proc in self._q(function) or []:
                pid = int(proc.pid)
                used = getattr(proc, "usedGpuMemory", None)
                found.append(
                    GPUProcess(
                        gpu_index=self.index,
                        pid=pid,
                        name=nvml_text(self._backend.query("nvmlSystemGetProcessName", pid)),
                        kind=kind,
                        used_memory_bytes=None if used is None else int(used),
                    )
                )
        return found

    def compute_pow(self, challenge: bytes, difficulty: int) -> PowSolution:
        """On this GPU with CUDA where CuPy is installed, else on all CPU cores. Blocking."""
        return solve_pow_preferring_cuda(challenge, difficulty)

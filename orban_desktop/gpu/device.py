"""The device abstraction: what every GPU reader (NVIDIA, AMD, Apple, simulated) offers.

``GPUDevice`` is the seed's trait as a ``Protocol``; ``BaseGPUDevice`` implements the seed's
per-metric methods on top of the two that each reader writes: ``facts()`` (static, cached) and
``status()`` (one ``GPUStatus`` snapshot read in one go). A metric a driver does not report is
``None``, never an exception and never a made-up 0; a device that fails (lost GPU) raises
``GPUError`` from ``status()``. Imports no Qt, no config, no protocol messages.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from orban_desktop.gpu.pow import PowSolution, solve_pow
from orban_desktop.protocol.enums import GPUVendor

GIB = 1024**3


class GPUFault(StrEnum):
    """Why a snapshot carries no telemetry (codes, not user text)."""

    LOST = "gpu_lost"
    ERROR = "gpu_error"


@dataclass(frozen=True, slots=True)
class GPUFacts:
    """What does not change while the agent runs. ``pcie_bandwidth_gbps``: GB/s, one way."""

    index: int
    vendor: GPUVendor
    name: str
    uuid: str | None
    memory_total_bytes: int | None
    compute_capability: str | None = None
    cuda_cores: int | None = None
    pcie_bandwidth_gbps: int | None = None
    driver_version: str | None = None
    pci_bus_id: str | None = None
    simulated: bool = False


@dataclass(frozen=True, slots=True)
class GPUStatus:
    """One telemetry snapshot of one device; every reading is ``None`` when not reported."""

    index: int
    uuid: str | None
    name: str
    vendor: GPUVendor
    simulated: bool
    utilization_pct: float | None = None
    memory_utilization_pct: float | None = None
    memory_total_bytes: int | None = None
    memory_used_bytes: int | None = None
    memory_free_bytes: int | None = None
    temperature_c: float | None = None
    power_w: float | None = None
    power_limit_w: float | None = None
    #: NVML's total energy counter, millijoules since the driver loaded (Volta and later).
    energy_total_mj: int | None = None
    fan_speed_pct: float | None = None
    fault: GPUFault | None = None
    monotonic_ts: float = field(default_factory=time.monotonic)
    sampled_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def of(cls, facts: GPUFacts, **readings: object) -> GPUStatus:
        """A snapshot stamped now, with identity taken from ``facts``."""
        return cls(
            index=facts.index,
            uuid=facts.uuid,
            name=facts.name,
            vendor=facts.vendor,
            simulated=facts.simulated,
            **readings,  # type: ignore[arg-type]
        )


@dataclass(frozen=True, slots=True)
class GPUProcess:
    """A process holding a GPU. ``kind`` is ``"compute"`` or ``"graphics"``."""

    gpu_index: int
    pid: int
    name: str | None
    kind: str
    used_memory_bytes: int | None


@runtime_checkable
class GPUDevice(Protocol):
    """A GPU: ``facts()`` (what does not change), ``status()`` (one snapshot), ``processes()``.

    The seed's trait had one method per reading; readings come from one ``status()`` call, so
    a caller sees one consistent snapshot (``name()`` and ``uuid()`` remain, from ``facts()``).
    """

    @property
    def index(self) -> int: ...
    @property
    def vendor(self) -> GPUVendor: ...
    @property
    def simulated(self) -> bool: ...
    def facts(self) -> GPUFacts: ...
    def status(self) -> GPUStatus: ...
    def processes(self) -> list[GPUProcess]: ...
    def name(self) -> str: ...
    def uuid(self) -> str | None: ...
    def compute_pow(self, challenge: bytes, difficulty: int) -> PowSolution: ...


@runtime_checkable
class LoadAware(Protocol):
    """A device told when a task holds it (simulated GPUs use it to warm up)."""

    def set_busy(self, busy: bool) -> None: ...


class BaseGPUDevice(ABC):
    """Implements the seed's per-metric methods from ``facts()`` and ``status()``.

    Each per-metric method takes a fresh snapshot; callers that want several readings should
    call ``status()`` once.
    """

    def __init__(self, index: int, vendor: GPUVendor) -> None:
        self._index = index
        self._vendor = vendor

    @property
    def index(self) -> int:
        return self._index

    @property
    def vendor(self) -> GPUVendor:
        return self._vendor

    @property
    def simulated(self) -> bool:
        return False

    @abstractmethod
    def facts(self) -> GPUFacts:
        """Static facts, read once and cached by the implementation."""

    @abstractmethod
    def status(self) -> GPUStatus:
        """One snapshot. Raises: GPUError when the device cannot be read at all."""

    def processes(self) -> list[GPUProcess]:
        """Processes using this GPU; empty where the driver does not tell."""
        return []

    def name(self) -> str:
        return self.facts().name

    def uuid(self) -> str | None:
        return self.facts().uuid

    def compute_pow(self, challenge: bytes, difficulty: int) -> PowSolution:
        """Solve a PoW challenge on the CPU (blocking: call it off the event loop)."""
        return solve_pow(challenge, difficulty)

"""The machine's hardware summary, mirroring upstream's ``HardwareInfo`` (``types.rs``).

GPUs come from the detector's facts; the CPU from ``/proc/cpuinfo`` and ``os.cpu_count()``;
memory from ``sysconf``; storage from ``shutil.disk_usage`` of the agent's data directory.
Fields upstream declares required but a GPU may not know (``compute_capability``,
``pcie_bandwidth_gbps``) are ``None`` here; the message layer writes upstream's ``""`` / ``0``.
Builds no protocol message; imports no Qt.
"""

from __future__ import annotations

import os
import platform
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from orban_desktop.gpu.device import GIB, GPUFacts
from orban_desktop.protocol.enums import GPUVendor

DEFAULT_CPUINFO = Path("/proc/cpuinfo")
_MODEL_KEYS = ("model name", "Model", "Hardware", "cpu model", "Processor")


@dataclass(frozen=True, slots=True)
class GPUInfo:
    index: int
    vendor: GPUVendor
    model: str
    vram_gb: int
    compute_capability: str | None
    cuda_cores: int | None
    pcie_bandwidth_gbps: int | None
    simulated: bool = False


@dataclass(frozen=True, slots=True)
class CPUInfo:
    model: str
    cores: int
    threads: int


@dataclass(frozen=True, slots=True)
class HardwareInfo:
    gpus: tuple[GPUInfo, ...]
    cpu: CPUInfo
    memory_gb: int
    storage_available_gb: int


def gpu_info(facts: GPUFacts) -> GPUInfo:
    """Upstream's GPUInfo; ``vram_gb`` is the total in GiB, rounded (24564 MiB -> 24)."""
    total = facts.memory_total_bytes
    return GPUInfo(
        index=facts.index,
        vendor=facts.vendor,
        model=facts.name,
        vram_gb=0 if total is None else round(total / GIB),
        compute_capability=facts.compute_capability,
        cuda_cores=facts.cuda_cores,
        pcie_bandwidth_gbps=facts.pcie_bandwidth_gbps,
        simulated=facts.simulated,
    )


def read_cpu_info(cpuinfo: Path = DEFAULT_CPUINFO) -> CPUInfo:
    """Model and physical cores from ``cpuinfo`` (when readable), threads from the OS."""
    threads = os.cpu_count() or 1
    model = ""
    cores: set[tuple[str, str]] = set()
    physical_id = "0"
    try:
        lines = cpuinfo.read_text(errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        key, _, value = (part.strip() for part in line.partition(":"))
        if key in _MODEL_KEYS and not model:
            model = value
        elif key == "physical id":
            physical_id = value
        elif key == "core id":
            cores.add((physical_id, value))
    return CPUInfo(
        model=model or platform.processor() or platform.machine() or "unknown CPU",
        cores=len(cores) or threads,
        threads=threads,
    )


def total_memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def storage_available_bytes(data_dir: Path) -> int:
    """Free bytes on the file system holding ``data_dir`` (or its nearest existing parent)."""
    path = data_dir
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def collect_hardware_info(
    gpus: Iterable[GPUFacts], data_dir: Path, *, cpuinfo: Path = DEFAULT_CPUINFO
) -> HardwareInfo:
    memory = total_memory_bytes()
    return HardwareInfo(
        gpus=tuple(gpu_info(facts) for facts in gpus),
        cpu=read_cpu_info(cpuinfo),
        memory_gb=0 if memory is None else round(memory / GIB),
        storage_available_gb=storage_available_bytes(data_dir) // GIB,
    )

"""Build AGENT_REGISTER from what the GPU layer found and what the owner configured.

Upstream's struct has no "unknown": a compute capability the vendor does not have is sent as
``""``, a PCIe bandwidth that cannot be read as ``0``. Simulated GPUs are registered as what they
are (model "Simulated GPU ...", vendor NVIDIA so platforms route demo work to them) and never
claim real hardware. Compute capabilities are compared as numbers ("10.0" is above "5.3").
Imports nothing from Qt.
"""

from __future__ import annotations

import locale

from orban_desktop.gpu import hardware as hw
from orban_desktop.gpu.requirements import compute_capability_meets
from orban_desktop.protocol import messages as m
from orban_desktop.protocol import types as t

#: What every agent runs: the canary workloads it ships.
CANARY_FRAMEWORK = "orban-demo"
#: Added when the runner works here (a runner image or a runner environment).
RUNNER_FRAMEWORKS = ("pytorch",)


def _country() -> str:
    """Two-letter country from the user's locale (``zh_TW.UTF-8`` -> ``TW``), else ``ZZ``."""
    name = locale.getlocale()[0] or ""
    parts = name.replace("-", "_").split("_")
    return parts[1][:2].upper() if len(parts) > 1 and len(parts[1]) >= 2 else "ZZ"


def _at_least(gpu: hw.GPUInfo, capability: str) -> bool:
    """NVIDIA by compute capability; AMD and Apple GPUs (no CC) all do FP16/INT8."""
    return gpu.compute_capability is None or compute_capability_meets(
        gpu.compute_capability, capability
    )


def build_register(
    agent_id: str,
    info: hw.HardwareInfo,
    *,
    hours_per_day: int,
    reliability_score: float,
    latency_ms: int = 0,
    max_batch_size: int = 1,
    runner_available: bool = False,
) -> m.AgentRegister:
    """AGENT_REGISTER; ``supported_frameworks`` lists ``pytorch`` only when the runner works."""
    frameworks = [CANARY_FRAMEWORK, *(RUNNER_FRAMEWORKS if runner_available else ())]
    gpus = [
        t.GPUInfo(
            index=gpu.index,
            vendor=gpu.vendor,
            model=gpu.model,
            vram_gb=gpu.vram_gb,
            compute_capability=gpu.compute_capability or "",
            cuda_cores=gpu.cuda_cores,
            pcie_bandwidth_gbps=gpu.pcie_bandwidth_gbps or 0,
        )
        for gpu in info.gpus
    ]
    return m.AgentRegister(
        agent_id=agent_id,
        hardware=t.HardwareInfo(
            gpus=gpus,
            cpu=t.CPUInfo(model=info.cpu.model, cores=info.cpu.cores, threads=info.cpu.threads),
            memory_gb=info.memory_gb,
            storage_available_gb=info.storage_available_gb,
        ),
        capabilities=t.Capabilities(
            supported_frameworks=frameworks,
            max_batch_size=max_batch_size,
            fp16_support=any(_at_least(g, "5.3") for g in info.gpus),
            int8_support=any(_at_least(g, "6.1") for g in info.gpus),
        ),
        location=t.Location(country=_country(), region="local", latency_to_platform_ms=latency_ms),
        availability=t.Availability(
            hours_per_day=hours_per_day, reliability_score=reliability_score
        ),
    )

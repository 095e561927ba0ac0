"""Parser for ``nvidia-smi -q -x`` XML (DTD v11-v13) into plain per-GPU records.

Handles the quirks recorded in ``fixtures/gpu/SOURCES.md``: units inside the text (``37 C``,
``27.23 W``, ``24576 MiB``), ``N/A`` and bracketed "not supported" strings, power elements
that moved between driver versions, MIG slices whose ``fb_memory_usage`` precedes the GPU's,
``<mig_devices>None</mig_devices>``, and repeated ``<gpu>`` elements. The DTD is never fetched.
The unit tests build their fake NVML from these records, so the NVIDIA reader is checked against
real driver output. Imports nothing from Qt and nothing from NVML.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from orban_desktop.errors import GPUError

MIB = 1024 * 1024
_NUMBER = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([A-Za-z%/]*)\s*$")
_UNIT_FACTORS = {"": 1.0, "MiB": MIB, "KiB": 1024.0, "GiB": 1024.0 * MIB, "B": 1.0}


@dataclass(frozen=True, slots=True)
class SmiProcess:
    pid: int
    kind: str  # "C" compute, "G" graphics, "C+G"
    name: str
    used_memory_bytes: int | None


@dataclass(frozen=True, slots=True)
class SmiGpu:
    """One ``<gpu>`` element; every reading None where nvidia-smi printed no value."""

    index: int
    pci_bus_id: str
    name: str
    uuid: str | None
    architecture: str | None
    driver_version: str | None
    cuda_version: str | None
    mig_enabled: bool
    memory_total_bytes: int | None
    memory_used_bytes: int | None
    memory_free_bytes: int | None
    memory_reserved_bytes: int | None
    utilization_gpu_pct: float | None
    utilization_memory_pct: float | None
    temperature_c: float | None
    power_draw_w: float | None
    power_limit_w: float | None
    fan_speed_pct: float | None
    pcie_max_generation: int | None
    pcie_max_width: int | None
    pcie_current_generation: int | None
    pcie_current_width: int | None
    processes: list[SmiProcess] = field(default_factory=list)


def parse_value(text: str | None) -> float | None:
    """``"27.23 W"`` -> 27.23, ``"24576 MiB"`` -> bytes, ``"16x"`` -> 16; ``N/A`` -> None."""
    if text is None:
        return None
    cleaned = text.strip().removesuffix("x")
    match = _NUMBER.match(cleaned)
    if match is None:
        return None  # N/A, [N/A], [Not Supported], deprecation notices, empty
    number, unit = float(match.group(1)), match.group(2)
    return number * _UNIT_FACTORS.get(unit, 1.0)


def _num(element: ET.Element, path: str) -> float | None:
    found = element.find(path)
    return None if found is None else parse_value(found.text)


def _int(element: ET.Element, path: str) -> int | None:
    value = _num(element, path)
    return None if value is None else round(value)


def _text(element: ET.Element, path: str) -> str | None:
    found = element.find(path)
    text = None if found is None or found.text is None else found.text.strip()
    return None if not text or text == "N/A" else text


def _first(element: ET.Element, paths: tuple[str, ...]) -> float | None:
    for path in paths:
        value = _num(element, path)
        if value is not None:
            return value
    return None


_POWER_DRAW = (
    "gpu_power_readings/power_draw",  # 535
    "power_readings/power_draw",  # 515/525
    "gpu_power_readings/average_power_draw",  # 590, DTD v13
    "gpu_power_readings/instant_power_draw",
)
_POWER_LIMIT = (
    "gpu_power_readings/current_power_limit",
    "power_readings/enforced_power_limit",
    "power_readings/power_limit",
)


def _processes(gpu: ET.Element) -> list[SmiProcess]:
    out = []
    for info in gpu.findall("processes/process_info"):
        pid = _int(info, "pid")
        if pid is not None:
            memory = _num(info, "used_memory")
            out.append(
                SmiProcess(
                    pid=pid,
                    kind=_text(info, "type") or "",
                    name=_text(info, "process_name") or "",
                    used_memory_bytes=None if memory is None else round(memory),
                )
            )
    return out


def _gpu(index: int, gpu: ET.Element, root: ET.Element) -> SmiGpu:
    link = "pci/pci_gpu_link_info"
    return SmiGpu(
        index=index,
        pci_bus_id=gpu.get("id", ""),
        name=_text(gpu, "product_name") or "NVIDIA GPU",
        uuid=_text(gpu, "uuid"),
        architecture=_text(gpu, "product_architecture"),
        driver_version=_text(root, "driver_version"),
        cuda_version=_text(root, "cuda_version"),
        mig_enabled=_text(gpu, "mig_mode/current_mig") == "Enabled",
        # Direct children only: MIG slices nest their own fb_memory_usage deeper.
        memory_total_bytes=_int(gpu, "fb_memory_usage/total"),
        memory_used_bytes=_int(gpu, "fb_memory_usage/used"),
        memory_free_bytes=_int(gpu, "fb_memory_usage/free"),
        memory_reserved_bytes=_int(gpu, "fb_memory_usage/reserved"),
        utilization_gpu_pct=_num(gpu, "utilization/gpu_util"),
        utilization_memory_pct=_num(gpu, "utilization/memory_util"),
        temperature_c=_num(gpu, "temperature/gpu_temp"),
        power_draw_w=_first(gpu, _POWER_DRAW),
        power_limit_w=_first(gpu, _POWER_LIMIT),
        fan_speed_pct=_num(gpu, "fan_speed"),
        pcie_max_generation=_int(gpu, f"{link}/pcie_gen/max_link_gen"),
        pcie_max_width=_int(gpu, f"{link}/link_widths/max_link_width"),
        pcie_current_generation=_int(gpu, f"{link}/pcie_gen/current_link_gen"),
        pcie_current_width=_int(gpu, f"{link}/link_widths/current_link_width"),
        processes=_processes(gpu),
    )


def parse_nvidia_smi_xml(text: str | bytes) -> list[SmiGpu]:
    """Every ``<gpu>`` in document order (= nvidia-smi / NVML index order).

    Raises:
        GPUError: the text is not nvidia-smi XML.
    """
    try:
        root = ET.fromstring(text)  # the DOCTYPE is ignored, never resolved
    except ET.ParseError as exc:
        raise GPUError(f"nvidia-smi printed XML that cannot be parsed: {exc}.") from exc
    if root.tag != "nvidia_smi_log":
        raise GPUError(f"Expected nvidia-smi XML (<nvidia_smi_log>), got <{root.tag}>.")
    return [_gpu(i, gpu, root) for i, gpu in enumerate(root.findall("gpu"))]

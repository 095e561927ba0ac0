"""Apple GPUs read from ``ioreg -r -d 1 -w 0 -c IOAccelerator`` (macOS).

The accelerator node's ``"PerformanceStatistics"`` dictionary gives ``"Device Utilization %"``
and ``"In use system memory"`` (bytes of unified memory the GPU holds); keys are looked up by
exact name, since newer macOS adds look-alikes such as ``"In use system memory (driver)"``.
Temperature, power and fan are not in ioreg, and unified memory has no VRAM total: those
readings are ``None``. The ``ioreg`` runner is injected so tests use recorded output. No Qt.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from orban_desktop.errors import GPUError
from orban_desktop.gpu.device import BaseGPUDevice, GPUFacts, GPUStatus
from orban_desktop.protocol.enums import GPUVendor

IOREG_COMMAND = ("ioreg", "-r", "-d", "1", "-w", "0", "-c", "IOAccelerator")
_NODE = re.compile(r"^[\s|]*\+-o (\S+)\s+<class (\S+?),")
_PROPERTY = re.compile(r'^[\s|]*"([^"]+)" = (.*)$')
_STAT = re.compile(r'"([^"]+)"=([^,}]*)')

#: Chip names by the ``IONameMatched`` value ``gpu,<id>``.
APPLE_CHIPS = {
    "t8103": "M1",
    "t6000": "M1 Pro",
    "t6001": "M1 Max",
    "t6002": "M1 Ultra",
    "t8112": "M2",
    "t6020": "M2 Pro",
    "t6021": "M2 Max",
    "t6022": "M2 Ultra",
    "t8122": "M3",
    "t6030": "M3 Pro",
    "t6031": "M3 Max",
    "t6034": "M3 Max",
    "t8132": "M4",
    "t6040": "M4 Pro",
    "t6041": "M4 Max",
}


@dataclass(frozen=True, slots=True)
class IoregAccelerator:
    """One ``+-o`` accelerator node: its class, raw properties and performance statistics."""

    class_name: str
    properties: dict[str, str] = field(default_factory=dict)
    performance: dict[str, int | str] = field(default_factory=dict)


def _value(raw: str) -> int | str:
    raw = raw.strip()
    return int(raw) if re.fullmatch(r"-?\d+", raw) else raw.strip('"')


def parse_ioreg(text: str) -> list[IoregAccelerator]:
    """Every accelerator node in ``ioreg`` output, in order."""
    nodes: list[IoregAccelerator] = []
    for line in text.splitlines():
        if node := _NODE.match(line):
            nodes.append(IoregAccelerator(class_name=node.group(1)))
        elif nodes and (prop := _PROPERTY.match(line)):
            key, raw = prop.group(1), prop.group(2).strip()
            nodes[-1].properties[key] = raw
            if key == "PerformanceStatistics":
                stats = {k: _value(v) for k, v in _STAT.findall(raw)}
                nodes[-1].performance.update(stats)
    return nodes


def run_ioreg() -> str:
    """Raises: GPUError when ``ioreg`` cannot be run."""
    try:
        done = subprocess.run(IOREG_COMMAND, capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise GPUError(f"Reading the Apple GPU with ioreg failed: {exc}.") from exc
    return done.stdout


def _int_stat(node: IoregAccelerator, key: str) -> int | None:
    value = node.performance.get(key)
    return value if isinstance(value, int) else None


class AppleDevice(BaseGPUDevice):
    """The accelerator at position ``node_position`` of each ``ioreg`` run."""

    def __init__(self, index: int, node_position: int, ioreg: Callable[[], str]) -> None:
        super().__init__(index, GPUVendor.APPLE)
        self._node_position = node_position
        self._ioreg = ioreg
        self._facts: GPUFacts | None = None

    def _node(self) -> IoregAccelerator:
        nodes = parse_ioreg(self._ioreg())
        if self._node_position >= len(nodes):
            raise GPUError("The Apple GPU is no longer listed by ioreg.")
        return nodes[self._node_position]

    def facts(self) -> GPUFacts:
        if self._facts is None:
            node = self._node()
            model = node.properties.get("model", "").strip('"')
            chip = APPLE_CHIPS.get(node.properties.get("IONameMatched", "").strip('"')[4:])
            name = model or (f"Apple {chip} GPU" if chip else f"Apple GPU ({node.class_name})")
            self._facts = GPUFacts(
                index=self.index,
                vendor=GPUVendor.APPLE,
                name=name,
                uuid=None,
                memory_total_bytes=None,  # unified memory: no VRAM of its own
            )
        return self._facts

    def status(self) -> GPUStatus:
        facts = self.facts()
        node = self._node()
        utilization = _int_stat(node, "Device Utilization %")
        return GPUStatus.of(
            facts,
            utilization_pct=None if utilization is None else float(utilization),
            memory_used_bytes=_int_stat(node, "In use system memory"),
        )


class AppleIoregBackend:
    """Apple GPUs on macOS; none elsewhere or when ``ioreg`` is missing."""

    def __init__(self, ioreg: Callable[[], str] | None = None, platform: str = sys.platform):
        self._ioreg = ioreg
        self._platform = platform

    def devices(self, first_index: int = 0) -> list[AppleDevice]:
        ioreg = self._ioreg
        if ioreg is None:
            if self._platform != "darwin" or shutil.which("ioreg") is None:
                return []
            ioreg = run_ioreg
        nodes = parse_ioreg(ioreg())
        return [AppleDevice(first_index + i, i, ioreg) for i in range(len(nodes))]

    def close(self) -> None:
        """Nothing to release."""

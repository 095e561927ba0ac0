"""AMD GPUs read from Linux sysfs (the amdgpu driver's files under ``/sys/class/drm/cardN``).

Reads ``device/gpu_busy_percent``, ``mem_busy_percent``, ``mem_info_vram_total/used`` (bytes)
and the ``amdgpu`` hwmon directory (``temp*_input`` in millidegrees, ``power1_average`` or
``power1_input`` in microwatts, ``pwm1``/``pwm1_max`` duty). Every file may be missing: the
reading is then ``None``. No ROCm library is needed. Imports no Qt.
"""

from __future__ import annotations

import re
from pathlib import Path

from orban_desktop.gpu.arch import pcie_bandwidth_gbps
from orban_desktop.gpu.device import BaseGPUDevice, GPUFacts, GPUStatus
from orban_desktop.protocol.enums import GPUVendor

DEFAULT_DRM_ROOT = Path("/sys/class/drm")
_CARD = re.compile(r"^card(\d+)$")
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*GT/s")

#: Marketing names by PCI device id (consumer cards leave ``product_name`` empty).
AMD_DEVICE_NAMES = {
    "67DF": "Radeon RX 470/480/570/580/590 (Ellesmere)",
    "687F": "Radeon RX Vega 56/64 (Vega 10)",
    "738C": "Instinct MI100 (Arcturus)",
    "73BF": "Radeon RX 6800/6800 XT/6900 XT (Navi 21)",
    "73DF": "Radeon RX 6700/6700 XT (Navi 22)",
    "744C": "Radeon RX 7900 XT/XTX (Navi 31)",
    "7550": "Radeon RX 9070/9070 XT (Navi 48)",
}


def read_text(path: Path) -> str | None:
    """A sysfs value without its newline; None when missing, unreadable or empty."""
    try:
        text = path.read_text(errors="replace").strip()
    except OSError:
        return None
    return text or None


def read_int(path: Path) -> int | None:
    text = read_text(path)
    try:
        return None if text is None else int(text)
    except ValueError:
        return None


def read_uevent(device_dir: Path) -> dict[str, str]:
    text = read_text(device_dir / "uevent") or ""
    pairs = (line.partition("=") for line in text.splitlines())
    return {key: value for key, _, value in pairs if key}


class AmdDevice(BaseGPUDevice):
    """One amdgpu card. ``card_dir`` is ``/sys/class/drm/cardN`` (it holds ``device/``)."""

    def __init__(self, card_dir: Path, index: int) -> None:
        super().__init__(index, GPUVendor.AMD)
        self.card_dir = card_dir
        self.device_dir = card_dir / "device"
        self._facts: GPUFacts | None = None

    def _hwmon(self) -> Path | None:
        for hwmon in sorted(self.device_dir.glob("hwmon/hwmon*")):
            if read_text(hwmon / "name") == "amdgpu":
                return hwmon
        return None

    def facts(self) -> GPUFacts:
        if self._facts is None:
            uevent = read_uevent(self.device_dir)
            pci_id = uevent.get("PCI_ID", "")
            self._facts = GPUFacts(
                index=self.index,
                vendor=GPUVendor.AMD,
                name=self._name(pci_id),
                uuid=read_text(self.device_dir / "unique_id"),
                memory_total_bytes=read_int(self.device_dir / "mem_info_vram_total"),
                pcie_bandwidth_gbps=self._pcie_bandwidth(),
                pci_bus_id=uevent.get("PCI_SLOT_NAME"),
            )
        return self._facts

    def _name(self, pci_id: str) -> str:
        product = read_text(self.device_dir / "product_name")
        if product:
            return product
        device_id = pci_id.partition(":")[2].upper()
        if device_id in AMD_DEVICE_NAMES:
            return f"AMD {AMD_DEVICE_NAMES[device_id]}"
        return f"AMD GPU {pci_id}" if pci_id else "AMD GPU"

    def _pcie_bandwidth(self) -> int | None:
        for prefix in ("max", "current"):
            speed = _RATE.match(read_text(self.device_dir / f"{prefix}_link_speed") or "")
            width = read_int(self.device_dir / f"{prefix}_link_width")
            if speed and width:
                return pcie_bandwidth_gbps(float(speed.group(1)), width)
        return None

    def status(self) -> GPUStatus:
        facts = self.facts()
        dev = self.device_dir
        total = read_int(dev / "mem_info_vram_total")
        used = read_int(dev / "mem_info_vram_used")
        busy = read_int(dev / "gpu_busy_percent")
        mem_busy = read_int(dev / "mem_busy_percent")
        hwmon = self._hwmon()
        temperature = power = power_cap = fan = None
        if hwmon is not None:
            temperature = _temperature_c(hwmon)
            microwatts = read_int(hwmon / "power1_average")
            if microwatts is None:  # RDNA3+ kernels expose power1_input instead
                microwatts = read_int(hwmon / "power1_input")
            power = None if microwatts is None else microwatts / 1e6
            cap = read_int(hwmon / "power1_cap")
            power_cap = None if cap is None else cap / 1e6
            pwm, pwm_max = read_int(hwmon / "pwm1"), read_int(hwmon / "pwm1_max")
            fan = None if pwm is None or not pwm_max else 100.0 * pwm / pwm_max
        return GPUStatus.of(
            facts,
            utilization_pct=None if busy is None else float(busy),
            memory_utilization_pct=None if mem_busy is None else float(mem_busy),
            memory_total_bytes=total,
            memory_used_bytes=used,
            memory_free_bytes=None if total is None or used is None else max(total - used, 0),
            temperature_c=temperature,
            power_w=power,
            power_limit_w=power_cap,
            fan_speed_pct=fan,
        )


def _temperature_c(hwmon: Path) -> float | None:
    """The ``edge`` sensor (comparable with NVIDIA's GPU temperature), else the first one."""
    inputs = sorted(hwmon.glob("temp*_input"))
    for path in inputs:
        label = read_text(path.with_name(path.name.replace("_input", "_label")))
        if label == "edge":
            milli = read_int(path)
            return None if milli is None else milli / 1000.0
    milli = read_int(inputs[0]) if inputs else None
    return None if milli is None else milli / 1000.0


class AmdSysfsBackend:
    """Finds amdgpu cards under a DRM directory (``/sys/class/drm`` unless told otherwise)."""

    def __init__(self, drm_root: Path = DEFAULT_DRM_ROOT) -> None:
        self.drm_root = drm_root

    def card_dirs(self) -> list[Path]:
        """``cardN`` directories driven by amdgpu, by N (connectors like card0-DP-1 skipped)."""
        if not self.drm_root.is_dir():
            return []
        cards = []
        for entry in self.drm_root.iterdir():
            match = _CARD.match(entry.name)
            if match and read_uevent(entry / "device").get("DRIVER") == "amdgpu":
                cards.append((int(match.group(1)), entry))
        return [path for _, path in sorted(cards)]

    def devices(self, first_index: int = 0) -> list[AmdDevice]:
        return [AmdDevice(card, first_index + i) for i, card in enumerate(self.card_dirs())]

    def close(self) -> None:
        """Nothing to release (sysfs files are opened per read)."""

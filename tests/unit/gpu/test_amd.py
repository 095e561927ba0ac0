"""The amdgpu sysfs reader on recorded sysfs trees (three cards and a procfs excerpt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orban_desktop.gpu.amd import AmdDevice, AmdSysfsBackend
from orban_desktop.protocol.enums import GPUVendor

from .conftest import AMD_DATA, extract_ttar


def test_only_amdgpu_cards_are_found_in_card_order(drm_root: Path):
    cards = AmdSysfsBackend(drm_root).card_dirs()
    assert [c.name for c in cards] == ["card0", "card1", "card2"]  # not i915, not DP-1


def test_missing_drm_directory_means_no_amd_gpus(tmp_path: Path):
    assert AmdSysfsBackend(tmp_path / "absent").devices() == []


def test_rx580_reads_every_metric_it_has(drm_root: Path):
    rx580 = AmdSysfsBackend(drm_root).devices(first_index=1)[0]
    facts = rx580.facts()
    assert (facts.index, facts.vendor) == (1, GPUVendor.AMD)
    assert facts.name == "AMD Radeon RX 470/480/570/580/590 (Ellesmere)"  # product_name is empty
    assert facts.pci_bus_id == "0000:09:00.0"
    assert facts.pcie_bandwidth_gbps == 16  # 8.0 GT/s x16
    assert facts.compute_capability is None and facts.cuda_cores is None
    s = rx580.status()
    assert s.utilization_pct == 11.0
    assert s.memory_utilization_pct == 2.0
    assert s.memory_total_bytes == 4294967296
    assert s.memory_used_bytes == 536870912
    assert s.memory_free_bytes == 4294967296 - 536870912
    assert s.temperature_c == 44.0  # 44000 millidegrees
    assert s.power_w == pytest.approx(41.045)  # 41045000 microwatts
    assert s.power_limit_w == 155.0
    assert s.fan_speed_pct == pytest.approx(100 * 35 / 255)


def test_vega56_uses_the_edge_sensor_of_three(drm_root: Path):
    s = AmdSysfsBackend(drm_root).devices()[1].status()
    assert s.name == "AMD Radeon RX Vega 56/64 (Vega 10)"
    assert s.temperature_c == 38.0
    assert s.power_w == 8.0
    assert s.utilization_pct == 0.0  # a real 0, not missing
    assert s.memory_utilization_pct is None  # no mem_busy_percent captured


def test_rx9070xt_without_memory_or_fan_files_reports_none(drm_root: Path):
    device = AmdSysfsBackend(drm_root).devices()[2]
    s = device.status()
    assert s.name == "AMD Radeon RX 9070/9070 XT (Navi 48)"
    assert s.utilization_pct == 9.0
    assert s.temperature_c == 39.0  # edge; junction 42, mem 62
    assert s.power_w == 19.0
    assert (s.memory_total_bytes, s.memory_used_bytes, s.memory_free_bytes) == (None, None, None)
    assert s.fan_speed_pct is None
    assert device.facts().pcie_bandwidth_gbps == 63  # no max_link_*: current 32 GT/s (gen 5) x16
    assert device.status().memory_total_bytes is None


def test_procfs_vega10_without_hwmon_reports_only_device_files(tmp_path: Path):
    extract_ttar(AMD_DATA / "procfs-vega10-card0.ttar", tmp_path, "fixtures/sys/class/drm/")
    (device,) = AmdSysfsBackend(tmp_path).devices()
    s = device.status()
    assert device.uuid() == "0123456789abcdef"
    assert s.utilization_pct == 4.0
    assert s.memory_used_bytes == 1490378752
    assert s.memory_total_bytes == 8573157376
    assert (s.temperature_c, s.power_w, s.fan_speed_pct) == (None, None, None)


def test_a_card_with_an_unknown_device_id_is_named_by_pci_id(tmp_path: Path):
    device_dir = tmp_path / "card0" / "device"
    device_dir.mkdir(parents=True)
    (device_dir / "uevent").write_text("DRIVER=amdgpu\nPCI_ID=1002:ABCD\n")
    (device_dir / "gpu_busy_percent").write_text("garbage\n")
    device = AmdDevice(tmp_path / "card0", 0)
    assert device.name() == "AMD GPU 1002:ABCD"
    assert device.status().utilization_pct is None

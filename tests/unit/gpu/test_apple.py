"""The ioreg reader on recorded M1 Pro output."""

from __future__ import annotations

import pytest

from orban_desktop.errors import GPUError
from orban_desktop.gpu.apple import AppleDevice, AppleIoregBackend, parse_ioreg
from orban_desktop.protocol.enums import GPUVendor

from .conftest import APPLE_DATA

M1_PRO = (APPLE_DATA / "m1-pro-t6000-ioreg-excerpt.txt").read_text()


def test_parse_finds_the_accelerator_and_its_performance_statistics():
    (node,) = parse_ioreg(M1_PRO)
    assert node.class_name == "AGXAcceleratorG13X"
    assert node.performance["Device Utilization %"] == 2
    assert node.performance["In use system memory"] == 340983808
    assert node.performance["Alloc system memory"] == 1214005248
    assert node.properties["IONameMatched"] == '"gpu,t6000"'


def test_m1_pro_status_reports_utilization_and_memory_and_none_for_the_rest():
    (device,) = AppleIoregBackend(ioreg=lambda: M1_PRO).devices()
    facts = device.facts()
    assert (facts.vendor, facts.name) == (GPUVendor.APPLE, "Apple M1 Pro GPU")
    assert facts.compute_capability is None and facts.memory_total_bytes is None
    s = device.status()
    assert s.utilization_pct == 2.0
    assert s.memory_used_bytes == 340983808
    assert (s.temperature_c, s.power_w, s.fan_speed_pct, s.memory_free_bytes) == (None,) * 4


def test_in_use_memory_is_looked_up_by_exact_key():
    driver_key_first = M1_PRO.replace(
        '"In use system memory"=340983808',
        '"In use system memory (driver)"=7,"In use system memory"=9',
    )
    (device,) = AppleIoregBackend(ioreg=lambda: driver_key_first).devices()
    assert device.status().memory_used_bytes == 9


def test_a_model_property_names_the_gpu_and_unknown_chips_fall_back_to_the_class():
    with_model = M1_PRO.replace('"IONameMatched" = "gpu,t6000"', '"model" = "Apple M9"')
    assert AppleDevice(0, 0, lambda: with_model).name() == "Apple M9"
    unknown = M1_PRO.replace("gpu,t6000", "gpu,t9999")
    assert AppleDevice(0, 0, lambda: unknown).name() == "Apple GPU (AGXAcceleratorG13X)"


def test_ioreg_changes_are_read_on_every_status():
    busy = M1_PRO.replace('"Device Utilization %"=2', '"Device Utilization %"=97')
    outputs = iter([M1_PRO, busy])
    device = AppleDevice(0, 0, lambda: next(outputs))
    assert device.facts().name == "Apple M1 Pro GPU"  # first run
    assert device.status().utilization_pct == 97.0  # second run


def test_a_vanished_accelerator_is_a_gpu_error():
    device = AppleDevice(0, 0, lambda: "")
    with pytest.raises(GPUError):
        device.status()


def test_no_apple_gpus_off_macos():
    assert AppleIoregBackend(platform="linux").devices() == []

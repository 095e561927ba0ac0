from __future__ import annotations

import pytest

from orban_desktop.errors import GPUError
from orban_desktop.gpu.nvidia_smi_xml import parse_nvidia_smi_xml, parse_value

from .conftest import NVIDIA_XML

MIB = 1024 * 1024


def gpus(name: str):
    return parse_nvidia_smi_xml((NVIDIA_XML / name).read_bytes())


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("37 C", 37.0),
        ("27.23 W", 27.23),
        ("24576 MiB", 24576.0 * MIB),
        ("0 %", 0.0),
        ("16x", 16.0),
        ("N/A", None),
        ("[N/A]", None),
        ("[Not Supported]", None),
        ("Requested functionality has been deprecated", None),
        ("", None),
        (None, None),
    ],
)
def test_values_lose_their_units_and_missing_values_become_none(text, value):
    assert parse_value(text) == value


def test_rtx_3090_readings_with_reserved_memory_that_does_not_add_up():
    (g,) = gpus("rtx-3090.xml")
    assert g.name == "NVIDIA GeForce RTX 3090"
    assert g.driver_version == "525.147.05"
    assert (g.memory_total_bytes, g.memory_used_bytes) == (24576 * MIB, 1 * MIB)
    assert (g.memory_free_bytes, g.memory_reserved_bytes) == (24258 * MIB, 316 * MIB)
    assert g.temperature_c == 37.0
    assert g.power_draw_w == 27.23
    assert g.fan_speed_pct == 0.0  # a real 0 %, not missing
    assert (g.pcie_max_generation, g.pcie_current_generation, g.pcie_max_width) == (4, 1, 16)
    assert g.processes == []


def test_a100_mig_reads_the_gpu_level_memory_not_a_slice():
    (g,) = gpus("a100-sxm4-80gb-mig.xml")  # attached_gpus says 4; the file holds one
    assert g.mig_enabled
    assert g.memory_total_bytes == 81920 * MIB  # the MIG slices say 19968 MiB
    assert g.utilization_gpu_pct is None
    assert g.fan_speed_pct is None
    assert g.power_draw_w == 67.03  # 535's <gpu_power_readings>
    assert g.power_limit_w == 500.0


def test_tesla_t4_processes_and_missing_fan():
    (g,) = gpus("tesla-t4.xml")
    assert g.fan_speed_pct is None
    assert g.power_limit_w == 70.0
    assert [(p.pid, p.kind, p.name) for p in g.processes] == [
        (675, "G", "/usr/lib/xorg/Xorg"),
        (5762, "C", "python"),
    ]
    assert g.processes[1].used_memory_bytes == 1005 * MIB


def test_dual_a5000_v13_has_two_gpus_and_average_power_only():
    first, second = gpus("dual-rtx-a5000.xml")
    assert (first.index, second.index) == (0, 1)
    assert first.pci_bus_id == "00000000:81:00.0"
    assert second.uuid == "GPU-12345678-aaaa-bbbb-cccc-0123456789cd"
    assert (first.power_draw_w, second.power_draw_w) == (6.41, 13.6)  # no <power_draw> in v13
    assert first.power_limit_w == 230.0
    assert first.fan_speed_pct == 30.0


def test_text_that_is_not_nvidia_smi_xml_is_a_gpu_error():
    with pytest.raises(GPUError):
        parse_nvidia_smi_xml("<html></html>")
    with pytest.raises(GPUError):
        parse_nvidia_smi_xml("not xml")

"""HardwareInfo from detector facts, a cpuinfo file, sysconf and disk usage."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from orban_desktop.gpu.device import GIB, GPUFacts
from orban_desktop.gpu.hardware import collect_hardware_info, gpu_info, read_cpu_info
from orban_desktop.protocol.enums import GPUVendor

TWO_CORES_FOUR_THREADS = "".join(
    f"processor\t: {n}\nmodel name\t: AMD Ryzen 9 7950X\nphysical id\t: 0\ncore id\t\t: {n % 2}\n\n"
    for n in range(4)
)


def test_gpu_info_mirrors_upstream_fields():
    facts = GPUFacts(
        0,
        GPUVendor.NVIDIA,
        "NVIDIA RTX A5000",
        "GPU-x",
        24564 * 1024 * 1024,
        compute_capability="8.6",
        cuda_cores=8192,
        pcie_bandwidth_gbps=32,
    )
    info = gpu_info(facts)
    assert (info.index, info.vendor, info.model) == (0, GPUVendor.NVIDIA, "NVIDIA RTX A5000")
    assert info.vram_gb == 24  # 23.99 GiB rounds to what the box says
    assert (info.compute_capability, info.cuda_cores, info.pcie_bandwidth_gbps) == ("8.6", 8192, 32)
    assert not info.simulated


def test_cpu_model_and_physical_cores_from_cpuinfo(tmp_path: Path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(TWO_CORES_FOUR_THREADS)
    cpu = read_cpu_info(cpuinfo)
    assert (cpu.model, cpu.cores, cpu.threads) == ("AMD Ryzen 9 7950X", 2, os.cpu_count())


def test_unreadable_cpuinfo_still_gives_a_cpu(tmp_path: Path):
    cpu = read_cpu_info(tmp_path / "missing")
    assert cpu.model and cpu.cores == cpu.threads == os.cpu_count()


def test_collect_reads_memory_and_the_data_directory_disk(tmp_path: Path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(TWO_CORES_FOUR_THREADS)
    apple = GPUFacts(0, GPUVendor.APPLE, "Apple M1 Pro GPU", None, None)
    info = collect_hardware_info([apple], tmp_path / "not-yet-created", cpuinfo=cpuinfo)
    assert info.gpus[0].vram_gb == 0 and info.gpus[0].compute_capability is None
    expected_memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert info.memory_gb == round(expected_memory / GIB)
    assert abs(info.storage_available_gb - shutil.disk_usage(tmp_path).free // GIB) <= 1
    assert info.cpu.cores == 2

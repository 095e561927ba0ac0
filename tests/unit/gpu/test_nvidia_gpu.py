"""The NVML reader on a real NVIDIA GPU; every test is skipped where NVML cannot start."""

from __future__ import annotations

from collections.abc import Iterator

import pynvml
import pytest

from orban_desktop.gpu.detector import GPUDetector
from orban_desktop.gpu.nvidia import NvidiaBackend
from orban_desktop.gpu.requirements import GPURequirements
from orban_desktop.protocol.enums import GPUVendor

pytestmark = pytest.mark.gpu


@pytest.fixture(scope="module")
def backend() -> Iterator[NvidiaBackend]:
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError as exc:
        pytest.skip(f"no NVIDIA GPU here: {exc}")
    pynvml.nvmlShutdown()
    with NvidiaBackend() as opened:
        if opened.device_count == 0:
            pytest.skip("NVML runs but sees no GPU")
        yield opened


def test_every_gpu_has_facts_and_a_full_snapshot(backend: NvidiaBackend):
    for device in backend.devices():
        facts = device.facts()
        assert facts.vendor is GPUVendor.NVIDIA
        assert facts.name and facts.uuid and facts.uuid.startswith(("GPU-", "MIG-"))
        assert facts.memory_total_bytes and facts.memory_total_bytes > 0
        assert facts.compute_capability is not None
        status = device.status()
        assert status.memory_total_bytes == facts.memory_total_bytes
        assert status.temperature_c is not None and 0 < status.temperature_c < 120
        assert status.power_w is None or status.power_w > 0
        assert status.fault is None
        assert isinstance(device.processes(), list)


def test_detector_finds_and_selects_the_real_gpu(backend: NvidiaBackend):
    detector = GPUDetector(backends=[NvidiaBackend()], temperature_limit_c=None)
    try:
        devices = detector.detect_all()
        assert len(devices) == backend.device_count
        assert detector.meets_requirements(GPURequirements()).met
        for facts in detector.facts():
            assert facts.pcie_bandwidth_gbps is None or facts.pcie_bandwidth_gbps > 0
    finally:
        detector.close()

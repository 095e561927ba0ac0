"""GPUDetector over real readers (fake NVML from recordings, sysfs trees, ioreg output)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path

import pynvml
import pytest

from orban_desktop.errors import GPUError
from orban_desktop.gpu.amd import AmdSysfsBackend
from orban_desktop.gpu.apple import AppleIoregBackend
from orban_desktop.gpu.detector import GPUDetector
from orban_desktop.gpu.device import GIB, GPUDevice, GPUFault, GPUProcess, GPUStatus
from orban_desktop.gpu.nvidia import NvidiaBackend
from orban_desktop.gpu.requirements import GPURequirements, RejectReason
from orban_desktop.gpu.simulated import SimulatedGPU
from orban_desktop.protocol.enums import GPUVendor

from .conftest import APPLE_DATA, NVIDIA_XML
from .fake_nvml import FakeNvml


def nvidia(name: str, **kwargs) -> tuple[NvidiaBackend, FakeNvml]:
    fake = FakeNvml.from_xml(NVIDIA_XML / name, **kwargs)
    return NvidiaBackend(nvml=fake), fake


class BrokenBackend:
    def devices(self, first_index: int = 0) -> Sequence[GPUDevice]:
        raise GPUError("NVML could not start")

    def close(self) -> None:
        pass


class UntouchableBackend(BrokenBackend):
    def devices(self, first_index: int = 0) -> Sequence[GPUDevice]:
        raise AssertionError("a simulated detector must not touch real backends")


def test_detect_all_numbers_gpus_across_vendors(drm_root: Path):
    apple_out = (APPLE_DATA / "m1-pro-t6000-ioreg-excerpt.txt").read_text()
    backends = [
        nvidia("dual-rtx-a5000.xml")[0],
        AmdSysfsBackend(drm_root),
        AppleIoregBackend(ioreg=lambda: apple_out),
    ]
    detector = GPUDetector(backends=backends)
    devices = detector.detect_all()
    assert [(d.index, d.vendor) for d in devices] == [
        (0, GPUVendor.NVIDIA),
        (1, GPUVendor.NVIDIA),
        (2, GPUVendor.AMD),
        (3, GPUVendor.AMD),
        (4, GPUVendor.AMD),
        (5, GPUVendor.APPLE),
    ]
    assert [s.index for s in detector.get_all_status()] == [0, 1, 2, 3, 4, 5]
    assert detector.problems == []


def test_missing_drivers_are_not_errors(tmp_path: Path):
    no_driver = nvidia("rtx-3090.xml", init_error=pynvml.NVML_ERROR_LIBRARY_NOT_FOUND)[0]
    detector = GPUDetector(
        backends=[no_driver, AmdSysfsBackend(tmp_path), AppleIoregBackend(platform="linux")]
    )
    assert detector.detect_all() == []
    assert detector.problems == []


def test_a_failing_vendor_is_recorded_and_the_others_still_count(drm_root: Path):
    detector = GPUDetector(backends=[BrokenBackend(), AmdSysfsBackend(drm_root)])
    assert [d.vendor for d in detector.detect_all()] == [GPUVendor.AMD] * 3
    assert len(detector.problems) == 1 and "NVML" in detector.problems[0].message


def test_simulated_gpus_replace_detection():
    detector = GPUDetector(backends=[UntouchableBackend()], simulate_gpus=3)
    devices = detector.detect_all()
    assert [d.index for d in devices] == [0, 1, 2]
    assert all(d.simulated and d.name() == "Simulated GPU" for d in devices)


def test_a_lost_gpu_gets_a_fault_snapshot_and_is_never_selected():
    backend, fake = nvidia("dual-rtx-a5000.xml")
    detector = GPUDetector(backends=[backend])
    detector.detect_all()
    fake.fail["nvmlDeviceGetMemoryInfo"] = pynvml.NVML_ERROR_GPU_IS_LOST
    lost, also_lost = detector.get_all_status()
    assert lost.fault is GPUFault.LOST and lost.memory_free_bytes is None
    assert lost.name == "NVIDIA RTX A5000" and also_lost.fault is GPUFault.LOST
    check = detector.meets_requirements(GPURequirements())
    assert check.reason is RejectReason.GPU_NOT_AVAILABLE


def test_vram_requirements_use_free_memory_after_the_reserve():
    backend, _ = nvidia("dual-rtx-a5000.xml")  # free: 1678 MiB and 6862 MiB
    detector = GPUDetector(backends=[backend])
    detector.detect_all()
    assert detector.select_best_gpu(GPURequirements(min_vram_gb=6)) is detector.device(1)
    check = detector.meets_requirements(GPURequirements(min_vram_gb=8))
    assert check.reason is RejectReason.INSUFFICIENT_VRAM
    reserved = GPUDetector(backends=[nvidia("dual-rtx-a5000.xml")[0]], reserved_vram_gb=1)
    reserved.detect_all()
    assert reserved.select_best_gpu(GPURequirements(min_vram_gb=6)) is None
    assert reserved.select_best_gpu(GPURequirements(min_vram_gb=5)) is reserved.device(1)


def test_compute_capability_requirement_on_a_t4():
    detector = GPUDetector(backends=[nvidia("tesla-t4.xml")[0]])
    detector.detect_all()
    assert detector.meets_requirements(GPURequirements(min_compute_capability="7.5")).met
    check = detector.meets_requirements(GPURequirements(min_compute_capability="8.0"))
    assert check.reason is RejectReason.COMPUTE_CAPABILITY_TOO_LOW


def test_temperature_limit_makes_a_gpu_unavailable():
    detector = GPUDetector(backends=[nvidia("tesla-t4.xml")[0]], temperature_limit_c=40)  # at 40 C
    detector.detect_all()
    assert detector.meets_requirements(GPURequirements()).reason is RejectReason.GPU_NOT_AVAILABLE


def test_busy_gpus_are_skipped_and_ties_go_to_the_lowest_index():
    detector = GPUDetector(simulate_gpus=3)
    detector.detect_all()
    assert detector.select_best_gpu(GPURequirements()) is detector.device(0)
    with detector.hold(0):
        assert detector.select_best_gpu(GPURequirements()) is detector.device(1)
        assert detector.busy_indices() == {0}
        with pytest.raises(GPUError):
            detector.acquire(0)
    assert detector.busy_indices() == frozenset()


def test_holding_a_simulated_gpu_loads_it():
    clock = [100.0]
    detector = GPUDetector(simulate_gpus=1, clock=lambda: clock[0])
    (gpu,) = detector.detect_all()
    with pytest.raises(RuntimeError), detector.hold(0):
        clock[0] += 10
        assert (gpu.status().utilization_pct or 0) > 80
        raise RuntimeError("task crashed")
    clock[0] += 30
    assert (gpu.status().utilization_pct or 0) < 5  # released even though the task raised


def test_disabled_and_not_allowed_gpus_are_not_offered(tmp_path: Path):
    detector = GPUDetector(simulate_gpus=4, allowed_indices={1, 2, 3}, disabled_indices={2})
    detector.detect_all()
    assert [detector.is_enabled(i) for i in range(4)] == [False, True, False, True]
    assert detector.select_best_gpu(GPURequirements()) is detector.device(1)
    info = detector.get_hardware_info(tmp_path)
    assert [g.index for g in info.gpus] == [1, 3]
    assert len(detector.get_all_status()) == 4  # still shown


def test_foreign_processes_ignore_ours_and_the_display_server():
    detector = GPUDetector(backends=[nvidia("tesla-t4.xml")[0]], own_pids=lambda: {5762})
    detector.detect_all()
    assert detector.foreign_processes() == []  # Xorg is ignored, python is ours
    stranger = GPUDetector(backends=[nvidia("tesla-t4.xml")[0]], own_pids=set)
    stranger.detect_all()
    assert [(p.pid, p.name) for p in stranger.foreign_processes()] == [(5762, "python")]


def test_foreign_processes_below_the_memory_threshold_do_not_count():
    detector = GPUDetector(
        backends=[nvidia("dual-rtx-a5000.xml")[0]], own_pids=set, foreign_min_memory_bytes=20 * GIB
    )
    detector.detect_all()
    assert [(p.gpu_index, p.pid) for p in detector.foreign_processes()] == [(0, 100477)]


def test_a_game_on_a_simulated_gpu_is_foreign():
    detector = GPUDetector(simulate_gpus=2)
    gpu = detector.detect_all()[1]
    assert isinstance(gpu, SimulatedGPU)
    gpu.add_process(GPUProcess(1, 777, "game.exe", "graphics", None))
    assert [p.pid for p in detector.foreign_processes()] == [777]


class ThreadRecordingGPU(SimulatedGPU):
    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.threads: list[int] = []

    def status(self) -> GPUStatus:
        self.threads.append(threading.get_ident())
        return super().status()


class ThreadRecordingBackend(BrokenBackend):
    def __init__(self) -> None:
        self.gpu = ThreadRecordingGPU(0)

    def devices(self, first_index: int = 0) -> Sequence[GPUDevice]:
        return [self.gpu]


async def test_async_status_reads_off_the_event_loop_thread():
    backend = ThreadRecordingBackend()
    detector = GPUDetector(backends=[backend])
    detector.detect_all()
    (status,) = await detector.get_all_status_async()
    assert status.index == 0
    assert backend.gpu.threads and threading.get_ident() not in backend.gpu.threads
    assert not asyncio.get_running_loop().is_closed()


def test_close_shuts_nvml_down():
    backend, fake = nvidia("rtx-3090.xml")
    detector = GPUDetector(backends=[backend])
    detector.detect_all()
    detector.close()
    assert fake.calls["nvmlShutdown"] == 1
    assert detector.devices == []


def test_acquire_best_selects_and_holds_in_one_step():
    detector = GPUDetector(simulate_gpus=2)
    detector.detect_all()
    first = detector.acquire_best(GPURequirements())
    second = detector.acquire_best(GPURequirements())
    third = detector.acquire_best(GPURequirements())
    assert (first.gpu_index, second.gpu_index) == (0, 1)
    assert (third.met, third.reason) == (False, RejectReason.GPU_NOT_AVAILABLE)
    assert detector.busy_indices() == {0, 1}


def test_a_game_on_a_disabled_gpu_does_not_count():
    detector = GPUDetector(simulate_gpus=2, disabled_indices={1})
    gpu = detector.detect_all()[1]
    assert isinstance(gpu, SimulatedGPU)
    gpu.add_process(GPUProcess(1, 777, "game.exe", "graphics", None))
    assert detector.foreign_processes() == []

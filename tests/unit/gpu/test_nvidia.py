"""The NVML reader against a fake pynvml fed with recorded nvidia-smi outputs."""

from __future__ import annotations

import pynvml
import pytest

from orban_desktop.errors import GPUError
from orban_desktop.gpu.errors import GPULost, NvidiaUnavailable
from orban_desktop.gpu.nvidia import NvidiaBackend

from .conftest import NVIDIA_XML
from .fake_nvml import FakeNvml

MIB = 1024 * 1024


def backend_for(name: str, **kwargs) -> tuple[NvidiaBackend, FakeNvml]:
    fake = FakeNvml.from_xml(NVIDIA_XML / name, **kwargs)
    return NvidiaBackend(nvml=fake), fake


@pytest.mark.parametrize("name", sorted(p.name for p in NVIDIA_XML.glob("*.xml")))
def test_status_reports_what_nvidia_smi_recorded(name: str):
    backend, fake = backend_for(name)
    with backend:
        devices = backend.devices()
        assert len(devices) == len(fake.gpus)
        for device, smi in zip(devices, fake.gpus, strict=True):
            s = device.status()
            assert (s.index, s.name, s.uuid, s.simulated) == (smi.index, smi.name, smi.uuid, False)
            assert s.memory_total_bytes == smi.memory_total_bytes
            assert s.memory_free_bytes == smi.memory_free_bytes
            assert s.utilization_pct == smi.utilization_gpu_pct
            assert s.temperature_c == smi.temperature_c
            assert s.power_w == smi.power_draw_w
            assert s.fan_speed_pct == smi.fan_speed_pct
            assert s.fault is None


def test_rtx_3090_facts():
    backend, _ = backend_for("rtx-3090.xml")
    with backend:
        (gpu,) = backend.devices()
        facts = gpu.facts()
    assert facts.compute_capability == "8.6"
    assert facts.cuda_cores == 10496  # from nvmlDeviceGetNumGpuCores
    assert facts.pcie_bandwidth_gbps == 32  # max gen 4 x16, though idling at gen 1
    assert facts.driver_version == "525.147.05"
    assert facts.pci_bus_id == "00000000:00:10.0"
    assert gpu.name() == "NVIDIA GeForce RTX 3090"
    assert gpu.status().memory_total_bytes == 24576 * MIB


def test_cuda_cores_fall_back_to_the_architecture_table():
    backend, _ = backend_for("tesla-t4.xml")  # no NumGpuCores; 40 SMs x 64 (Turing)
    with backend:
        (gpu,) = backend.devices()
        assert gpu.facts().cuda_cores == 2560
        assert gpu.facts().pcie_bandwidth_gbps == 16  # gen 3 x16


def test_unknown_core_count_is_none_not_zero():
    backend, _ = backend_for("a100-sxm4-80gb-mig.xml")
    with backend:
        (gpu,) = backend.devices()
        assert gpu.facts().cuda_cores is None
        assert gpu.facts().compute_capability == "8.0"


def test_mig_gpu_has_no_utilization_and_no_fan():
    backend, _ = backend_for("a100-sxm4-80gb-mig.xml")
    with backend:
        status = backend.devices()[0].status()
    assert status.utilization_pct is None
    assert status.memory_utilization_pct is None
    assert status.fan_speed_pct is None
    assert status.power_w == 67.03
    assert status.memory_total_bytes == 81920 * MIB


def test_agent_indices_start_at_first_index():
    backend, _ = backend_for("dual-rtx-a5000.xml")
    with backend:
        devices = backend.devices(first_index=3)
    assert [(d.index, d.nvml_index) for d in devices] == [(3, 0), (4, 1)]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (pynvml.NVML_ERROR_NOT_SUPPORTED, None),
        (pynvml.NVML_ERROR_FUNCTION_NOT_FOUND, None),
        (pynvml.NVML_ERROR_NO_PERMISSION, None),
        (pynvml.NVML_ERROR_GPU_IS_LOST, GPULost),
        (pynvml.NVML_ERROR_RESET_REQUIRED, GPULost),
        (pynvml.NVML_ERROR_UNKNOWN, GPUError),
        (pynvml.NVML_ERROR_TIMEOUT, GPUError),
    ],
)
def test_nvml_errors_map_to_none_or_the_project_errors(code: int, expected):
    backend, fake = backend_for("rtx-3090.xml")
    fake.fail["nvmlDeviceGetTemperature"] = code
    with backend:
        (gpu,) = backend.devices()
        if expected is None:
            status = gpu.status()
            assert status.temperature_c is None
            assert status.power_w == 27.23  # the other readings are unaffected
            return
        with pytest.raises(expected) as caught:
            gpu.status()
    assert isinstance(caught.value.__cause__, pynvml.NVMLError)
    assert caught.value.context["nvml_error"] == code
    if expected is GPULost:
        assert "lost" in caught.value.message
    else:
        assert not isinstance(caught.value, GPULost)


@pytest.mark.parametrize(
    "code", [pynvml.NVML_ERROR_LIBRARY_NOT_FOUND, pynvml.NVML_ERROR_DRIVER_NOT_LOADED]
)
def test_no_driver_at_init_is_nvidia_unavailable(code: int):
    backend, _ = backend_for("rtx-3090.xml", init_error=code)
    with pytest.raises(NvidiaUnavailable) as caught:
        backend.open()
    assert "NVIDIA driver" in caught.value.message


def test_other_init_failures_are_gpu_errors_not_a_missing_driver():
    backend, _ = backend_for("rtx-3090.xml", init_error=pynvml.NVML_ERROR_LIB_RM_VERSION_MISMATCH)
    with pytest.raises(GPUError) as caught:
        backend.open()
    assert not isinstance(caught.value, NvidiaUnavailable)
    assert "restart" in caught.value.message


def test_init_once_handles_cached_shutdown_once():
    backend, fake = backend_for("dual-rtx-a5000.xml")
    backend.open()
    backend.open()
    for device in backend.devices() + backend.devices():
        device.status()
        device.facts()
    backend.close()
    backend.close()
    assert fake.calls["nvmlInit"] == 1
    assert fake.calls["nvmlDeviceGetHandleByIndex"] == 2  # one per GPU
    assert fake.calls["nvmlShutdown"] == 1


class PynvmlWithoutFanSpeed(FakeNvml):
    nvmlDeviceGetFanSpeed = None  # an older pynvml without the function


def test_a_function_missing_from_an_old_pynvml_reads_as_none():
    fake = PynvmlWithoutFanSpeed.from_xml(NVIDIA_XML / "rtx-3090.xml")
    with NvidiaBackend(nvml=fake) as backend:
        status = backend.devices()[0].status()
    assert status.fan_speed_pct is None
    assert status.temperature_c == 37.0


def test_processes_lists_compute_and_graphics_with_names():
    backend, _ = backend_for("tesla-t4.xml")
    with backend:
        procs = backend.devices()[0].processes()
    assert sorted((p.pid, p.kind, p.name) for p in procs) == [
        (675, "graphics", "/usr/lib/xorg/Xorg"),
        (5762, "compute", "python"),
    ]
    assert {p.used_memory_bytes for p in procs} == {22 * MIB, 1005 * MIB}


def test_query_before_open_is_a_gpu_error():
    with pytest.raises(GPUError):
        NvidiaBackend(nvml=None).query("nvmlDeviceGetCount")


def test_the_real_pynvml_without_a_driver_is_nvidia_unavailable():
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError as exc:
        if exc.value not in (
            pynvml.NVML_ERROR_LIBRARY_NOT_FOUND,
            pynvml.NVML_ERROR_DRIVER_NOT_LOADED,
        ):
            pytest.skip(f"NVML fails here for another reason: {exc}")
    else:
        pynvml.nvmlShutdown()
        pytest.skip("an NVIDIA driver is present (tests/unit/gpu/test_nvidia_gpu.py covers it)")
    with pytest.raises(NvidiaUnavailable):
        NvidiaBackend().open()  # imports the installed pynvml itself


def test_the_energy_counter_is_read_where_the_gpu_has_one():
    backend, fake = backend_for("rtx-3090.xml")
    with backend:
        (gpu,) = backend.devices()
        assert gpu.status().energy_total_mj is None  # NotSupported (before Volta): None, not 0
        fake.energy_mj[0] = 123_456_789
        assert gpu.status().energy_total_mj == 123_456_789

"""Requirement matching and GPU selection as pure rules."""

from __future__ import annotations

import pytest

from orban_desktop.gpu.device import GIB, GPUFacts, GPUFault, GPUStatus
from orban_desktop.gpu.requirements import (
    Candidate,
    GPURequirements,
    RejectReason,
    choose_gpu,
    compute_capability_meets,
)
from orban_desktop.protocol.enums import GPUVendor


def candidate(
    index: int,
    free_gib: float | None = 20,
    cc: str | None = "8.6",
    *,
    vendor: GPUVendor = GPUVendor.NVIDIA,
    temperature: float | None = 50,
    busy: bool = False,
    enabled: bool = True,
    fault: GPUFault | None = None,
) -> Candidate:
    facts = GPUFacts(index, vendor, f"gpu{index}", None, 24 * GIB, compute_capability=cc)
    free = None if free_gib is None else round(free_gib * GIB)
    status = GPUStatus.of(facts, memory_free_bytes=free, temperature_c=temperature, fault=fault)
    return Candidate(facts, status, busy=busy, enabled=enabled)


@pytest.mark.parametrize(
    ("have", "need", "meets"),
    [
        ("8.9", "7.5", True),
        ("7.5", "7.5", True),
        ("10.0", "8.9", True),  # numeric, not string, order
        ("8.9", "10.0", False),
        ("8.6", "8.10", False),
        (None, "", True),  # AMD / Apple meet only "no requirement"
        (None, "5.0", False),
        ("8.6", "", True),
        ("8.6", "not-a-cc", False),
    ],
)
def test_compute_capability_comparison(have: str | None, need: str, meets: bool):
    assert compute_capability_meets(have, need) is meets


def test_most_free_memory_wins():
    check = choose_gpu([candidate(0, 10), candidate(1, 22), candidate(2, 15)], GPURequirements())
    assert check.met and check.gpu_index == 1 and check.reason is None
    assert bool(check)


def test_ties_go_to_the_lowest_index():
    check = choose_gpu([candidate(2, 16), candidate(1, 16), candidate(3, 16)], GPURequirements())
    assert check.gpu_index == 1


def test_reserved_vram_is_subtracted_before_matching_and_ranking():
    req = GPURequirements(min_vram_gb=12)
    gpus = [candidate(0, 13), candidate(1, 12.5)]
    assert choose_gpu(gpus, req).gpu_index == 0
    assert choose_gpu(gpus, req, reserved_bytes=1 * GIB).gpu_index == 0  # 12 GiB left: fits
    rejected = choose_gpu(gpus, req, reserved_bytes=2 * GIB)
    assert (rejected.met, rejected.reason) == (False, RejectReason.INSUFFICIENT_VRAM)


def test_reserve_turns_a_tie_into_equal_zero_and_lowest_index_wins():
    gpus = [candidate(1, 1), candidate(0, 2)]
    assert choose_gpu(gpus, GPURequirements(), reserved_bytes=3 * GIB).gpu_index == 0


def test_busy_disabled_overheated_and_faulted_gpus_are_skipped():
    gpus = [
        candidate(0, 23, busy=True),
        candidate(1, 22, enabled=False),
        candidate(2, 21, temperature=90),
        candidate(3, 20, fault=GPUFault.LOST),
        candidate(4, 5),
    ]
    check = choose_gpu(gpus, GPURequirements(), temperature_limit_c=85)
    assert check.gpu_index == 4


R = RejectReason
Req = GPURequirements
AMD = GPUVendor.AMD


@pytest.mark.parametrize(
    ("gpus", "req", "reason"),
    [
        ([], Req(), R.GPU_NOT_AVAILABLE),
        ([candidate(0, enabled=False)], Req(), R.GPU_NOT_AVAILABLE),
        ([candidate(0, busy=True)], Req(), R.GPU_NOT_AVAILABLE),
        ([candidate(0, cc="7.0")], Req(min_compute_capability="7.5"), R.COMPUTE_CAPABILITY_TOO_LOW),
        (
            [candidate(0, cc=None, vendor=AMD)],
            Req(min_compute_capability="7.5"),
            R.COMPUTE_CAPABILITY_TOO_LOW,
        ),
        ([candidate(0, cc="5.2")], Req(fp16=True), R.COMPUTE_CAPABILITY_TOO_LOW),
        ([candidate(0, 8)], Req(min_vram_gb=12), R.INSUFFICIENT_VRAM),
        ([candidate(0, None)], Req(min_vram_gb=1), R.INSUFFICIENT_VRAM),
        # The reason is the one of the GPU that got furthest: here the capable-but-small one.
        (
            [candidate(0, 30, cc="6.1"), candidate(1, 8, cc="8.9")],
            Req(min_vram_gb=12, min_compute_capability="7.5"),
            R.INSUFFICIENT_VRAM,
        ),
        (
            [candidate(0, 30, cc="6.1"), candidate(1, 30, busy=True)],
            Req(min_compute_capability="7.5"),
            R.GPU_NOT_AVAILABLE,
        ),
    ],
)
def test_rejections_carry_the_upstream_reason_code(gpus, req, reason):
    check = choose_gpu(gpus, req)
    assert (check.met, check.gpu_index, check.reason) == (False, None, reason)
    assert not check


def test_amd_and_apple_fit_tasks_without_a_compute_capability():
    amd = candidate(0, 10, cc=None, vendor=GPUVendor.AMD)
    assert choose_gpu([amd], GPURequirements(min_vram_gb=8, fp16=True)).gpu_index == 0


def test_unknown_free_memory_fits_only_tasks_without_a_vram_minimum():
    apple = candidate(0, None, cc=None, vendor=GPUVendor.APPLE)
    assert choose_gpu([apple], GPURequirements()).met


def test_requirements_from_a_task_assign_object():
    from orban_desktop.protocol.types import TaskRequirements

    wire = TaskRequirements(
        min_vram_gb=12, min_compute_capability="7.5", framework="pytorch", fp16=True
    )
    req = GPURequirements.from_wire(wire)
    assert req == GPURequirements(min_vram_gb=12, min_compute_capability="7.5", fp16=True)
    none = TaskRequirements(min_vram_gb=0, min_compute_capability="", framework="", fp16=False)
    assert GPURequirements.from_wire(none) == GPURequirements()

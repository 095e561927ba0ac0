"""Task requirements and the pure rules that match them against GPUs and pick the best one.

``GPURequirements`` mirrors TASK_ASSIGN's ``requirements`` ({min_vram_gb,
min_compute_capability, framework, fp16}); ``choose_gpu`` checks each candidate in a fixed order
(enabled, compute capability, available now, free VRAM after the reserve) and picks the one
with the most free memory, the lowest index on ties. When none fits, the reason is the upstream
code of the candidate that got furthest. No I/O here; imports no Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from orban_desktop.gpu.arch import parse_compute_capability
from orban_desktop.gpu.device import GIB, GPUFacts, GPUStatus
from orban_desktop.protocol.types import TaskRequirements

#: NVIDIA compute capability from which FP16 arithmetic is native.
FP16_MIN_COMPUTE_CAPABILITY = (5, 3)


class RejectReason(StrEnum):
    """Upstream's TASK_REJECT ``reason`` codes for a GPU that does not fit."""

    INSUFFICIENT_VRAM = "insufficient_vram"
    COMPUTE_CAPABILITY_TOO_LOW = "compute_capability_too_low"
    GPU_NOT_AVAILABLE = "gpu_not_available"


@dataclass(frozen=True)
class GPURequirements:
    """What a task needs. ``min_vram_gb`` is GiB of free memory; ``""`` CC means any GPU."""

    min_vram_gb: int = 0
    min_compute_capability: str = ""
    fp16: bool = False

    @classmethod
    def from_wire(cls, requirements: TaskRequirements) -> GPURequirements:
        """From TASK_ASSIGN's ``requirements`` (``framework`` is not a GPU matter)."""
        return cls(
            min_vram_gb=requirements.min_vram_gb,
            min_compute_capability=requirements.min_compute_capability,
            fp16=requirements.fp16,
        )


@dataclass(frozen=True)
class RequirementCheck:
    """``met`` with the chosen GPU's index, or not met with the reason. Truthy when met."""

    met: bool
    reason: RejectReason | None = None
    gpu_index: int | None = None

    def __bool__(self) -> bool:
        return self.met


@dataclass(frozen=True)
class Candidate:
    """One GPU as selection sees it: facts, latest snapshot (None if unreadable), state."""

    facts: GPUFacts
    status: GPUStatus | None
    busy: bool = False
    enabled: bool = True


class _Stage(IntEnum):
    """How far a candidate got; the furthest one's failure explains a rejection."""

    DISABLED = 0
    CAPABILITY = 1
    AVAILABILITY = 2
    MEMORY = 3
    FITS = 4


def compute_capability_meets(have: str | None, need: str) -> bool:
    """Numeric comparison ("10.0" > "8.9"); a GPU without a CC meets only ``""``."""
    if not need.strip():
        return True
    wanted = parse_compute_capability(need)
    got = None if have is None else parse_compute_capability(have)
    return wanted is not None and got is not None and got >= wanted


def _supports_fp16(facts: GPUFacts) -> bool:
    if facts.compute_capability is None:
        return True  # AMD and Apple GPUs all do FP16
    cc = parse_compute_capability(facts.compute_capability)
    return cc is not None and cc >= FP16_MIN_COMPUTE_CAPABILITY


def free_after_reserve(status: GPUStatus | None, reserved_bytes: int) -> int | None:
    if status is None or status.memory_free_bytes is None:
        return None
    return max(status.memory_free_bytes - reserved_bytes, 0)


def _stage(
    c: Candidate, req: GPURequirements, reserved_bytes: int, temperature_limit_c: float | None
) -> _Stage:
    if not c.enabled:
        return _Stage.DISABLED
    if not compute_capability_meets(c.facts.compute_capability, req.min_compute_capability):
        return _Stage.CAPABILITY
    if req.fp16 and not _supports_fp16(c.facts):
        return _Stage.CAPABILITY
    status = c.status
    if c.busy or status is None or status.fault is not None:
        return _Stage.AVAILABILITY
    temperature, limit = status.temperature_c, temperature_limit_c
    if temperature is not None and limit is not None and temperature >= limit:
        return _Stage.AVAILABILITY
    free = free_after_reserve(status, reserved_bytes)
    if req.min_vram_gb > 0 and (free is None or free < req.min_vram_gb * GIB):
        return _Stage.MEMORY
    return _Stage.FITS


_REASONS = {
    _Stage.DISABLED: RejectReason.GPU_NOT_AVAILABLE,
    _Stage.CAPABILITY: RejectReason.COMPUTE_CAPABILITY_TOO_LOW,
    _Stage.AVAILABILITY: RejectReason.GPU_NOT_AVAILABLE,
    _Stage.MEMORY: RejectReason.INSUFFICIENT_VRAM,
}


def choose_gpu(
    candidates: Sequence[Candidate],
    req: GPURequirements,
    *,
    reserved_bytes: int = 0,
    temperature_limit_c: float | None = None,
) -> RequirementCheck:
    """The fitting GPU with the most free memory after the reserve (lowest index on ties)."""
    best: tuple[int, int] | None = None  # (-free, index): min() is the winner
    furthest = _Stage.DISABLED
    for c in candidates:
        stage = _stage(c, req, reserved_bytes, temperature_limit_c)
        if stage is _Stage.FITS:
            key = (-(free_after_reserve(c.status, reserved_bytes) or 0), c.facts.index)
            best = key if best is None else min(best, key)
        furthest = max(furthest, stage)
    if best is not None:
        return RequirementCheck(met=True, gpu_index=best[1])
    return RequirementCheck(met=False, reason=_REASONS[furthest])

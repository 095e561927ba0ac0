"""The device a run computes on: exactly the one asked for, and the one the agent assigned.

``--device cuda[:N]`` needs CUDA (or ROCm, which PyTorch also calls ``cuda``) and ``mps`` needs
Apple's Metal; when it is not there the run stops with exit 3. It never falls back to the CPU.
``--expect-gpu`` names the GPU the agent assigned (its UUID, as NVML writes it, or its name):
the visible device must be that one, or the run stops, so a task cannot be computed on another
card by mistake.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from typing import Any

from orban_runner.errors import BadInput, DeviceUnavailable


@dataclass(frozen=True)
class Device:
    """The resolved device: torch's name for it, its human name, its UUID if it has one."""

    spec: str
    name: str
    uuid: str | None

    @property
    def is_gpu(self) -> bool:
        return self.spec != "cpu"


def normalise_uuid(text: str) -> str:
    """``GPU-3F1A...`` and ``3f1a...`` compare equal."""
    return text.strip().lower().removeprefix("gpu-").removeprefix("mig-")


def matches(expected: str, uuid: str | None, name: str) -> bool:
    """Whether a device with ``uuid`` and ``name`` is the ``expected`` one (UUID or name)."""
    if uuid and normalise_uuid(expected) == normalise_uuid(uuid):
        return True
    return expected.strip().lower() == name.strip().lower()


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "cpu"


def resolve(torch: Any, spec: str, expect: str | None) -> Device:
    """The device of ``--device spec``, checked against ``--expect-gpu expect``.

    Raises:
        BadInput: ``spec`` is not cpu, cuda, cuda:N or mps.
        DeviceUnavailable: The device is not there, or it is not the expected GPU.
    """
    kind, _, number = spec.partition(":")
    if kind == "cpu" and not number:
        return Device("cpu", cpu_name(), None)
    if kind == "mps" and not number:
        if not torch.backends.mps.is_available():
            raise DeviceUnavailable(
                "MPS was asked for but is not available here; not using the CPU instead"
            )
        return Device("mps", "Apple GPU (MPS)", None)
    if kind != "cuda" or (number and not number.isdigit()):
        raise BadInput(f"--device must be cpu, cuda, cuda:N or mps (got {spec!r})")
    if not torch.cuda.is_available():
        visible = os.environ.get("CUDA_VISIBLE_DEVICES")
        hint = f" (CUDA_VISIBLE_DEVICES={visible!r})" if visible is not None else ""
        raise DeviceUnavailable(
            f"CUDA was asked for but is not available here{hint}; the runner never computes "
            "on the CPU instead"
        )
    index = int(number or 0)
    if index >= torch.cuda.device_count():
        raise DeviceUnavailable(
            f"cuda:{index} was asked for but only {torch.cuda.device_count()} GPU(s) are visible"
        )
    properties = torch.cuda.get_device_properties(index)
    raw_uuid = getattr(properties, "uuid", None)
    uuid = f"GPU-{raw_uuid}" if raw_uuid is not None else None
    name = str(properties.name)
    if expect and not matches(expect, uuid, name):
        raise DeviceUnavailable(
            f"the visible GPU is {name} ({uuid}), not the assigned {expect}; refusing to run on it"
        )
    return Device(f"cuda:{index}", name, uuid)

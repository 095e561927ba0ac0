"""The device a run computes on: exactly the one asked for, and the one the agent assigned.

``--device cuda[:N]`` needs CUDA (or ROCm, which PyTorch also calls ``cuda``) and ``mps`` needs
Apple's Metal; when it is not there the run stops with exit 3 (:class:`DeviceUnavailable`). It
never falls back to the CPU. ``--expect-gpu`` names the GPU the agent assigned (its UUID as
NVML writes it, ``GPU-...``, or its name): the device torch computes on must be that one, or the
run stops, so a task is never computed on another card by mistake. ``torch`` is passed in (not
imported here), so tests drive this module with a stand-in. Imports only the error tree.
"""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from typing import Any

from orban_runner.errors import BadInput, DeviceUnavailable

_CPU_INSTEAD = "the runner never computes on the CPU instead"


@dataclass(frozen=True)
class Device:
    """The resolved device.

    Attributes:
        spec: torch's name for it: ``cpu``, ``cuda:N`` or ``mps``.
        name: Its human name (the GPU's name; for the CPU its model name).
        uuid: The GPU's UUID as ``GPU-...``; ``None`` for the CPU, MPS, or when torch has none.
    """

    spec: str
    name: str
    uuid: str | None

    @property
    def kind(self) -> str:
        """``cpu``, ``cuda`` or ``mps``."""
        return self.spec.partition(":")[0]

    @property
    def is_gpu(self) -> bool:
        return self.kind != "cpu"


def normalise_uuid(text: str) -> str:
    """A UUID in one form: lower case, without ``GPU-`` (or ``MIG-``): ``GPU-3F1A`` is ``3f1a``."""
    return text.strip().lower().removeprefix("gpu-").removeprefix("mig-")


def matches(expected: str, uuid: str | None, name: str) -> bool:
    """Whether a device with ``uuid`` and ``name`` is the ``expected`` one (a UUID or a name)."""
    if uuid and normalise_uuid(expected) == normalise_uuid(uuid):
        return True
    return expected.strip().lower() == name.strip().lower()


def check_expected(expected: str | None, uuid: str | None, name: str) -> None:
    """Stop unless the device (``uuid``, ``name``) is the ``expected`` one (``None``: any).

    Raises:
        DeviceUnavailable: It is another device.
    """
    if expected and not matches(expected, uuid, name):
        shown = f"{name} ({uuid})" if uuid else name
        raise DeviceUnavailable(
            f"the visible GPU is {shown}, not the assigned {expected}; refusing to run on it"
        )


def cpu_name() -> str:
    """The CPU's model name from ``/proc/cpuinfo``, else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "cpu"


def apple_chip_name() -> str:
    """The Apple chip's name (``Apple M2 Pro``), which is its GPU's; a plain label elsewhere."""
    if platform.system() == "Darwin":
        try:
            done = subprocess.run(
                ["/usr/sbin/sysctl", "-n", "machdep.cpu.brand_string"],
                capture_output=True, text=True, timeout=5, check=False,
            )  # fmt: skip
            if done.returncode == 0 and done.stdout.strip():
                return done.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return "Apple GPU (MPS)"


def cuda_uuid(properties: Any) -> str | None:
    """The ``GPU-...`` UUID of a ``torch.cuda.get_device_properties`` result, if it has one."""
    raw = getattr(properties, "uuid", None)
    if raw is None:
        return None
    text = str(raw).strip()
    return text if text.lower().startswith(("gpu-", "mig-")) else f"GPU-{text}"


def _cuda(torch: Any, number: str, expected: str | None) -> Device:
    if not torch.cuda.is_available():
        visible = os.environ.get("CUDA_VISIBLE_DEVICES")
        hint = f" (CUDA_VISIBLE_DEVICES={visible!r})" if visible is not None else ""
        raise DeviceUnavailable(
            f"CUDA was asked for but is not available here{hint}; {_CPU_INSTEAD}"
        )
    index = int(number or 0)
    count = int(torch.cuda.device_count())
    if index >= count:
        raise DeviceUnavailable(f"cuda:{index} was asked for but only {count} GPU(s) are visible")
    properties = torch.cuda.get_device_properties(index)
    uuid, name = cuda_uuid(properties), str(properties.name)
    check_expected(expected, uuid, name)
    return Device(f"cuda:{index}", name, uuid)


def resolve(torch: Any, spec: str, expected: str | None) -> Device:
    """The device of ``--device spec``, checked against ``--expect-gpu expected``.

    Args:
        torch: The ``torch`` module (or a stand-in with ``cuda`` and ``backends.mps``).
        spec: ``cpu``, ``cuda``, ``cuda:N`` or ``mps``.
        expected: The assigned GPU's UUID or name; ``None`` when any device of the kind will do.

    Raises:
        BadInput: ``spec`` is not one of those forms.
        DeviceUnavailable: The device is not there, or it is not the expected one.
    """
    kind, colon, number = spec.strip().lower().partition(":")
    if kind == "cpu" and not colon:
        if expected:
            raise DeviceUnavailable(
                f"--expect-gpu {expected} was given with --device cpu; the CPU is not that GPU"
            )
        return Device("cpu", cpu_name(), None)
    if kind == "mps" and not colon:
        mps = getattr(getattr(torch, "backends", None), "mps", None)
        if mps is None or not mps.is_available():
            raise DeviceUnavailable(f"MPS was asked for but is not available here; {_CPU_INSTEAD}")
        name = apple_chip_name()
        if expected and expected.strip().lower() != "mps":
            check_expected(expected, None, name)
        return Device("mps", name, None)
    if kind != "cuda" or (colon and not number.isdigit()):
        raise BadInput(f"--device must be cpu, cuda, cuda:N or mps (got {spec!r})")
    return _cuda(torch, number, expected)

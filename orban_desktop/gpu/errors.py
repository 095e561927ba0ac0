"""GPU-layer errors: subclasses of the project's one error tree (``orban_desktop.errors``).

They add the cases the GPU layer must tell apart (a lost GPU, a missing NVIDIA driver, a PoW
challenge that is refused or cancelled) without widening the shared tree. Imports nothing from
Qt and nothing from the rest of the GPU package.
"""

from __future__ import annotations

from orban_desktop.errors import GPUError, GPUNotFound, ProtocolError, TaskCancelled


class GPULost(GPUError):
    """The driver reports the GPU gone (fell off the bus, needs a reset): stop using it."""

    title = "GPU lost"


class NvidiaUnavailable(GPUNotFound):
    """No usable NVIDIA driver or NVML library: the machine has no NVIDIA GPU to offer."""

    title = "No NVIDIA driver"


class PowDifficultyTooHigh(ProtocolError):
    """A POW_CHALLENGE asked for more leading zero bits than the agent accepts."""

    title = "Proof-of-work challenge refused"


class PowCancelled(TaskCancelled):
    """A proof-of-work search was stopped before it found a solution."""

    title = "Proof of work cancelled"

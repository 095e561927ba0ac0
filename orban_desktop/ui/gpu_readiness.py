"""Whether this agent has a GPU that can earn, worked out from the detected GPUs' facts.

:func:`gpu_readiness` looks at what :meth:`AgentHost.gpu_facts` returns, the owner's enable
switches and where the agent connects, and gives one :class:`GpuReadiness` code: a real GPU is
switched on (``READY``), simulated GPUs practise on the local platform (``DEMO``), or no GPU can
earn and why (none found, every one switched off, only simulated GPUs on a real platform). The
window and the tray word the code (:mod:`orban_desktop.ui.wording`). Imports nothing from Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum

from orban_desktop.gpu.device import GPUFacts


class GpuReadiness(StrEnum):
    """What the agent's GPUs can do for the owner."""

    UNKNOWN = "unknown"  # the agent has not started yet
    READY = "ready"  # a real GPU is switched on
    DEMO = "demo"  # simulated GPUs on the local (practice) platform
    NONE_FOUND = "none_found"  # no GPU on this computer
    ALL_SWITCHED_OFF = "all_switched_off"  # GPUs exist, the owner switched every one off
    SIMULATED_ONLY = "simulated_only"  # only simulated GPUs, on a platform that pays for real

    @property
    def can_earn(self) -> bool:
        """Whether work is possible at all (practice on simulated GPUs counts)."""
        return self in (GpuReadiness.UNKNOWN, GpuReadiness.READY, GpuReadiness.DEMO)


def gpu_readiness(
    facts: Sequence[GPUFacts], enabled: Callable[[int], bool], *, practice: bool
) -> GpuReadiness:
    """The readiness of ``facts`` (the detected GPUs).

    Args:
        facts: Every GPU the agent detected, simulated ones included.
        enabled: Whether GPU ``index`` is switched on for tasks (the settings' switches).
        practice: The agent connects to the local reference platform (nothing earned is real).
    """
    if not facts:
        return GpuReadiness.NONE_FOUND
    switched_on = [f for f in facts if enabled(f.index)]
    if not switched_on:
        return GpuReadiness.ALL_SWITCHED_OFF
    if any(not f.simulated for f in switched_on):
        return GpuReadiness.READY
    return GpuReadiness.DEMO if practice else GpuReadiness.SIMULATED_ONLY

"""Which queued task goes to which agent: requirements against hardware, within capacity.

An :class:`AgentSlot` is what the platform knows of one registered agent: its GPUs (memory,
compute capability), frameworks and FP16 support from AGENT_REGISTER, how many tasks it may hold
at once (one per reported GPU, at least one; lowered when it rejects with ``at_capacity``), the
tasks it holds, and a hold-off time after it said it was paused or busy. :func:`fits` matches a
task's ``requirements`` (an empty framework or compute capability asks for nothing) and
:meth:`Dispatcher.plan` pairs queued tasks (best priority, oldest first) with the agents that
waited longest. Pure: no I/O; imports only the protocol and the records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from orban_desktop.protocol.enums import AgentStatus
from orban_desktop.protocol.jobspec import FRAMEWORK_PYTORCH
from orban_desktop.protocol.messages import AgentRegister
from orban_desktop.protocol.types import TaskRequirements
from orban_platform.pricing import AgentTerms
from orban_platform.records import TaskRecord

Capability = tuple[int, int]


def parse_capability(text: str) -> Capability | None:
    """``"8.9"`` -> ``(8, 9)``; an empty or unreadable string -> ``None`` (no capability)."""
    major, _, minor = text.strip().partition(".")
    if not major.isdigit() or (minor and not minor.isdigit()):
        return None
    return int(major), int(minor or 0)


@dataclass(slots=True)
class AgentSlot:
    """One registered agent as the dispatcher sees it."""

    agent_id: str
    gpus: list[tuple[int, Capability | None]]
    frameworks: frozenset[str]
    fp16: bool
    terms: AgentTerms
    capacity: int
    online: bool = True
    status: AgentStatus = AgentStatus.IDLE
    last_heartbeat: float = 0.0
    last_assigned_at: float = 0.0
    hold_until: float = 0.0
    active: set[str] = field(default_factory=set)
    #: Whether every GPU it reports is simulated: its real work runs on the CPU.
    on_cpu: bool = False
    #: Results of real work that failed the check since its last verified one.
    strikes: int = 0

    @property
    def has_runner(self) -> bool:
        """Whether it says it can run real (PyTorch) work."""
        return FRAMEWORK_PYTORCH in self.frameworks

    @property
    def why_canaries_only(self) -> str | None:
        """Why it gets canaries only, in words (``None``: it gets real jobs)."""
        if not self.has_runner:
            return "canaries only: the agent reports no runner (supported_frameworks lacks pytorch)"
        return None

    @classmethod
    def from_register(cls, message: AgentRegister, terms: AgentTerms, now: float) -> AgentSlot:
        gpus = [
            (gpu.vram_gb, parse_capability(gpu.compute_capability)) for gpu in message.hardware.gpus
        ]
        models = [gpu.model for gpu in message.hardware.gpus]
        return cls(
            agent_id=message.agent_id,
            gpus=gpus,
            frameworks=frozenset(f.lower() for f in message.capabilities.supported_frameworks),
            fp16=message.capabilities.fp16_support,
            terms=terms,
            capacity=max(1, len(gpus)),
            last_heartbeat=now,
            on_cpu=not models or all(m.lower().startswith("simulated") for m in models),
        )

    @property
    def best_vram_gb(self) -> int:
        return max((vram for vram, _ in self.gpus), default=0)

    def room(self, now: float) -> int:
        """How many more tasks it may take now (fewer after failed checks: one at a time)."""
        if not self.online or now < self.hold_until:
            return 0
        capacity = 1 if self.strikes else self.capacity
        return max(0, capacity - len(self.active))


def fits(requirements: TaskRequirements, slot: AgentSlot) -> bool:
    """Whether one of the agent's GPUs meets ``requirements``."""
    if requirements.framework and requirements.framework.lower() not in slot.frameworks:
        return False
    if requirements.fp16 and not slot.fp16:
        return False
    needed = parse_capability(requirements.min_compute_capability)
    if not slot.gpus:
        return requirements.min_vram_gb == 0 and needed is None
    for vram, capability in slot.gpus:
        if vram < requirements.min_vram_gb:
            continue
        if needed is not None and (capability is None or capability < needed):
            continue
        return True
    return False


class Dispatcher:
    """The registered agents' slots, and the pairing of queued tasks with them."""

    def __init__(self) -> None:
        self.slots: dict[str, AgentSlot] = {}

    def plan(self, queue: Sequence[TaskRecord], now: float) -> list[tuple[TaskRecord, AgentSlot]]:
        """Pairs to assign now; ``queue`` is in dispatch order (best priority, oldest first)."""
        if not queue:
            return []
        waiting = sorted(
            (slot for slot in self.slots.values() if slot.room(now) > 0),
            key=lambda slot: slot.last_assigned_at,
        )
        pairs: list[tuple[TaskRecord, AgentSlot]] = []
        taken: set[str] = set()
        for slot in waiting:
            room = slot.room(now)
            for task in queue:
                if room == 0 or len(taken) == len(queue):
                    break
                if (
                    task.task_id not in taken
                    and slot.agent_id not in task.excluded
                    and fits(task.requirements, slot)
                ):
                    pairs.append((task, slot))
                    taken.add(task.task_id)
                    room -= 1
            if len(taken) == len(queue):
                break
        return pairs

"""Typed events the core publishes, and the small emitter that carries them to subscribers.

The core (agent service, telemetry, ledger) never calls the UI: it publishes frozen dataclass
events on an :class:`EventBus`; the GUI's ``ui/bridge.py`` subscribes and re-emits them as Qt
signals, and the headless mode logs or exports them. Events carry codes and values, never
user-facing text (the UI words them). Publishing happens on the event loop's thread; a
subscriber that raises is logged and does not stop the others. Imports nothing from Qt.
"""

from __future__ import annotations

import enum
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from orban_desktop.gpu.device import GPUStatus
from orban_desktop.protocol.enums import EarningStatus, PayoutStatus

logger = logging.getLogger(__name__)


class ConnectionState(enum.StrEnum):
    """Where the agent stands with the platform (the UI maps each to an icon and a label)."""

    OFFLINE = "offline"
    CONNECTING = "connecting"
    AUTHENTICATING = "authenticating"
    REGISTERED = "registered"
    SERVING = "serving"
    PAUSED = "paused"
    AUTH_REJECTED = "auth_rejected"
    STOPPED = "stopped"


class PauseReason(enum.StrEnum):
    """Why contribution is paused (codes; the UI words them)."""

    USER = "user"
    FOREIGN_PROCESS = "foreign_process"
    TOO_HOT = "too_hot"
    OUTSIDE_HOURS = "outside_hours"
    #: "Only when I'm away" is on and the owner is at the computer.
    OWNER_PRESENT = "owner_present"
    #: "Only when I'm away" is on and no idle time can be read here.
    PRESENCE_UNKNOWN = "presence_unknown"


class NoticeCode(enum.StrEnum):
    """What a :class:`Notice` tells the owner (its ``params`` differ by code)."""

    #: ``gpu_index``: a GPU reached its temperature limit.
    GPU_OVERHEATED = "gpu_overheated"
    #: ``code``, ``message``: the platform sent an ERROR frame.
    PLATFORM_ERROR = "platform_error"
    #: :func:`~orban_desktop.errors.error_details` of what stopped the agent.
    AGENT_STOPPED = "agent_stopped"
    #: ``task_id``, ``reason``: an earning kept apart (not counted).
    EARNING_FLAGGED = "earning_flagged"
    #: ``reason``: "Only when I'm away" cannot read idle time here.
    PRESENCE_UNKNOWN = "presence_unknown"


@dataclass(frozen=True)
class Event:
    """Base of every event."""

    __slots__ = ()  # a subclass may keep its fields in slots (``LogRecorded``: thousands kept)


@dataclass(frozen=True)
class ConnectionStateChanged(Event):
    """``reason`` is a code (``"auth_failed"``, ``"paused_by_user"``, ``"too_hot"``, ...)."""

    state: ConnectionState
    reason: str | None = None
    retry_in_s: float | None = None
    detail: str | None = None


@dataclass(frozen=True)
class GpuSampled(Event):
    """One reading of every GPU (``None`` fields: not reported by the driver)."""

    statuses: tuple[GPUStatus, ...]


@dataclass(frozen=True)
class PauseChanged(Event):
    """Why contribution is paused; empty = active."""

    reasons: frozenset[PauseReason]


@dataclass(frozen=True)
class TaskProgressed(Event):
    """A task moved on.

    ``work`` says what it does ("512 sentences · all-MiniLM-L6-v2"), ``on_cpu`` whether it
    computes on the CPU, ``rows_per_s`` its runner's throughput, ``canary`` whether it is a
    small check task that uses no GPU.
    """

    task_id: str
    stage: str
    progress: float
    gpu_index: int | None = None
    work: str | None = None
    on_cpu: bool = False
    rows_per_s: float | None = None
    canary: bool = False


@dataclass(frozen=True)
class TaskFinished(Event):
    """A task ended: ``error_code`` is None on success (a protocol error code otherwise).

    The figures after ``duration_s`` (seconds, the whole task) are ``None`` when the task did not
    report them: ``gpu_seconds`` the GPU time its run used, ``rows`` the rows it processed (a
    runner task's manifest), ``downloaded_bytes`` what it fetched (model and input; 0 on a cache
    hit), ``energy_kwh`` the energy measured for it (``energy_source``: ``"counter"``, the GPU's
    energy counter, or ``"power"``, power integrated over the run), ``gpu_index`` its GPU.
    """

    task_id: str
    succeeded: bool
    error_code: str | None = None
    duration_s: float | None = None
    gpu_seconds: float | None = None
    rows: int | None = None
    downloaded_bytes: int | None = None
    energy_kwh: float | None = None
    energy_source: str | None = None
    gpu_index: int | None = None


@dataclass(frozen=True)
class EarningRecorded(Event):
    task_id: str
    amount_micros: int
    amount_text: str
    status: EarningStatus


@dataclass(frozen=True)
class PayoutReceived(Event):
    payout_id: str
    net_micros: int
    net_text: str
    status: PayoutStatus


@dataclass(frozen=True, slots=True)
class LogRecorded(Event):
    level: int
    logger_name: str
    message: str
    created: float


@dataclass(frozen=True)
class RealWorkChecked(Event):
    """Whether real (runner) tasks can run here: in Docker, in a runner environment, or not.

    ``where`` is ``"docker"``, ``"environment"`` or ``"none"``; ``detail`` names the image or the
    environment's Python, or (``"none"``) says what is missing; ``on_gpu`` is ``False`` when the
    runner environment computes on the CPU.
    """

    where: str
    detail: str
    on_gpu: bool = True


@dataclass(frozen=True)
class Notice(Event):
    """Something the owner should know, with parameters (see :class:`NoticeCode`)."""

    code: NoticeCode
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SettingsApplied(Event):
    """New settings reached the running agent.

    ``sections`` are the changed sections' names (``"schedule"``, ``"gpu"``, ...);
    ``restarted``: the agent was rebuilt (identity or data folder changed; running tasks were
    handed back); ``waiting_for_idle``: sandbox or cache settings apply once no task runs;
    ``next_start``: sections that apply only when the agent starts again (``"logging"``).
    """

    sections: frozenset[str]
    restarted: bool = False
    waiting_for_idle: bool = False
    next_start: frozenset[str] = frozenset()


E = TypeVar("E", bound=Event)
Handler = Callable[[Any], None]


class EventBus:
    """Publish/subscribe by event class (a subscriber to ``Event`` receives everything)."""

    def __init__(self) -> None:
        self._handlers: dict[type[Event], list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> None:
        self._handlers[event_type].append(handler)

    def unsubscribe(self, event_type: type[E], handler: Callable[[E], None]) -> None:
        handlers = self._handlers.get(event_type, [])
        if handler in handlers:
            handlers.remove(handler)

    def publish(self, event: Event) -> None:
        for event_type in type(event).__mro__:
            for handler in list(self._handlers.get(event_type, ())):
                try:
                    handler(event)
                except Exception:
                    logger.exception("event subscriber %r failed on %s", handler, event)
            if event_type is Event:
                break

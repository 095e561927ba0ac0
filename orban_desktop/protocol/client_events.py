"""What goes into and comes out of a :class:`~orban_desktop.protocol.client_session.ClientSession`.

Inputs describe the agent's state when a connection is authenticated (its running tasks, its
undelivered results) and the session's intervals; outputs are the decisions the session leaves
to its adapter besides frames to write: registration done, a heartbeat or a metrics batch due, a
result delivered (settled without ``ack``, or ACKed), the platform silent after AGENT_REGISTER.
:class:`KeptFrames` holds the frames the agent may not send before REGISTER_ACK. Imports the
protocol's message models and nothing else of the project; no I/O.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from orban_desktop.protocol import messages as m
from orban_desktop.protocol.timestamps import WireTime

logger = logging.getLogger(__name__)

#: How many frames are kept before REGISTER_ACK (progress is coalesced per task).
MAX_KEPT = 1000


@dataclass(frozen=True)
class SessionTimers:
    """The session's intervals, in seconds.

    Attributes:
        heartbeat_interval_s: Between HEARTBEATs; also how long a result written without
            ``ack`` must survive on an open connection to count as delivered (§9).
        metrics_interval_s: Between METRICS_BATCHes (the first one interval after REGISTER_ACK).
        register_timeout_s: How long to wait for REGISTER_ACK after AGENT_REGISTER.
    """

    heartbeat_interval_s: float = 30.0
    metrics_interval_s: float = 300.0
    register_timeout_s: float = 30.0


@dataclass(frozen=True)
class RunningTaskState:
    """A task the agent is running, as STATE_SYNC lists it."""

    task_id: str
    progress: float
    started_at: WireTime


@dataclass(frozen=True)
class UndeliveredResult:
    """A stored TASK_COMPLETE / TASK_FAILED not yet delivered (re-sent with its ``message_id``)."""

    frame: m.TaskComplete | m.TaskFailed
    created_at: WireTime

    @property
    def task_id(self) -> str:
        return self.frame.task_id


@dataclass(frozen=True)
class Registered:
    """REGISTER_ACK arrived: the agent serves now; frames kept until now follow this."""

    ack: m.RegisterAck


@dataclass(frozen=True)
class HeartbeatDue:
    """Compose a HEARTBEAT and ``send`` it."""


@dataclass(frozen=True)
class MetricsDue:
    """Compose a METRICS_BATCH and ``send`` it."""


@dataclass(frozen=True)
class ResultSettled:
    """Without ``ack``: the result of ``task_id`` survived one heartbeat interval; delivered."""

    task_id: str


@dataclass(frozen=True)
class ResultAcked:
    """With ``ack``: the platform recorded the result frame ``message_id``; delivered."""

    message_id: str


@dataclass(frozen=True)
class RegisterTimedOut:
    """No REGISTER_ACK within ``timeout_s`` of AGENT_REGISTER: drop the connection, reconnect."""

    timeout_s: float


#: A decision the session leaves to its adapter.
Action = Registered | HeartbeatDue | MetricsDue | ResultSettled | ResultAcked | RegisterTimedOut
#: What ``take_output`` hands out: a frame to write, or an action.
Output = m.Message | Action
#: The frames that carry a task's result.
ResultFrame = m.TaskComplete | m.TaskFailed


class KeptFrames:
    """Frames waiting for REGISTER_ACK, in the order the agent wanted them sent.

    Only a task's latest TASK_PROGRESS is kept, and one result per task.
    """

    def __init__(self, limit: int = MAX_KEPT) -> None:
        self._frames: list[m.Message] = []
        self._limit = limit

    def keep(self, message: m.Message) -> bool:
        """Keep ``message``; ``False`` when the keep is full (the frame is dropped)."""
        if isinstance(message, m.TaskProgress):
            self._frames = [f for f in self._frames if not _progress_of(f, message.task_id)]
        elif isinstance(message, ResultFrame) and self._holds_result(message.task_id):
            return True  # the same result is already waiting
        if len(self._frames) >= self._limit:
            logger.warning("dropping %s: %d frames wait", message.TYPE.value, self._limit)
            return False
        self._frames.append(message)
        return True

    def put_first(self, results: list[UndeliveredResult]) -> None:
        """Queue stored results ahead of the rest, unless the same result already waits."""
        fresh = [r.frame for r in results if not self._holds_result(r.task_id)]
        self._frames[:0] = fresh

    def release(self) -> list[m.Message]:
        """Every kept frame, in order; the keep is empty afterwards."""
        frames, self._frames = self._frames, []
        return frames

    def _holds_result(self, task_id: str) -> bool:
        return any(isinstance(f, ResultFrame) and f.task_id == task_id for f in self._frames)


def _progress_of(frame: m.Message, task_id: str) -> bool:
    return isinstance(frame, m.TaskProgress) and frame.task_id == task_id

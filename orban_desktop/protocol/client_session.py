"""The agent's side of one platform connection, sans-I/O: frames and the clock in, frames out.

A :class:`ClientSession` holds the rules of docs/orban-protocol.md that the agent must keep:
§3, nothing but STATE_SYNC and AGENT_REGISTER before REGISTER_ACK (every other frame the agent
wants to send is kept, in order, and released after REGISTER_ACK; ACK only with ``ack``); §8,
STATE_SYNC after a reconnect (running tasks with their progress, finished-undelivered results
with progress 1) before AGENT_REGISTER, then the undelivered results re-sent with their own
``message_id``; §9, a result written without ``ack`` counts as delivered once one heartbeat
interval has passed on this connection; and when heartbeats and metrics are due.

Call order: make one per WebSocket connection, when it opens; :meth:`authenticated` once the
handshake succeeded; :meth:`register` with AGENT_REGISTER; then :meth:`receive` for each
decoded platform frame, :meth:`send` for each frame the agent wants to send, :meth:`tick`
whenever :meth:`next_deadline` has passed. After each call, :meth:`take_output` gives the
frames to write and the actions (``client_events``) to carry out; report each frame actually
written with :meth:`frame_written`. Times are monotonic seconds passed in; this module reads
no clock and imports no asyncio, no sockets, nothing outside ``orban_desktop.protocol``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from enum import Enum

from orban_desktop.protocol import messages as m
from orban_desktop.protocol import types as t
from orban_desktop.protocol.client_events import (
    HeartbeatDue,
    KeptFrames,
    MetricsDue,
    Output,
    Registered,
    RegisterTimedOut,
    ResultAcked,
    ResultSettled,
    RunningTaskState,
    SessionTimers,
    UndeliveredResult,
)
from orban_desktop.protocol.enums import Extension
from orban_desktop.protocol.fields import MAX_LIST_LEN
from orban_desktop.protocol.timestamps import WireTime

logger = logging.getLogger(__name__)

_SESSION_FRAMES = (m.AuthResponse, m.StateSync, m.AgentRegister)


class Phase(Enum):
    """Where the connection is in §3's flow."""

    AUTHENTICATING = "authenticating"
    AUTHENTICATED = "authenticated"
    REGISTERING = "registering"
    REGISTERED = "registered"


class ClientSession:
    """The state of one connection, seen from the agent.

    Args:
        agent_id: The agent's id (STATE_SYNC carries it).
        timers: Heartbeat, metrics and registration intervals.
        last_heartbeat: When the agent last wrote a HEARTBEAT (on any connection), for STATE_SYNC.
    """

    def __init__(self, agent_id: str, timers: SessionTimers, last_heartbeat: WireTime) -> None:
        self.agent_id = agent_id
        self.timers = timers
        self.phase = Phase.AUTHENTICATING
        self.extensions: frozenset[Extension] = frozenset()
        #: Updated when a HEARTBEAT is written; the adapter carries it to the next session.
        self.last_heartbeat = last_heartbeat
        self._output: list[Output] = []
        self._kept = KeptFrames()
        self._written: dict[str, tuple[str, float]] = {}  # result message_id -> (task_id, when)
        self._register_deadline: float | None = None
        self._heartbeat_at: float | None = None
        self._metrics_at: float | None = None

    @property
    def registered(self) -> bool:
        return self.phase is Phase.REGISTERED

    def uses(self, extension: Extension) -> bool:
        return extension in self.extensions

    # ---- the flow of §3 and §8 ----
    def authenticated(
        self,
        extensions: frozenset[Extension],
        *,
        reconnect: bool,
        running: Sequence[RunningTaskState],
        undelivered: Sequence[UndeliveredResult],
        wall_now: WireTime,
    ) -> None:
        """AUTH_SUCCESS arrived: write STATE_SYNC if needed; queue the results to re-send.

        STATE_SYNC goes out after a reconnect, or whenever there is something to list.

        Raises:
            RuntimeError: Called twice.
        """
        self._expect(Phase.AUTHENTICATING, "authenticated")
        self.extensions = extensions
        self.phase = Phase.AUTHENTICATED
        self._kept.put_first(list(undelivered))
        if not (reconnect or running or undelivered):
            return
        active = [
            t.ActiveTaskInfo(task_id=r.task_id, progress=r.progress, started_at=r.started_at)
            for r in running
        ]
        listed = {info.task_id for info in active}
        active += [
            t.ActiveTaskInfo(task_id=r.task_id, progress=1.0, started_at=r.created_at)
            for r in undelivered
            if r.task_id not in listed
        ]
        self._output.append(
            m.StateSync(
                timestamp=wall_now,
                agent_id=self.agent_id,
                last_heartbeat=self.last_heartbeat,
                active_tasks=active[:MAX_LIST_LEN],
            )
        )

    def register(self, message: m.AgentRegister, now: float) -> None:
        """Write AGENT_REGISTER; REGISTER_ACK is due within ``register_timeout_s``.

        Raises:
            RuntimeError: Not authenticated yet, or already registering.
        """
        self._expect(Phase.AUTHENTICATED, "register")
        self.phase = Phase.REGISTERING
        self._output.append(message)
        self._register_deadline = now + self.timers.register_timeout_s

    def receive(self, message: m.Message, now: float) -> m.Message | None:
        """Take one decoded platform frame; returns it when the agent's handlers must act on it.

        REGISTER_ACK and ACK are the session's own (``None`` is returned for them).
        """
        if isinstance(message, m.RegisterAck):
            if self.phase is Phase.REGISTERING:
                self._registered(message, now)
            else:
                logger.info("ignoring a REGISTER_ACK while %s", self.phase.value)
            return None
        if isinstance(message, m.Ack):
            self._written.pop(message.acked_message_id, None)
            self._output.append(ResultAcked(message.acked_message_id))
            return None
        return message

    def _registered(self, ack: m.RegisterAck, now: float) -> None:
        self.phase = Phase.REGISTERED
        self._register_deadline = None
        self._output.append(Registered(ack))
        self._output.extend(self._kept.release())
        self._heartbeat_at = now
        self._metrics_at = now + self.timers.metrics_interval_s

    # ---- frames the agent sends ----
    def send(self, message: m.Message) -> bool:
        """Write ``message`` now, or keep it until REGISTER_ACK (§3).

        Returns:
            False when it is refused: an ACK without the ``ack`` extension, or the keep is full.

        Raises:
            ValueError: AUTH_RESPONSE, STATE_SYNC or AGENT_REGISTER, which the session writes.
        """
        if isinstance(message, _SESSION_FRAMES):
            raise ValueError(f"{message.TYPE.value} is the session's to send")
        if isinstance(message, m.Ack) and not self.uses(Extension.ACK):
            return False
        if self.registered:
            self._output.append(message)
            return True
        return self._kept.keep(message)

    def frame_written(self, message: m.Message, now: float) -> None:
        """The adapter wrote ``message`` to the socket at ``now`` (a result's settling starts)."""
        if isinstance(message, m.TaskComplete | m.TaskFailed):
            self._written[message.message_id] = (message.task_id, now)
        elif isinstance(message, m.Heartbeat):
            self.last_heartbeat = message.timestamp

    # ---- timers ----
    def tick(self, now: float) -> None:
        """Act on every timer that is due at ``now``."""
        deadline = self._register_deadline
        if deadline is not None and now >= deadline:
            self._register_deadline = None
            self._output.append(RegisterTimedOut(self.timers.register_timeout_s))
        if not self.registered:
            return
        if self._heartbeat_at is not None and now >= self._heartbeat_at:
            self._heartbeat_at = now + self.timers.heartbeat_interval_s
            self._output.append(HeartbeatDue())
        if self._metrics_at is not None and now >= self._metrics_at:
            self._metrics_at = now + self.timers.metrics_interval_s
            self._output.append(MetricsDue())
        if not self.uses(Extension.ACK):
            interval = self.timers.heartbeat_interval_s
            for message_id, (task_id, written) in list(self._written.items()):
                if now - written >= interval:
                    del self._written[message_id]
                    self._output.append(ResultSettled(task_id))

    def next_deadline(self) -> float | None:
        """The earliest time :meth:`tick` has something to do (``None``: nothing pending)."""
        due = [self._register_deadline, self._heartbeat_at, self._metrics_at]
        if not self.uses(Extension.ACK):
            due += [
                written + self.timers.heartbeat_interval_s for _, written in self._written.values()
            ]
        times = [when for when in due if when is not None]
        return min(times) if times else None

    def take_output(self) -> list[Output]:
        """Everything to write or do, in order, since the last call."""
        output, self._output = self._output, []
        return output

    def _expect(self, phase: Phase, call: str) -> None:
        if self.phase is not phase:
            raise RuntimeError(f"{call}() while {self.phase.value}; expected {phase.value}")

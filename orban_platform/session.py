"""One agent connection's protocol state machine, sans-I/O: frames in, frames and closes out.

An :class:`ServerSession` is fed each received frame with :meth:`~ServerSession.receive` and the
clock with :meth:`~ServerSession.tick`; what it wants sent (encoded text or binary frames, then
perhaps a :class:`Close`) piles up in :meth:`~ServerSession.take_output`, and ``on_output`` is
called so an adapter knows to flush. It owns the framing rules of the spec: decoding (an error is
an ERROR frame, never an exception), the order of the session (§3: only AUTH_RESPONSE before
AUTH_SUCCESS, only AGENT_REGISTER and STATE_SYNC before REGISTER_ACK), the extensions taken,
the limit on invalid frames (close 4004), the AUTH_RESPONSE deadline (close 4002), and the
delivery bookkeeping of §9 (ACK, or a heartbeat interval survived without it). Everything else
goes to its :class:`SessionHost`. No sockets, no asyncio; imports the protocol and ``compat``.
"""

from __future__ import annotations

import base64
import collections
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from google.protobuf.message import DecodeError

from orban_desktop.errors import ProtocolError
from orban_desktop.protocol import codec, orban_pb2
from orban_desktop.protocol.binary import decode_binary, encode_binary
from orban_desktop.protocol.enums import Extension, MessageType
from orban_desktop.protocol.messages import Ack, AuthChallenge, AuthResponse, Error, Message
from orban_platform import compat
from orban_platform.settings import PlatformSettings

logger = logging.getLogger(__name__)

#: What an agent may send (ACK only with the ``ack`` extension).
AGENT_TYPES = frozenset(
    {
        MessageType.AUTH_RESPONSE,
        MessageType.AGENT_REGISTER,
        MessageType.STATE_SYNC,
        MessageType.TASK_ACCEPT,
        MessageType.TASK_REJECT,
        MessageType.TASK_PROGRESS,
        MessageType.TASK_COMPLETE,
        MessageType.TASK_FAILED,
        MessageType.HEARTBEAT,
        MessageType.METRICS_BATCH,
        MessageType.POW_RESPONSE,
        MessageType.ERROR,
        MessageType.ACK,
    }
)
_BEFORE_REGISTER = frozenset({MessageType.AGENT_REGISTER, MessageType.STATE_SYNC})
_EXTENSION_TYPES = {MessageType.ACK: Extension.ACK, MessageType.TASK_CANCEL: Extension.TASK_CANCEL}


@dataclass(frozen=True)
class Close:
    """Close the WebSocket with ``code`` (spec §10.3) after the frames before it."""

    code: int
    reason: str


@dataclass(frozen=True)
class Delivery:
    """A platform frame that must reach the agent: ``(kind, key, status)`` names it."""

    kind: str
    key: str
    status: str = ""


Output = str | bytes | Close


class SessionHost(Protocol):
    """What a session asks of the platform."""

    settings: PlatformSettings

    def issue_challenge(self, session: ServerSession, now: float) -> bytes: ...
    def login(self, session: ServerSession, message: AuthResponse, now: float) -> None: ...
    def handle(self, session: ServerSession, message: Message, now: float) -> None: ...
    def delivered(self, session: ServerSession, delivery: Delivery) -> None: ...


class ServerSession:
    """The state of one connection.

    Args:
        connection_id: Unique per connection (challenges are bound to it).
        host: The platform.
        binary: Whether subprotocol ``agent.orban.v1+proto`` was selected.
        now: The clock when the WebSocket opened.
    """

    def __init__(self, connection_id: str, host: SessionHost, binary: bool, now: float) -> None:
        self.connection_id = connection_id
        self.binary = binary
        self.agent_id: str | None = None
        self.extensions: frozenset[Extension] = frozenset()
        self.authenticated = False
        self.registered = False
        self.closed = False
        self.opened_at = now
        self.on_output: Callable[[], None] = lambda: None
        self.host_state: dict[str, Any] = {}  # the platform's per-session data (PoW, ...)
        self._host = host
        self._settings = host.settings
        self._output: list[Output] = []
        self._invalid: collections.deque[float] = collections.deque()
        self._pending: dict[str, tuple[Delivery, float]] = {}
        self.offered = sorted(
            e.value for e in self._settings.extensions if e is not Extension.BINARY or binary
        )

    # ---- output ----
    def start(self, now: float) -> None:
        """Send AUTH_CHALLENGE (the platform speaks first)."""
        challenge = self._host.issue_challenge(self, now)
        self.send(
            AuthChallenge(
                challenge=base64.b64encode(challenge).decode("ascii"),
                extensions=list(self.offered) or None,
            )
        )

    def uses(self, extension: Extension) -> bool:
        return extension in self.extensions

    def send(self, message: Message) -> str | None:
        """Queue ``message``; returns its ``message_id`` (``None`` if it was not sent)."""
        if self.closed:
            return None
        needed = _EXTENSION_TYPES.get(message.TYPE)
        if needed is not None and needed not in self.extensions:
            raise AssertionError(f"{message.TYPE.value} sent without extension {needed.value}")
        try:
            text = codec.encode_json(message)
            if not self.extensions and self._settings.check_upstream_frames:
                problems = compat.upstream_problems(text)
                if problems:
                    raise AssertionError(f"frame unfit for an upstream agent: {problems}")
            frame: str | bytes = encode_binary(message) if self.binary else text
        except ProtocolError as exc:
            logger.error("cannot send %s to %s: %s", message.TYPE.value, self.agent_id, exc)
            return None
        self._output.append(frame)
        self.on_output()
        return message.message_id

    def send_tracked(self, message: Message, delivery: Delivery, now: float) -> None:
        """Send a frame that counts as delivered once ACKed (or, without ``ack``, survived)."""
        message_id = self.send(message)
        if message_id is not None:
            self._pending[message_id] = (delivery, now)

    def error(
        self, code: str, text: str, recoverable: bool, context: dict[str, Any] | None = None
    ) -> None:
        self.send(Error(code=code, message=text, context=context, recoverable=recoverable))

    def close(self, code: int, reason: str) -> None:
        if not self.closed:
            self._output.append(Close(code, reason))
            self.closed = True
            self._pending.clear()
            self.on_output()

    def take_output(self) -> list[Output]:
        output, self._output = self._output, []
        return output

    # ---- state changes made by the host ----
    def mark_authenticated(self, agent_id: str, extensions: frozenset[Extension]) -> None:
        self.agent_id = agent_id
        self.extensions = extensions
        self.authenticated = True

    def mark_registered(self) -> None:
        self.registered = True

    # ---- input ----
    def reject_frame(
        self, code: str, text: str, now: float, context: dict[str, Any] | None = None
    ) -> None:
        """Answer an invalid frame with ERROR; too many in the window closes with 4004."""
        self.error(code, text, True, context)
        window = self._settings.invalid_frame_window_s
        self._invalid.append(now)
        while self._invalid and self._invalid[0] < now - window:
            self._invalid.popleft()
        if len(self._invalid) >= self._settings.invalid_frame_limit:
            self.error("RATE_LIMITED", f"too many invalid frames in {window:g} s", True)
            self.close(4004, "too many invalid frames")

    def receive(self, data: str | bytes, now: float) -> None:
        """Handle one received frame (never raises for bad input)."""
        if self.closed:
            return
        if isinstance(data, str) == self.binary:
            want = "binary" if self.binary else "text"
            self.error("INVALID_MESSAGE", f"this session takes {want} frames only", True)
            self.close(1002, f"{want} frames only")
            return
        message = self._decode(data, now)
        if message is None:
            return
        kind = message.TYPE
        needed = _EXTENSION_TYPES.get(kind)
        if needed is not None and needed not in self.extensions:
            self.reject_frame(
                "UNKNOWN_MESSAGE_TYPE", f"{kind.value} needs extension {needed.value}", now
            )
        elif kind not in AGENT_TYPES:
            self.reject_frame("INVALID_MESSAGE", f"{kind.value} is sent by platforms only", now)
        elif not self.authenticated:
            if isinstance(message, AuthResponse):
                self._host.login(self, message, now)
            else:
                self.reject_frame("NOT_AUTHENTICATED", f"{kind.value} before AUTH_SUCCESS", now)
        elif kind is MessageType.AUTH_RESPONSE:
            self.reject_frame(
                "INVALID_MESSAGE", "already authenticated: the challenge is used", now
            )
        elif not self.registered and kind not in _BEFORE_REGISTER and kind is not MessageType.ERROR:
            self.reject_frame("NOT_REGISTERED", f"{kind.value} before REGISTER_ACK", now)
        elif isinstance(message, Ack):
            self._acked(message.acked_message_id)
        elif isinstance(message, Error):
            logger.info("agent %s reports %s: %s", self.agent_id, message.code, message.message)
        else:
            self._host.handle(self, message, now)

    def _decode(self, data: str | bytes, now: float) -> Message | None:
        try:
            if isinstance(data, bytes):
                return decode_binary(data)
            return codec.decode_json(data)
        except ProtocolError as exc:
            self.reject_frame(_error_code(data), exc.message, now)
            return None

    def _acked(self, message_id: str) -> None:
        entry = self._pending.pop(message_id, None)
        if entry is not None:
            self._host.delivered(self, entry[0])

    # ---- timers ----
    def tick(self, now: float) -> None:
        """Check the AUTH_RESPONSE deadline and, without ``ack``, deliveries that survived."""
        if self.closed:
            return
        if not self.authenticated and now > self.opened_at + self._settings.challenge_ttl_s:
            self.error("CHALLENGE_EXPIRED", "no AUTH_RESPONSE before the challenge expired", True)
            self.close(4002, "authentication timeout")
            return
        if self._pending and not self.uses(Extension.ACK):
            interval = self._settings.heartbeat_interval_s
            survived = [mid for mid, (_, sent) in self._pending.items() if now - sent >= interval]
            for message_id in survived:
                self._acked(message_id)


def _error_code(data: str | bytes) -> str:
    """Which ERROR code a frame that failed to decode deserves."""
    if len(data) > codec.MAX_FRAME_BYTES:
        return "MESSAGE_TOO_LARGE"
    if isinstance(data, bytes):
        try:
            payload = orban_pb2.Message.FromString(data).WhichOneof("payload")
        except DecodeError:
            return "INVALID_MESSAGE"
        return "UNKNOWN_MESSAGE_TYPE" if payload is None else "INVALID_MESSAGE"
    try:
        frame = codec.parse_frame_object(data)
    except ProtocolError:
        return "INVALID_MESSAGE"
    try:
        codec.message_class_for(frame)
    except ProtocolError:
        return "UNKNOWN_MESSAGE_TYPE"
    return "INVALID_MESSAGE"

"""OrbanClient: one WebSocket session with a platform, a thin asyncio adapter over sans-I/O parts.

``connect()`` opens ``{platform_url}/agent/v1/connect`` offering ``agent.orban.v1+proto`` (when the
``binary`` extension is wanted) and ``agent.orban.v1``, then runs :class:`ClientHandshake`.
``register()`` sends AGENT_REGISTER and waits for REGISTER_ACK, keeping any other frame that
arrives meanwhile (a POW_CHALLENGE, say) for ``receive()``: for tools and tests; the agent's
service leaves registration to its sans-I/O ``ClientSession``. Socket errors become
``ConnectionFailed`` (reconnect), a refused key ``AuthenticationFailed`` (do not). One client is
one session: make a new one to reconnect. Imports nothing from Qt.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from typing import TypeVar

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.protocol import State
from websockets.typing import Subprotocol

from orban_desktop.errors import AuthenticationFailed, ConnectionFailed, ProtocolError
from orban_desktop.network.auth import Authenticator, platform_origin
from orban_desktop.network.handshake import ALL_EXTENSIONS, ClientHandshake, SessionInfo
from orban_desktop.protocol import messages as m
from orban_desktop.protocol.codec import MAX_FRAME_BYTES
from orban_desktop.protocol.enums import Extension
from orban_desktop.protocol.framing import SUBPROTOCOL_BINARY, SUBPROTOCOL_JSON, FrameCodec

logger = logging.getLogger(__name__)

CONNECT_PATH = "/agent/v1/connect"
#: Close codes after which reconnecting cannot help (docs/orban-protocol.md §10.3).
CLOSE_AUTH_FAILED = 4001
CLOSE_REPLACED = 4003

M = TypeVar("M", bound=m.Message)


class OrbanClient:
    """A session with an Orban platform.

    Args:
        platform_url: ``wss://host[:port]`` (or ``ws://`` to loopback), without the endpoint path.
        identity: The agent's key and id.
        extensions: Extensions this agent will take up if offered.
        open_timeout: Seconds to open the WebSocket.
        reply_timeout: Seconds to wait for each handshake reply.
    """

    def __init__(
        self,
        platform_url: str,
        identity: Authenticator,
        *,
        extensions: frozenset[Extension] = ALL_EXTENSIONS,
        open_timeout: float = 10.0,
        reply_timeout: float = 30.0,
        ping_interval: float | None = 20.0,
    ) -> None:
        self.platform_url = platform_url.rstrip("/")
        self.identity = identity
        self.extensions = extensions
        self.open_timeout = open_timeout
        self.reply_timeout = reply_timeout
        self.ping_interval = ping_interval
        self.session: SessionInfo | None = None
        self._ws: ClientConnection | None = None
        self._codec = FrameCodec()
        self._pending: collections.deque[m.Message] = collections.deque()

    # ------------------------------------------------------------ connection
    async def connect(self) -> SessionInfo:
        """Open the WebSocket and authenticate.

        Raises:
            ConnectionFailed: The platform cannot be reached or dropped the handshake.
            AuthenticationFailed: The platform refused the key.
        """
        offer = [SUBPROTOCOL_JSON]
        if Extension.BINARY in self.extensions:
            offer.insert(0, SUBPROTOCOL_BINARY)
        url = self.platform_url + CONNECT_PATH
        try:
            self._ws = await connect(
                url,
                subprotocols=[Subprotocol(p) for p in offer],
                max_size=MAX_FRAME_BYTES,
                open_timeout=self.open_timeout,
                ping_interval=self.ping_interval,
                ping_timeout=self.ping_interval,
                proxy=None,
            )
        except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
            raise ConnectionFailed(
                f"Cannot reach the platform at {url} ({exc}). The agent keeps retrying.",
                context={"url": url},
            ) from exc
        self._codec = FrameCodec.for_subprotocol(self._ws.subprotocol)
        handshake = ClientHandshake(
            self.identity,
            platform_origin(self.platform_url),
            self.extensions,
            binary=self._codec.binary,
        )
        try:
            challenge = await self._expect(m.AuthChallenge)
            await self.send(handshake.answer(challenge))
            self.session = handshake.finish(await self._next(self.reply_timeout))
        except BaseException:
            await self.close()
            raise
        logger.info(
            "authenticated as %s (extensions: %s, %s frames)",
            self.session.agent_id,
            ", ".join(sorted(self.session.extensions)) or "none",
            "binary" if self.session.binary else "JSON",
        )
        return self.session

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if self._ws is not None:
            await self._ws.close(code, reason)

    @property
    def connected(self) -> bool:
        return self._ws is not None and self._ws.state is State.OPEN

    def uses(self, extension: Extension) -> bool:
        return self.session is not None and self.session.uses(extension)

    # ------------------------------------------------------------ frames
    async def send(self, message: m.Message) -> None:
        """Send one message (raises ``ConnectionFailed`` when the connection is gone)."""
        if self._ws is None:
            raise ConnectionFailed("Not connected to the platform.")
        frame = self._codec.encode(message)
        try:
            await self._ws.send(frame)
        except ConnectionClosed as exc:
            raise self._closed_error(exc) from exc

    async def receive(self) -> m.Message:
        """The next message from the platform.

        Raises:
            ProtocolError: The platform sent a malformed frame (the session is still usable).
            ConnectionFailed / AuthenticationFailed: The connection closed.
        """
        if self._pending:
            return self._pending.popleft()
        return await self._next(None)

    async def _next(self, timeout: float | None) -> m.Message:
        if self._ws is None:
            raise ConnectionFailed("Not connected to the platform.")
        try:
            async with asyncio.timeout(timeout):
                frame = await self._ws.recv()
        except ConnectionClosed as exc:
            raise self._closed_error(exc) from exc
        except TimeoutError as exc:
            raise ConnectionFailed(
                f"The platform did not answer within {timeout:g} s.", context={"timeout": timeout}
            ) from exc
        return self._codec.decode(frame)

    async def _expect(self, cls: type[M]) -> M:
        message = await self._next(self.reply_timeout)
        if isinstance(message, m.Error) and message.code == AuthenticationFailed.code:
            raise AuthenticationFailed(message.message)
        if not isinstance(message, cls):
            raise ProtocolError(f"expected {cls.TYPE.value}, got {message.TYPE.value}")
        return message

    def _closed_error(self, exc: ConnectionClosed) -> ConnectionFailed | AuthenticationFailed:
        code = exc.rcvd.code if exc.rcvd is not None else None
        reason = exc.rcvd.reason if exc.rcvd is not None else ""
        if code == CLOSE_AUTH_FAILED:
            return AuthenticationFailed(
                f"The platform closed the session: {reason or 'authentication failed'}. "
                "Check the agent's key file."
            )
        sent = exc.sent
        if exc.rcvd is None and sent is not None:  # the agent closed first
            why = {1009: "a frame from the platform was over the size limit"}.get(sent.code)
            return ConnectionFailed(
                f"The agent closed the connection (code {sent.code}"
                f"{': ' + (why or sent.reason) if (why or sent.reason) else ''}).",
                context={"close_code": sent.code, "closed_by": "agent"},
            )
        if exc.rcvd is None:
            return ConnectionFailed(
                "The connection to the platform was lost without a closing handshake.",
                context={"close_code": None},
            )
        return ConnectionFailed(
            f"The platform closed the connection (code {code}{': ' + reason if reason else ''}).",
            context={"close_code": code, "replaced": code == CLOSE_REPLACED},
        )

    # ------------------------------------------------------------ registration
    async def register(self, message: m.AgentRegister) -> m.RegisterAck:
        """Send AGENT_REGISTER and wait for REGISTER_ACK; other frames are kept for receive()."""
        await self.send(message)
        while True:
            reply = await self._next(self.reply_timeout)
            if isinstance(reply, m.RegisterAck):
                return reply
            if isinstance(reply, m.Error) and reply.code == AuthenticationFailed.code:
                raise AuthenticationFailed(reply.message)
            self._pending.append(reply)

"""The agent's side of authentication and extension negotiation, sans-I/O.

:class:`ClientHandshake` turns the platform's AUTH_CHALLENGE into the AUTH_RESPONSE to send
(signing with v1, or ``auth-v2`` when both sides take it up) and the platform's reply into a
:class:`SessionInfo` or an ``AuthenticationFailed``. Extensions are taken up only when the
platform offers them: against an upstream platform, which offers none, the response is exactly
upstream's frame. No sockets, no asyncio, no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

from orban_desktop.errors import AuthenticationFailed, ProtocolError
from orban_desktop.network.auth import Authenticator, AuthScheme
from orban_desktop.protocol.enums import Extension
from orban_desktop.protocol.messages import AuthChallenge, AuthResponse, AuthSuccess, Error, Message

ALL_EXTENSIONS = frozenset(Extension)


@dataclass(frozen=True)
class SessionInfo:
    """What an authenticated session agreed on."""

    agent_id: str
    extensions: frozenset[Extension]
    binary: bool
    jwt_token: str
    expires_in: int

    def uses(self, extension: Extension) -> bool:
        return extension in self.extensions


class ClientHandshake:
    """One login attempt: ``answer(challenge)`` then ``finish(reply)``.

    Args:
        identity: The agent's key and id.
        origin: ``platform_origin`` of the configured platform URL (signed under auth-v2).
        wanted: The extensions this agent is willing to use.
        binary: Whether the WebSocket subprotocol selected protobuf framing.
    """

    def __init__(
        self,
        identity: Authenticator,
        origin: str,
        wanted: frozenset[Extension] = ALL_EXTENSIONS,
        *,
        binary: bool = False,
    ) -> None:
        self._identity = identity
        self._origin = origin
        self._wanted = wanted
        self._binary = binary
        self._taken: frozenset[Extension] = frozenset()

    def answer(self, challenge: AuthChallenge) -> AuthResponse:
        offered = {e for e in Extension if e.value in (challenge.extensions or ())}
        taken = {e for e in offered & self._wanted if e is not Extension.BINARY or self._binary}
        self._taken = frozenset(taken)
        scheme = AuthScheme.V2 if Extension.AUTH_V2 in taken else AuthScheme.V1
        signed = self._identity.respond_to_challenge(challenge.challenge, scheme, self._origin)
        return AuthResponse(
            agent_id=signed.agent_id,
            signature=signed.signature_b64,
            public_key=signed.public_key_b64,
            extensions=sorted(e.value for e in taken) if challenge.extensions is not None else None,
        )

    def finish(self, reply: Message) -> SessionInfo:
        """Read the platform's answer to AUTH_RESPONSE.

        Raises:
            AuthenticationFailed: The platform refused the key (do not retry).
            ProtocolError: Any other frame.
        """
        if isinstance(reply, AuthSuccess):
            return SessionInfo(
                agent_id=self._identity.agent_id,
                extensions=self._taken,
                binary=self._binary,
                jwt_token=reply.jwt_token,
                expires_in=reply.expires_in,
            )
        if isinstance(reply, Error) and reply.code == AuthenticationFailed.code:
            raise AuthenticationFailed(
                f"The platform refused this agent's key ({reply.message}). Check that the key "
                f"file belongs to agent id {self._identity.agent_id}; if you replaced it, "
                "restore the old key (the platform remembers the first key it saw).",
                context={"platform_message": reply.message},
            )
        raise ProtocolError(f"expected AUTH_SUCCESS after AUTH_RESPONSE, got {reply.TYPE.value}")

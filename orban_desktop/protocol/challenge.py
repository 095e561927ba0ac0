"""Answers to AUTH_CHALLENGE and their check: what agent and platform share of authentication.

Orban protocol v1 (upstream's): the platform sends ``challenge`` as base64 random bytes; the agent
signs the decoded bytes and answers with ``signature`` and ``public_key`` (standard base64) and
its ``agent_id`` (by default ``"agent-"`` + hex of the first 16 bytes of sha256(public key)).
Our negotiated extension ``auth-v2`` signs a domain-separated message instead (see
:func:`auth_v2_message`) that binds the platform's origin and the agent id, so a signature cannot
be relayed to another platform. :func:`signed_message` is what either scheme signs;
:func:`verify_challenge_response` is the platform's check. The agent's key lives in
:mod:`orban_desktop.network.auth`. Uses PyNaCl, the standard library and ``orban_desktop.errors``.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

from nacl.exceptions import CryptoError
from nacl.signing import VerifyKey

from orban_desktop.errors import AuthenticationFailed, ConfigError

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
#: Domain-separation prefix of every auth-v2 signed message (NUL-terminated).
AUTH_V2_PREFIX = b"orban-auth-v2\0"
#: Longest origin or agent id auth-v2 can carry (its length is a big-endian u16).
MAX_V2_FIELD_BYTES = 0xFFFF
#: The scheme's default port, left out of an origin.
DEFAULT_PORTS = {"wss": 443, "https": 443, "ws": 80, "http": 80}


class AuthScheme(enum.StrEnum):
    """What the agent signs: v1 (the challenge bytes) or auth-v2 (:func:`auth_v2_message`)."""

    V1 = "v1"
    V2 = "auth-v2"


@dataclass(frozen=True)
class ChallengeAnswer:
    """The fields of an AUTH_RESPONSE frame (all public)."""

    agent_id: str
    signature_b64: str
    public_key_b64: str


def derive_agent_id(public_key: bytes) -> str:
    """Return upstream's default agent id: ``"agent-"`` + hex(sha256(public_key)[:16])."""
    if len(public_key) != PUBLIC_KEY_BYTES:
        raise ValueError(
            f"an Ed25519 public key is {PUBLIC_KEY_BYTES} bytes, not {len(public_key)}"
        )
    return "agent-" + hashlib.sha256(public_key).digest()[:16].hex()


def platform_origin(url: str) -> str:
    """Return the origin ``scheme://host[:port]`` that auth-v2 signs, from a platform URL.

    The scheme and host are lowercased, the port is left out when it is the scheme's default
    (443 for wss/https, 80 for ws/http), an IPv6 host keeps its brackets, and the path, query,
    fragment and any user info are ignored. ``https`` maps to ``wss`` and ``http`` to ``ws``
    (the WebSocket endpoint the URL names), so ``https://a.b`` and ``wss://a.b:443`` give the
    same origin ``wss://a.b`` on both sides.

    Raises:
        ConfigError: The URL is not a ws, wss, http or https URL with a host and a valid port.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"Platform URL {url!r} is not a valid URL ({exc}).") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ConfigError(
            f"Platform URL {url!r} must start with wss://, ws://, https:// or http://."
        )
    host = (parts.hostname or "").lower()
    if not host:
        raise ConfigError(f"Platform URL {url!r} has no host name.")
    if ":" in host:
        host = f"[{host}]"
    scheme = {"https": "wss", "http": "ws"}.get(scheme, scheme)
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def _u16_prefixed(field: str, value: bytes) -> bytes:
    if len(value) > MAX_V2_FIELD_BYTES:
        raise ValueError(f"auth-v2 {field} is {len(value)} bytes; at most {MAX_V2_FIELD_BYTES}")
    return struct.pack(">H", len(value)) + value


def auth_v2_message(origin: str, agent_id: str, public_key: bytes, challenge: bytes) -> bytes:
    """Build the bytes auth-v2 signs.

    Layout: ``b"orban-auth-v2\\0"``, u16 length + UTF-8 origin, u16 length + UTF-8 agent id,
    the 32-byte public key, then the decoded challenge bytes. Lengths are big-endian (network
    order) unsigned 16-bit integers counting bytes, not characters.

    Args:
        origin: The platform origin in canonical form, as :func:`platform_origin` returns it.
        agent_id: The agent id sent in AUTH_RESPONSE.
        public_key: The agent's 32-byte Ed25519 public key.
        challenge: The decoded AUTH_CHALLENGE bytes.

    Raises:
        ValueError: The origin is not canonical, a field is too long, or the key is not 32 bytes.
    """
    try:
        canonical = platform_origin(origin)
    except ConfigError as exc:
        raise ValueError(f"auth-v2 origin {origin!r} is not an origin: {exc.message}") from exc
    if canonical != origin:
        raise ValueError(f"auth-v2 origin {origin!r} is not canonical; use {canonical!r}")
    if len(public_key) != PUBLIC_KEY_BYTES:
        raise ValueError(
            f"an Ed25519 public key is {PUBLIC_KEY_BYTES} bytes, not {len(public_key)}"
        )
    return (
        AUTH_V2_PREFIX
        + _u16_prefixed("origin", origin.encode("utf-8"))
        + _u16_prefixed("agent_id", agent_id.encode("utf-8"))
        + public_key
        + challenge
    )


def signed_message(
    scheme: AuthScheme, origin: str | None, agent_id: str, public_key: bytes, challenge: bytes
) -> bytes:
    if scheme is AuthScheme.V2:
        if origin is None:
            raise ValueError("auth-v2 needs the platform origin (see platform_origin())")
        return auth_v2_message(origin, agent_id, public_key, challenge)
    if challenge.startswith(AUTH_V2_PREFIX):
        # A v1 signature over these bytes would be a valid auth-v2 signature: a platform asking
        # for one may be relaying another platform's auth-v2 challenge.
        raise AuthenticationFailed(
            "The platform's challenge is shaped like an auth-v2 message; refusing to sign it "
            "under v1, since the signature could be relayed to another platform. This may be "
            "a relay attempt: check that the platform URL is the one you meant, then press Retry.",
            context={"relay_suspected": True},
        )
    return challenge


def strict_b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AuthenticationFailed(f"The {what} is not valid base64 ({exc}).") from exc


def verify_challenge_response(
    challenge: bytes,
    answer: ChallengeAnswer,
    scheme: AuthScheme = AuthScheme.V1,
    origin: str | None = None,
) -> None:
    """Check an AUTH_RESPONSE against the challenge the platform sent (platform side).

    Args:
        challenge: The raw challenge bytes the platform sent (before base64).
        answer: The agent's answer.
        scheme: The scheme negotiated for this connection; the other scheme's signature fails.
        origin: The platform's own origin (:func:`platform_origin`); required for auth-v2.

    Raises:
        AuthenticationFailed: Bad base64, a key or signature of the wrong length, an agent id
            auth-v2 cannot carry, or a signature that does not verify.
        ValueError: auth-v2 without a canonical origin (a caller bug).
    """
    public_key = strict_b64decode(answer.public_key_b64, "public_key")
    if len(public_key) != PUBLIC_KEY_BYTES:
        raise AuthenticationFailed(
            f"The public_key must be {PUBLIC_KEY_BYTES} bytes, found {len(public_key)}."
        )
    signature = strict_b64decode(answer.signature_b64, "signature")
    if len(signature) != SIGNATURE_BYTES:
        raise AuthenticationFailed(
            f"The signature must be {SIGNATURE_BYTES} bytes, found {len(signature)}."
        )
    if scheme is AuthScheme.V2 and len(answer.agent_id.encode("utf-8")) > MAX_V2_FIELD_BYTES:
        raise AuthenticationFailed(f"The agent_id is longer than {MAX_V2_FIELD_BYTES} bytes.")
    message = signed_message(scheme, origin, answer.agent_id, public_key, challenge)
    try:
        VerifyKey(public_key).verify(message, signature)
    except CryptoError as exc:
        raise AuthenticationFailed(
            f"The {scheme.value} signature of agent {answer.agent_id!r} does not verify.",
            context={"agent_id": answer.agent_id, "scheme": scheme.value},
        ) from exc

"""The platform's side of authentication: single-use challenges and signed session tokens.

:class:`ChallengeStore` hands each connection one random challenge (32 bytes by default, from an
injectable source so a test can make the platform issue the golden challenge), and redeems it at
most once, only for that connection, within its time to live; a challenge seen before is never
accepted twice, even if the source repeats itself. :class:`TokenIssuer` signs the JWT of
AUTH_SUCCESS with EdDSA (Ed25519, PyNaCl) under a platform key kept in the data folder (0600).
:func:`verify_login` checks an AUTH_RESPONSE signature (with
:func:`orban_desktop.network.auth.verify_challenge_response`) and :func:`enroll_or_match` binds
an agent id to its first key. No I/O but the key file and the store; imports nothing from Qt.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nacl.exceptions import CryptoError
from nacl.signing import SigningKey, VerifyKey

from orban_desktop.errors import AuthenticationFailed
from orban_desktop.protocol.challenge import AuthScheme, ChallengeAnswer, verify_challenge_response
from orban_desktop.protocol.keyfile import read_secret_key, write_secret_key
from orban_platform.store import PlatformStore

CHALLENGE_BYTES = 32
#: How long a redeemed challenge is remembered (so a repeating source is caught).
USED_MEMORY_S = 3600.0

ChallengeSource = Callable[[], bytes]


class Redeemed(enum.Enum):
    """Outcome of :meth:`ChallengeStore.redeem`."""

    OK = "ok"
    EXPIRED = "expired"
    USED = "used"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class _Issued:
    challenge: bytes
    expires_at: float


class ChallengeStore:
    """Challenges by connection: issued once, redeemed once, expiring after ``ttl_s``.

    Args:
        ttl_s: Life of a challenge in seconds.
        source: Returns fresh challenge bytes (default: 32 bytes from ``os.urandom``).
    """

    def __init__(self, ttl_s: float, source: ChallengeSource | None = None) -> None:
        self._ttl_s = ttl_s
        self._source = source or (lambda: os.urandom(CHALLENGE_BYTES))
        self._issued: dict[str, _Issued] = {}
        self._used: dict[bytes, float] = {}  # sha256(challenge) -> when to forget it

    def issue(self, connection_id: str, now: float) -> bytes:
        """A new challenge for ``connection_id`` (replacing any earlier one it had)."""
        challenge = self._source()
        if not challenge:
            raise ValueError("the challenge source returned no bytes")
        self._issued[connection_id] = _Issued(challenge, now + self._ttl_s)
        return challenge

    def redeem(self, connection_id: str, now: float) -> tuple[Redeemed, bytes]:
        """Take the challenge of ``connection_id``; it can never be redeemed again.

        Returns:
            The outcome and the challenge bytes (empty when there was none).
        """
        issued = self._issued.pop(connection_id, None)
        if issued is None:
            return Redeemed.UNKNOWN, b""
        digest = hashlib.sha256(issued.challenge).digest()
        if digest in self._used:
            return Redeemed.USED, issued.challenge
        self._used[digest] = now + max(USED_MEMORY_S, self._ttl_s)
        if now > issued.expires_at:
            return Redeemed.EXPIRED, issued.challenge
        return Redeemed.OK, issued.challenge

    def expired(self, connection_id: str, now: float) -> bool:
        """Whether ``connection_id`` holds a challenge past its time."""
        issued = self._issued.get(connection_id)
        return issued is not None and now > issued.expires_at

    def forget(self, connection_id: str) -> None:
        """Drop the connection's unredeemed challenge (it closed)."""
        self._issued.pop(connection_id, None)

    def sweep(self, now: float) -> None:
        """Forget remembered challenges whose memory ran out."""
        stale = [digest for digest, until in self._used.items() if until < now]
        for digest in stale:
            del self._used[digest]


def verify_login(
    challenge: bytes, answer: ChallengeAnswer, scheme: AuthScheme, origins: tuple[str, ...]
) -> None:
    """Check an AUTH_RESPONSE signature: v1, or auth-v2 against any of the platform's origins.

    Raises:
        AuthenticationFailed: It verifies under none of them.
    """
    if scheme is AuthScheme.V1:
        verify_challenge_response(challenge, answer, AuthScheme.V1)
        return
    failure = AuthenticationFailed("This platform has no origin to check auth-v2 against.")
    for origin in origins:
        try:
            verify_challenge_response(challenge, answer, AuthScheme.V2, origin)
            return
        except AuthenticationFailed as exc:
            failure = exc
    raise failure


def enroll_or_match(store: PlatformStore, agent_id: str, public_key_b64: str, now: float) -> None:
    """Trust on first use: enroll the first key of an agent id, refuse any other key after.

    Raises:
        AuthenticationFailed: Another key is enrolled for ``agent_id``.
    """
    canonical = base64.b64encode(base64.b64decode(public_key_b64)).decode("ascii")
    enrolled = store.enrolled_key(agent_id)
    if enrolled is None:
        store.enroll(agent_id, canonical, now)
    elif enrolled != canonical:
        raise AuthenticationFailed(
            f"Agent id {agent_id!r} is enrolled with another key; use that key, or a new "
            "agent id for a new key."
        )


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_or_create_signing_key(path: Path) -> SigningKey:
    """The platform's Ed25519 key from ``path``, created (0600) on first use."""
    if not path.exists():
        write_secret_key(path, bytes(SigningKey.generate()))
    return SigningKey(read_secret_key(path))


class TokenIssuer:
    """Signs and checks the EdDSA JWTs of AUTH_SUCCESS.

    Args:
        signing_key: The platform's key.
        issuer: The ``iss`` claim (the platform's origin).
        ttl_s: Token life in seconds (``expires_in``).
    """

    def __init__(self, signing_key: SigningKey, issuer: str, ttl_s: int) -> None:
        self._key = signing_key
        self._verify_key: VerifyKey = signing_key.verify_key
        self._issuer = issuer
        self.ttl_s = ttl_s

    def issue(self, agent_id: str, extensions: list[str], now: float) -> str:
        header = {"alg": "EdDSA", "typ": "JWT"}
        claims = {
            "iss": self._issuer,
            "sub": agent_id,
            "iat": int(now),
            "exp": int(now) + self.ttl_s,
            "jti": uuid.uuid4().hex,
            "ext": extensions,
        }
        signing_input = ".".join(
            _b64url(json.dumps(part, separators=(",", ":"), sort_keys=True).encode())
            for part in (header, claims)
        )
        signature = self._key.sign(signing_input.encode("ascii")).signature
        return f"{signing_input}.{_b64url(signature)}"

    def verify(self, token: str, now: float) -> dict[str, Any]:
        """The claims of a token this platform signed and that has not expired.

        Raises:
            AuthenticationFailed: Malformed, signed by another key, or expired.
        """
        try:
            header_b64, claims_b64, signature_b64 = token.split(".")
            self._verify_key.verify(
                f"{header_b64}.{claims_b64}".encode("ascii"), _b64url_decode(signature_b64)
            )
            claims: dict[str, Any] = json.loads(_b64url_decode(claims_b64))
        except (ValueError, CryptoError) as exc:
            raise AuthenticationFailed(
                "The session token is not one this platform signed."
            ) from exc
        if not isinstance(claims.get("exp"), int) or claims["exp"] < now:
            raise AuthenticationFailed("The session token has expired; log in again.")
        return claims

"""The agent's Ed25519 identity: its key file, its agent id and its answers to AUTH_CHALLENGE.

:class:`Authenticator` holds the signing key; what it signs for each scheme (v1, ``auth-v2``) and
how the platform checks it live in :mod:`orban_desktop.protocol.challenge`, re-exported here. The
key file holds the 32 raw secret (seed) bytes, exactly as upstream's, and is guarded as ssh guards
its keys (see :mod:`orban_desktop.protocol.keyfile`). The secret never appears in a repr, a
message or a log line. This module uses PyNaCl, the standard library, ``orban_desktop.errors`` and
``orban_desktop.protocol`` only; it must not import Qt or any other part of the project.
"""

from __future__ import annotations

import base64
import binascii
import logging
from pathlib import Path

from nacl.signing import SigningKey

from orban_desktop.errors import ConfigError, KeyFileError, ProtocolError
from orban_desktop.protocol.challenge import AUTH_V2_PREFIX as AUTH_V2_PREFIX
from orban_desktop.protocol.challenge import MAX_V2_FIELD_BYTES, signed_message
from orban_desktop.protocol.challenge import PUBLIC_KEY_BYTES as PUBLIC_KEY_BYTES
from orban_desktop.protocol.challenge import AuthScheme as AuthScheme
from orban_desktop.protocol.challenge import ChallengeAnswer as ChallengeAnswer
from orban_desktop.protocol.challenge import auth_v2_message as auth_v2_message
from orban_desktop.protocol.challenge import derive_agent_id as derive_agent_id
from orban_desktop.protocol.challenge import platform_origin as platform_origin
from orban_desktop.protocol.challenge import verify_challenge_response as verify_challenge_response
from orban_desktop.protocol.keyfile import SECRET_KEY_BYTES as SECRET_KEY_BYTES
from orban_desktop.protocol.keyfile import read_secret_key, write_secret_key

logger = logging.getLogger(__name__)


class Authenticator:
    """An agent identity: an Ed25519 signing key and the agent id sent with it.

    Args:
        signing_key: The secret key; use the ``generate``/``from_*`` constructors instead.
        agent_id: The agent id; ``None`` derives upstream's default from the public key.
    """

    __slots__ = ("_agent_id", "_public_key", "_signing_key")

    def __init__(self, signing_key: SigningKey, agent_id: str | None = None) -> None:
        self._signing_key = signing_key
        self._public_key: bytes = bytes(signing_key.verify_key)
        if agent_id is None:
            agent_id = derive_agent_id(self._public_key)
        if not agent_id or len(agent_id.encode("utf-8")) > MAX_V2_FIELD_BYTES:
            raise ConfigError(f"The agent id must be 1 to {MAX_V2_FIELD_BYTES} bytes long.")
        self._agent_id = agent_id

    @classmethod
    def generate(cls, agent_id: str | None = None) -> Authenticator:
        """Create a new random identity (from the operating system's random source)."""
        return cls(SigningKey.generate(), agent_id)

    @classmethod
    def from_secret_bytes(cls, secret: bytes, agent_id: str | None = None) -> Authenticator:
        """Load an identity from its 32 raw secret (seed) bytes.

        Raises:
            KeyFileError: The secret is not exactly 32 bytes.
        """
        if len(secret) != SECRET_KEY_BYTES:
            raise KeyFileError(
                f"An identity key must be exactly {SECRET_KEY_BYTES} raw bytes, "
                f"found {len(secret)}."
            )
        return cls(SigningKey(bytes(secret)), agent_id)

    @classmethod
    def from_private_key_file(cls, path: Path | str, agent_id: str | None = None) -> Authenticator:
        """Load an identity from a key file of 32 raw secret bytes (upstream's format).

        Raises:
            KeyFileError: The file is missing, a symlink, not a regular file, readable or
                writable by group or others (not checked on Windows), or not exactly 32 bytes.
        """
        return cls.from_secret_bytes(read_secret_key(Path(path)), agent_id)

    def save(self, path: Path | str) -> None:
        """Write the 32 secret bytes to a new file with mode 0600, never over an existing one.

        A missing parent directory is created with mode 0700; an existing one is left as it is.

        Raises:
            KeyFileError: The file already exists, or it cannot be created or written.
        """
        write_secret_key(Path(path), bytes(self._signing_key))
        logger.info("Saved identity key for %s to %s", self._agent_id, path)

    @property
    def public_key(self) -> bytes:
        """The 32-byte Ed25519 public key."""
        return self._public_key

    @property
    def public_key_b64(self) -> str:
        """The public key in standard base64, as AUTH_RESPONSE carries it."""
        return base64.b64encode(self._public_key).decode("ascii")

    @property
    def agent_id(self) -> str:
        """The agent id sent in AUTH_RESPONSE and AGENT_REGISTER."""
        return self._agent_id

    def sign(self, data: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of ``data``."""
        signature: bytes = self._signing_key.sign(data).signature
        return signature

    def respond_to_challenge(
        self,
        challenge_b64: str,
        scheme: AuthScheme = AuthScheme.V1,
        origin: str | None = None,
    ) -> ChallengeAnswer:
        """Answer an AUTH_CHALLENGE.

        Args:
            challenge_b64: The frame's ``challenge`` field (standard base64).
            scheme: ``V1`` signs the decoded bytes; ``V2`` signs :func:`auth_v2_message`.
            origin: The platform origin from the agent's own config; required for ``V2``.

        Raises:
            ProtocolError: The challenge is not valid base64 or is empty (reconnect later).
            AuthenticationFailed: Under v1, the challenge is shaped like an auth-v2 message (a
                possible relay attempt: do not retry on its own).
            ValueError: ``V2`` without a canonical origin (a caller bug).
        """
        try:
            challenge = base64.b64decode(challenge_b64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ProtocolError(
                f"The platform's AUTH_CHALLENGE challenge is not valid base64 ({exc}); "
                "nothing was signed. The agent reconnects later; the key is not at fault."
            ) from exc
        if not challenge:
            raise ProtocolError(
                "The platform's AUTH_CHALLENGE challenge is empty; nothing was signed. The agent "
                "reconnects later; the key is not at fault."
            )
        message = signed_message(scheme, origin, self._agent_id, self._public_key, challenge)
        return ChallengeAnswer(
            agent_id=self._agent_id,
            signature_b64=base64.b64encode(self.sign(message)).decode("ascii"),
            public_key_b64=self.public_key_b64,
        )

    def __repr__(self) -> str:
        return f"Authenticator(agent_id={self._agent_id!r}, public_key={self.public_key_b64!r})"

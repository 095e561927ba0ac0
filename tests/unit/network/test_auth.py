"""Tests for orban_desktop.network.auth: golden values, auth-v2, and ssh-style key files."""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orban_desktop.errors import AuthenticationFailed, ConfigError, KeyFileError, ProtocolError
from orban_desktop.network.auth import (
    AUTH_V2_PREFIX,
    Authenticator,
    AuthScheme,
    ChallengeAnswer,
    auth_v2_message,
    derive_agent_id,
    platform_origin,
    verify_challenge_response,
)
from tests.fixtures import PROTOCOL_FIXTURES

FIXTURES = PROTOCOL_FIXTURES
ORIGIN = "wss://platform.example"
CHALLENGE = bytes(range(32))
CHALLENGE_B64 = base64.b64encode(CHALLENGE).decode()
posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")


def _load_json(name: str) -> dict[str, Any]:
    path = FIXTURES / name
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture
def keys() -> dict[str, Any]:
    return _load_json("keys.json")


@pytest.fixture
def identity() -> Authenticator:
    return Authenticator.generate()


# --- golden values -----------------------------------------------------------------------------


def test_fixture_key_reproduces_agent_id_public_key_and_signature(keys: dict[str, Any]) -> None:
    auth = Authenticator.from_secret_bytes(bytes.fromhex(keys["ed25519_secret_hex"]))
    challenge = bytes.fromhex(keys["auth_challenge_bytes_hex"])

    assert auth.agent_id == keys["agent_id"]
    assert auth.public_key_b64 == keys["public_key_b64"]
    assert derive_agent_id(auth.public_key) == keys["agent_id"]
    assert base64.b64encode(auth.sign(challenge)).decode() == keys["auth_signature_b64"]


def test_fixture_frames_carry_the_same_values(keys: dict[str, Any]) -> None:
    challenge_frame = _load_json("platform-sends/auth-challenge.json")
    response_frame = _load_json("agent-sends/auth-response.json")
    auth = Authenticator.from_secret_bytes(bytes.fromhex(keys["ed25519_secret_hex"]))

    answer = auth.respond_to_challenge(challenge_frame["challenge"])

    assert base64.b64decode(challenge_frame["challenge"]).hex() == keys["auth_challenge_bytes_hex"]
    assert answer == ChallengeAnswer(
        agent_id=response_frame["agent_id"],
        signature_b64=response_frame["signature"],
        public_key_b64=response_frame["public_key"],
    )
    assert answer.signature_b64 == keys["auth_signature_b64"]
    verify_challenge_response(bytes.fromhex(keys["auth_challenge_bytes_hex"]), answer)


def test_fixture_key_loads_from_a_saved_file(keys: dict[str, Any], tmp_path: Path) -> None:
    secret = bytes.fromhex(keys["ed25519_secret_hex"])
    Authenticator.from_secret_bytes(secret).save(tmp_path / "agent.key")

    assert (tmp_path / "agent.key").read_bytes() == secret
    assert Authenticator.from_private_key_file(tmp_path / "agent.key").agent_id == keys["agent_id"]


# --- identity ----------------------------------------------------------------------------------


def test_generate_save_load_round_trip(tmp_path: Path) -> None:
    original = Authenticator.generate()
    path = tmp_path / "agent.key"
    original.save(path)

    loaded = Authenticator.from_private_key_file(str(path))

    assert loaded.public_key == original.public_key
    assert len(loaded.public_key) == 32
    assert loaded.agent_id == original.agent_id == derive_agent_id(original.public_key)
    assert loaded.sign(b"x") == original.sign(b"x")
    assert len(original.sign(b"x")) == 64
    assert path.stat().st_size == 32


def test_explicit_agent_id_is_kept(tmp_path: Path) -> None:
    auth = Authenticator.generate(agent_id="rig-7")
    auth.save(tmp_path / "k")

    assert auth.agent_id == "rig-7"
    assert Authenticator.from_private_key_file(tmp_path / "k", agent_id="rig-7").agent_id == "rig-7"
    assert auth.respond_to_challenge(CHALLENGE_B64).agent_id == "rig-7"


def test_generated_identities_differ() -> None:
    assert Authenticator.generate().public_key != Authenticator.generate().public_key


@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_secret_of_wrong_length_is_refused(length: int) -> None:
    with pytest.raises(KeyFileError, match=f"exactly 32 raw bytes, found {length}"):
        Authenticator.from_secret_bytes(b"\x01" * length)


def test_empty_agent_id_is_refused() -> None:
    with pytest.raises(ConfigError):
        Authenticator.generate(agent_id="")


def test_derive_agent_id_refuses_a_short_key() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        derive_agent_id(b"\x00" * 31)


def test_repr_and_str_never_show_the_secret(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = os.urandom(32)
    auth = Authenticator.from_secret_bytes(secret)
    with caplog.at_level(logging.DEBUG):
        auth.save(tmp_path / "k")

    for text in (repr(auth), str(auth), f"{auth}", caplog.text):
        assert secret.hex() not in text
        assert base64.b64encode(secret).decode() not in text
    assert auth.agent_id in repr(auth)
    assert auth.public_key_b64 in repr(auth)


# --- v1 and auth-v2 challenges -----------------------------------------------------------------


def test_v1_answer_verifies(identity: Authenticator) -> None:
    answer = identity.respond_to_challenge(CHALLENGE_B64)

    assert answer.public_key_b64 == identity.public_key_b64
    verify_challenge_response(CHALLENGE, answer)


def test_v2_answer_verifies(identity: Authenticator) -> None:
    answer = identity.respond_to_challenge(CHALLENGE_B64, AuthScheme.V2, ORIGIN)

    verify_challenge_response(CHALLENGE, answer, AuthScheme.V2, ORIGIN)
    expected = auth_v2_message(ORIGIN, identity.agent_id, identity.public_key, CHALLENGE)
    assert base64.b64decode(answer.signature_b64) == identity.sign(expected)


def test_v2_signature_is_refused_under_v1(identity: Authenticator) -> None:
    answer = identity.respond_to_challenge(CHALLENGE_B64, AuthScheme.V2, ORIGIN)

    with pytest.raises(AuthenticationFailed, match="does not verify"):
        verify_challenge_response(CHALLENGE, answer, AuthScheme.V1)


def test_v1_signature_is_refused_under_v2(identity: Authenticator) -> None:
    answer = identity.respond_to_challenge(CHALLENGE_B64, AuthScheme.V1)

    with pytest.raises(AuthenticationFailed, match="does not verify"):
        verify_challenge_response(CHALLENGE, answer, AuthScheme.V2, ORIGIN)


@pytest.mark.parametrize(
    "other_origin", ["wss://evil.example", "wss://platform.example:8443", "ws://platform.example"]
)
def test_v2_signature_is_refused_for_another_origin(
    identity: Authenticator, other_origin: str
) -> None:
    answer = identity.respond_to_challenge(CHALLENGE_B64, AuthScheme.V2, ORIGIN)

    with pytest.raises(AuthenticationFailed):
        verify_challenge_response(CHALLENGE, answer, AuthScheme.V2, other_origin)


def test_v2_signature_is_refused_for_another_agent_id(identity: Authenticator) -> None:
    answer = identity.respond_to_challenge(CHALLENGE_B64, AuthScheme.V2, ORIGIN)
    relabelled = ChallengeAnswer("agent-someone-else", answer.signature_b64, answer.public_key_b64)

    with pytest.raises(AuthenticationFailed):
        verify_challenge_response(CHALLENGE, relabelled, AuthScheme.V2, ORIGIN)


@pytest.mark.parametrize("scheme", list(AuthScheme))
def test_tampered_signature_is_refused(identity: Authenticator, scheme: AuthScheme) -> None:
    answer = identity.respond_to_challenge(CHALLENGE_B64, scheme, ORIGIN)
    signature = bytearray(base64.b64decode(answer.signature_b64))
    signature[10] ^= 0x01
    tampered = ChallengeAnswer(
        answer.agent_id, base64.b64encode(bytes(signature)).decode(), answer.public_key_b64
    )

    with pytest.raises(AuthenticationFailed, match="does not verify"):
        verify_challenge_response(CHALLENGE, tampered, scheme, ORIGIN)


def test_signature_of_another_challenge_or_key_is_refused(identity: Authenticator) -> None:
    answer = identity.respond_to_challenge(CHALLENGE_B64)
    other_key = ChallengeAnswer(
        answer.agent_id, answer.signature_b64, Authenticator.generate().public_key_b64
    )

    with pytest.raises(AuthenticationFailed):
        verify_challenge_response(CHALLENGE[::-1], answer)
    with pytest.raises(AuthenticationFailed):
        verify_challenge_response(CHALLENGE, other_key)


@pytest.mark.parametrize(
    "challenge_b64", ["not base64!", "YWJjZA", "YWJj\nZA==", "YWJj ZA==", "ÿÿÿÿ", "-_-_"]
)
def test_challenge_that_is_not_strict_base64_is_refused(
    identity: Authenticator, challenge_b64: str
) -> None:
    # A protocol error (reconnect later), not a refused key: the key is fine.
    with pytest.raises(ProtocolError, match="not valid base64") as caught:
        identity.respond_to_challenge(challenge_b64)
    assert not isinstance(caught.value, AuthenticationFailed)


def test_empty_challenge_is_refused(identity: Authenticator) -> None:
    with pytest.raises(ProtocolError, match=r"empty.*key is not at fault"):
        identity.respond_to_challenge("")


def test_v1_refuses_to_sign_a_challenge_shaped_like_auth_v2(identity: Authenticator) -> None:
    relayed = auth_v2_message("wss://victim.example", identity.agent_id, identity.public_key, b"c")

    with pytest.raises(AuthenticationFailed, match="relayed"):
        identity.respond_to_challenge(base64.b64encode(relayed).decode(), AuthScheme.V1)


def test_v2_needs_a_canonical_origin(identity: Authenticator) -> None:
    with pytest.raises(ValueError, match="origin"):
        identity.respond_to_challenge(CHALLENGE_B64, AuthScheme.V2)
    with pytest.raises(ValueError, match="canonical"):
        identity.respond_to_challenge(CHALLENGE_B64, AuthScheme.V2, "wss://Platform.example/x")


def _answer_with(public_key: bytes, signature: bytes) -> ChallengeAnswer:
    return ChallengeAnswer(
        "agent-x", base64.b64encode(signature).decode(), base64.b64encode(public_key).decode()
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (ChallengeAnswer("agent-x", "A" * 88, "not base64!"), "public_key is not valid base64"),
        (
            ChallengeAnswer("agent-x", "not base64!", "A" * 43 + "="),
            "signature is not valid base64",
        ),
        (_answer_with(b"\x01" * 31, b"\x02" * 64), "32 bytes, found 31"),
        (_answer_with(b"\x01" * 33, b"\x02" * 64), "32 bytes, found 33"),
        (_answer_with(b"\x01" * 32, b"\x02" * 63), "64 bytes, found 63"),
        (_answer_with(b"\x01" * 32, b"\x02" * 65), "64 bytes, found 65"),
    ],
)
def test_verify_refuses_malformed_answers(answer: ChallengeAnswer, message: str) -> None:
    with pytest.raises(AuthenticationFailed, match=message):
        verify_challenge_response(CHALLENGE, answer)


def test_auth_v2_message_layout_is_big_endian_length_prefixed() -> None:
    public_key = bytes(range(100, 132))
    agent_id = "a" * 300  # length 0x012C tells big from little endian

    message = auth_v2_message("wss://a.b", agent_id, public_key, b"chal")

    assert message == (
        b"orban-auth-v2\x00"
        + b"\x00\x09wss://a.b"
        + b"\x01\x2c"
        + agent_id.encode()
        + public_key
        + b"chal"
    )
    assert message.startswith(AUTH_V2_PREFIX)


def test_auth_v2_message_counts_utf8_bytes() -> None:
    message = auth_v2_message("wss://a.b", "agent-é", b"\x00" * 32, b"")

    assert message[len(AUTH_V2_PREFIX) + 11 :].startswith(b"\x00\x08agent-\xc3\xa9")


@pytest.mark.parametrize(
    ("origin", "agent_id", "public_key"),
    [
        ("wss://a.b", "x" * 65536, b"\x00" * 32),
        ("wss://a.b", "agent", b"\x00" * 31),
        ("wss://a.b/", "agent", b"\x00" * 32),
        ("ftp://a.b", "agent", b"\x00" * 32),
    ],
)
def test_auth_v2_message_refuses_bad_fields(origin: str, agent_id: str, public_key: bytes) -> None:
    with pytest.raises(ValueError):
        auth_v2_message(origin, agent_id, public_key, b"c")


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("wss://Host:443/x", "wss://host"),
        ("wss://host:444/x", "wss://host:444"),
        ("WSS://PLATFORM.Example.COM/agent/v1/connect?q=1#f", "wss://platform.example.com"),
        ("ws://127.0.0.1:8740", "ws://127.0.0.1:8740"),
        ("ws://localhost:80/", "ws://localhost"),
        ("https://a.b", "wss://a.b"),
        ("https://a.b:443", "wss://a.b"),
        ("http://a.b:443", "ws://a.b:443"),
        ("http://a.b:80", "ws://a.b"),
        ("https://a.b:80", "wss://a.b:80"),
        ("ws://[::1]:8740/x", "ws://[::1]:8740"),
        ("wss://[2001:DB8::1]", "wss://[2001:db8::1]"),
        ("wss://user:pw@a.b/", "wss://a.b"),
    ],
)
def test_platform_origin(url: str, origin: str) -> None:
    assert platform_origin(url) == origin
    assert platform_origin(origin) == origin


@pytest.mark.parametrize(
    "url", ["ftp://a.b", "a.b", "wss://", "wss:///path", "wss://a.b:99999", "wss://a.b:x", ""]
)
def test_platform_origin_refuses_non_platform_urls(url: str) -> None:
    with pytest.raises(ConfigError):
        platform_origin(url)


# --- key files ---------------------------------------------------------------------------------


def _key_file(tmp_path: Path, content: bytes = b"\x07" * 32, mode: int = 0o600) -> Path:
    path = tmp_path / "agent.key"
    path.write_bytes(content)
    path.chmod(mode)
    return path


def _symlink_to_good_key(tmp_path: Path) -> Path:
    target = _key_file(tmp_path)
    link = tmp_path / "link.key"
    link.symlink_to(target)
    return link


def _directory(tmp_path: Path) -> Path:
    path = tmp_path / "keydir"
    path.mkdir(mode=0o700)
    return path


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "key.fifo"
    os.mkfifo(path, 0o600)
    return path


BAD_KEY_FILES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("missing", lambda p: p / "absent.key", "orban-agent keygen"),
    ("mode 0644", lambda p: _key_file(p, mode=0o644), r"Permissions 0644 for .*chmod 600"),
    ("mode 0640", lambda p: _key_file(p, mode=0o640), r"Permissions 0640 for .* too open"),
    ("mode 0604", lambda p: _key_file(p, mode=0o604), r"Permissions 0604"),
    ("mode 0620", lambda p: _key_file(p, mode=0o620), r"Permissions 0620"),
    ("symlink", _symlink_to_good_key, "symbolic link"),
    ("directory", _directory, "is a directory"),
    ("fifo", _fifo, "not a regular file"),
    ("31 bytes", lambda p: _key_file(p, b"\x07" * 31), "exactly 32 raw bytes, found 31"),
    ("33 bytes", lambda p: _key_file(p, b"\x07" * 33), "exactly 32 raw bytes, found 33"),
    ("empty", lambda p: _key_file(p, b""), "exactly 32 raw bytes, found 0"),
]


@posix_only
@pytest.mark.parametrize(
    ("make", "message"),
    [(m, msg) for _, m, msg in BAD_KEY_FILES],
    ids=[i for i, *_ in BAD_KEY_FILES],
)
def test_bad_key_files_are_refused(
    tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    path = make(tmp_path)

    with pytest.raises(KeyFileError, match=message) as caught:
        Authenticator.from_private_key_file(path)
    assert str(path) in caught.value.message


@posix_only
def test_good_key_file_is_accepted(tmp_path: Path) -> None:
    path = _key_file(tmp_path, mode=0o400)

    assert Authenticator.from_private_key_file(path).public_key


@posix_only
def test_save_creates_file_0600_and_missing_parent_0700(tmp_path: Path) -> None:
    old_umask = os.umask(0o277)  # would leave the owner unable to read, if not corrected
    try:
        path = tmp_path / "fresh" / "dir" / "agent.key"
        Authenticator.generate().save(path)
    finally:
        os.umask(old_umask)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    Authenticator.from_private_key_file(path)


@posix_only
def test_save_leaves_an_existing_parent_as_it_is(tmp_path: Path) -> None:
    parent = tmp_path / "shared"
    parent.mkdir()
    parent.chmod(0o755)

    Authenticator.generate().save(parent / "agent.key")

    assert stat.S_IMODE(parent.stat().st_mode) == 0o755


def test_save_never_overwrites(tmp_path: Path) -> None:
    first, second = Authenticator.generate(), Authenticator.generate()
    path = tmp_path / "agent.key"
    first.save(path)

    with pytest.raises(KeyFileError, match="already exists") as caught:
        second.save(path)
    assert str(path) in caught.value.message
    assert Authenticator.from_private_key_file(path).public_key == first.public_key


@posix_only
def test_save_does_not_follow_a_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "agent.key"
    link.symlink_to(tmp_path / "elsewhere.key")

    with pytest.raises(KeyFileError):
        Authenticator.generate().save(link)
    assert not (tmp_path / "elsewhere.key").exists()


def test_save_into_a_file_as_parent_is_refused(tmp_path: Path) -> None:
    (tmp_path / "plain").write_bytes(b"")

    with pytest.raises(KeyFileError, match="Cannot"):
        Authenticator.generate().save(tmp_path / "plain" / "agent.key")

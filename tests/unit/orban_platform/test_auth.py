"""Challenges: single use, bound to their connection, expiring; session tokens: signed, expiring."""

from __future__ import annotations

from pathlib import Path

import pytest

from orban_desktop.errors import AuthenticationFailed
from orban_platform.auth import (
    ChallengeStore,
    Redeemed,
    TokenIssuer,
    load_or_create_signing_key,
)


def test_a_challenge_is_redeemed_once_by_its_connection_only() -> None:
    store = ChallengeStore(ttl_s=30.0)
    mine = store.issue("conn-a", now=0.0)
    assert len(mine) == 32 and store.issue("conn-b", now=0.0) != mine
    assert store.redeem("conn-c", now=1.0) == (Redeemed.UNKNOWN, b"")
    assert store.redeem("conn-a", now=1.0) == (Redeemed.OK, mine)
    assert store.redeem("conn-a", now=1.0) == (Redeemed.UNKNOWN, b"")


def test_a_challenge_expires() -> None:
    store = ChallengeStore(ttl_s=30.0)
    store.issue("conn", now=0.0)
    assert not store.expired("conn", 30.0) and store.expired("conn", 30.5)
    assert store.redeem("conn", now=30.5)[0] is Redeemed.EXPIRED


def test_a_repeating_source_is_caught() -> None:
    store = ChallengeStore(ttl_s=30.0, source=lambda: b"same bytes every time")
    store.issue("first", now=0.0)
    assert store.redeem("first", now=1.0)[0] is Redeemed.OK
    store.issue("second", now=2.0)
    assert store.redeem("second", now=3.0)[0] is Redeemed.USED
    store.sweep(now=10_000.0)  # long forgotten: the same bytes would pass again
    store.issue("third", now=10_000.0)
    assert store.redeem("third", now=10_001.0)[0] is Redeemed.OK


def test_tokens_are_eddsa_signed_and_expire(tmp_path: Path) -> None:
    key = load_or_create_signing_key(tmp_path / "platform.key")
    assert bytes(load_or_create_signing_key(tmp_path / "platform.key")) == bytes(key)
    issuer = TokenIssuer(key, "ws://127.0.0.1:8740", ttl_s=60)
    token = issuer.issue("agent-1", ["ack"], now=1000.0)
    assert token.split(".")[0] == "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9"  # {"alg":"EdDSA",...}
    claims = issuer.verify(token, now=1059.0)
    assert (claims["sub"], claims["exp"], claims["ext"]) == ("agent-1", 1060, ["ack"])
    with pytest.raises(AuthenticationFailed, match="expired"):
        issuer.verify(token, now=1061.0)
    header, body, signature = token.split(".")
    with pytest.raises(AuthenticationFailed, match="not one this platform signed"):
        issuer.verify(f"{header}.{body}x.{signature}", now=1000.0)
    other = TokenIssuer(load_or_create_signing_key(tmp_path / "other.key"), "x", 60)
    with pytest.raises(AuthenticationFailed):
        other.verify(token, now=1000.0)

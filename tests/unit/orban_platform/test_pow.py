"""PoW verification from ``solution_nonce``, and the verdicts of an agent's challenge book."""

from __future__ import annotations

import random

import pytest

from orban_desktop.protocol.messages import PowResponse
from orban_desktop.protocol.types import GpuSignature
from orban_platform.pow import (
    PowBook,
    PowVerdict,
    leading_zero_bits,
    pow_hash,
    verify_solution,
)
from tests.fixtures import protocol_keys

KEYS = protocol_keys()
NONCE = bytes.fromhex(str(KEYS["pow_nonce_hex"]))
SOLUTION = int(str(KEYS["pow_solution_nonce"]))
HASH = str(KEYS["pow_hash_hex"])


def test_the_golden_solution_verifies() -> None:
    assert pow_hash(NONCE, SOLUTION).hex() == HASH
    assert verify_solution(NONCE, 16, SOLUTION, HASH.upper())
    assert verify_solution(NONCE, 18, SOLUTION, HASH)  # 00 00 37: 16 + 2 zero bits
    assert not verify_solution(NONCE, 19, SOLUTION, HASH)
    assert not verify_solution(NONCE, 16, SOLUTION + 1, HASH)
    assert not verify_solution(NONCE, 16, SOLUTION, "00" * 32)
    assert not verify_solution(NONCE, 16, -1, HASH)


@pytest.mark.parametrize(
    ("digest", "bits"),
    [(b"\x80", 0), (b"\x01", 7), (b"\x00\x40", 9), (b"\x00\x00", 16), (bytes(32), 256)],
)
def test_leading_zero_bits_count_from_the_top(digest: bytes, bits: int) -> None:
    assert leading_zero_bits(digest) == bits


def _answer(challenge_id: str, solution: int | None, response: str = HASH) -> PowResponse:
    return PowResponse(
        challenge_id=challenge_id,
        response=response,
        computation_time_ms=1,
        gpu_signature=GpuSignature(device_uuid="GPU-0"),
        solution_nonce=solution,
    )


def _solve(nonce: bytes, difficulty: int) -> tuple[int, str]:
    n = 0
    while leading_zero_bits(pow_hash(nonce, n)) < difficulty:
        n += 1
    return n, pow_hash(nonce, n).hex()


def test_verdicts() -> None:
    book = PowBook(difficulty=6, deadline_s=10.0, mean_interval_s=0.0, rng=random.Random(1))
    right = book.challenge(now=100.0)
    assert right.deadline.seconds == 110 and right.difficulty == 6
    n, digest = _solve(right.nonce_bytes(), 6)
    assert book.judge(_answer(right.challenge_id, n, digest), now=109.0) is PowVerdict.PASSED
    assert book.judge(_answer(right.challenge_id, n, digest), now=109.0) is PowVerdict.UNKNOWN
    wrong = book.challenge(now=100.0)
    assert book.judge(_answer(wrong.challenge_id, n + 1, digest), 101.0) is PowVerdict.WRONG
    bare = book.challenge(now=100.0)
    assert book.judge(_answer(bare.challenge_id, None), 101.0) is PowVerdict.UNVERIFIABLE
    late = book.challenge(now=100.0)
    assert book.judge(_answer(late.challenge_id, 0), 111.0) is PowVerdict.LATE
    silent = book.challenge(now=100.0)
    assert book.expire(111.0) == [silent.challenge_id] and book.open_count == 0
    assert book.judge(_answer(silent.challenge_id, 0), 112.0) is PowVerdict.EXPIRED


def test_random_challenges_are_scheduled_only_when_asked() -> None:
    never = PowBook(16, 60.0, 0.0, random.Random(1))
    never.schedule_random(0.0)
    assert never.next_random_at is None
    often = PowBook(16, 60.0, 10.0, random.Random(1))
    often.schedule_random(5.0)
    assert often.next_random_at is not None and often.next_random_at > 5.0

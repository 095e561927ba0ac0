"""Proof-of-GPU-work challenges: issued at registration and at random, verified by deadline.

The puzzle is upstream's (``gpu/pow.rs``): a u64 ``n`` such that ``sha256(nonce || n as 8 bytes
little-endian)`` starts with ``difficulty`` zero bits, counted from the most significant bit of
the first byte. Upstream's agent sends only the winning hash, from which nobody can check the
work, so our protocol adds ``solution_nonce``; :func:`verify_solution` recomputes the hash from
it (a few lines of hashlib, independent of the agent's solver) and requires the reported
``response`` to be that hash. :class:`PowBook` keeps each agent's open challenges and judges the
answers. Pure: no I/O, no asyncio; imports only the protocol messages.
"""

from __future__ import annotations

import enum
import hashlib
import os
import random
import struct
import uuid
from dataclasses import dataclass

from orban_desktop.protocol.messages import PowChallenge, PowResponse
from orban_desktop.protocol.timestamps import NANOS, WireTime

NONCE_BYTES = 16
_EXPIRED_KEPT = 16


def leading_zero_bits(digest: bytes) -> int:
    """Leading zero bits of ``digest``, most significant bit of the first byte first."""
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def pow_hash(nonce: bytes, solution_nonce: int) -> bytes:
    """``sha256(nonce || solution_nonce as u64 little-endian)``."""
    return hashlib.sha256(nonce + struct.pack("<Q", solution_nonce)).digest()


def verify_solution(nonce: bytes, difficulty: int, solution_nonce: int, response_hex: str) -> bool:
    """Whether ``solution_nonce`` solves the puzzle and ``response_hex`` is its hash."""
    if not 0 <= solution_nonce < 1 << 64:
        return False
    digest = pow_hash(nonce, solution_nonce)
    return leading_zero_bits(digest) >= difficulty and response_hex.lower() == digest.hex()


class PowVerdict(enum.Enum):
    """How an answer was judged."""

    PASSED = "passed"
    WRONG = "wrong"
    LATE = "late"
    EXPIRED = "expired"  # answered after the platform had closed it unanswered (counted then)
    UNVERIFIABLE = "unverifiable"  # no solution_nonce (upstream's agent)
    UNKNOWN = "unknown"  # no such open challenge


@dataclass(frozen=True)
class OpenChallenge:
    challenge_id: str
    nonce: bytes
    difficulty: int
    deadline: float


class PowBook:
    """Open PoW challenges of one agent session.

    Args:
        difficulty: Leading zero bits asked.
        deadline_s: Time allowed for an answer.
        mean_interval_s: Mean gap between random challenges (0: no random ones).
        rng: Draws the random gaps.
    """

    def __init__(
        self, difficulty: int, deadline_s: float, mean_interval_s: float, rng: random.Random
    ) -> None:
        self._difficulty = difficulty
        self._deadline_s = deadline_s
        self._mean_interval_s = mean_interval_s
        self._rng = rng
        self._open: dict[str, OpenChallenge] = {}
        self._expired: dict[str, None] = {}  # recently closed unanswered (a late answer's id)
        self.next_random_at: float | None = None

    def schedule_random(self, now: float) -> None:
        """Draw when the next random challenge is due (exponential gaps)."""
        if self._mean_interval_s > 0:
            self.next_random_at = now + self._rng.expovariate(1.0 / self._mean_interval_s)

    def challenge(self, now: float) -> PowChallenge:
        """A new challenge, remembered until answered or expired."""
        nonce = os.urandom(NONCE_BYTES)
        entry = OpenChallenge(
            challenge_id=f"pow-{uuid.uuid4().hex[:16]}",
            nonce=nonce,
            difficulty=self._difficulty,
            deadline=now + self._deadline_s,
        )
        self._open[entry.challenge_id] = entry
        return PowChallenge(
            challenge_id=entry.challenge_id,
            nonce=nonce.hex(),
            difficulty=entry.difficulty,
            deadline=WireTime(int(entry.deadline * NANOS)),
        )

    def judge(self, answer: PowResponse, now: float) -> PowVerdict:
        """Judge an answer; the challenge is closed whatever the verdict."""
        entry = self._open.pop(answer.challenge_id, None)
        if entry is None:
            if answer.challenge_id in self._expired:
                del self._expired[answer.challenge_id]
                return PowVerdict.EXPIRED
            return PowVerdict.UNKNOWN
        if now > entry.deadline:
            return PowVerdict.LATE
        if answer.solution_nonce is None:
            return PowVerdict.UNVERIFIABLE
        if verify_solution(entry.nonce, entry.difficulty, answer.solution_nonce, answer.response):
            return PowVerdict.PASSED
        return PowVerdict.WRONG

    def expire(self, now: float) -> list[str]:
        """Close and return the challenges whose deadline passed unanswered."""
        late = [cid for cid, entry in self._open.items() if now > entry.deadline]
        for cid in late:
            del self._open[cid]
            self._expired[cid] = None
            if len(self._expired) > _EXPIRED_KEPT:
                del self._expired[next(iter(self._expired))]
        return late

    @property
    def open_count(self) -> int:
        return len(self._open)

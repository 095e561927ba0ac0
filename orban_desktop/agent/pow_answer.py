"""Answering POW_CHALLENGE within its deadline: one search at a time, never past the deadline.

:class:`PowResponder` decides at once whether a challenge can be answered in time: a deadline
already passed, or ``2**difficulty`` expected hashes at the measured hash rate taking longer than
the time left, is refused with an ERROR ``POW_FAILED`` that says why, and nothing is searched. A
challenge it takes is searched under ``asyncio.timeout(time left)``; cancelling the search stops
the worker processes before the cancellation completes (``solve_pow_async``). A new challenge
replaces the one being searched, and :meth:`PowResponder.cancel` (the session ended) stops the
search. The hash rate is measured once (a few milliseconds in a thread) and then kept up to date
from the searches themselves. Imports nothing from Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from orban_desktop.errors import OrbanError
from orban_desktop.gpu.pow import PowSolution, measure_hash_rate, solve_pow_async, workers_for
from orban_desktop.protocol import messages as m

logger = logging.getLogger(__name__)

Solver = Callable[[bytes, int], Awaitable[PowSolution]]


@dataclass
class PowAnswer:
    """A found solution, with how long it took, for POW_RESPONSE and TASK_COMPLETE's proof."""

    challenge: m.PowChallenge
    solution: PowSolution
    elapsed_ms: int


class PowResponder:
    """Takes POW_CHALLENGEs; calls ``answered`` with each solution found in time.

    Args:
        answered: Sends the POW_RESPONSE (and records the proof).
        send: Sends a frame (the ERROR for a refused or timed-out challenge).
        solve: The search (``solve_pow_async`` by default; tests pass their own).
        clock: Unix seconds (the deadline is wall-clock time).
        hash_rate: Hashes per second per worker; ``None``: measured on the first challenge.
    """

    def __init__(
        self,
        answered: Callable[[PowAnswer], Awaitable[None]],
        send: Callable[[m.Message], Awaitable[bool]],
        *,
        solve: Solver = solve_pow_async,
        clock: Callable[[], float] = time.time,
        hash_rate: float | None = None,
    ) -> None:
        self._answered = answered
        self._send = send
        self._solve = solve
        self._clock = clock
        self.hash_rate = hash_rate
        self._search: asyncio.Task[None] | None = None

    @property
    def searching(self) -> bool:
        return self._search is not None and not self._search.done()

    async def offer(self, challenge: m.PowChallenge) -> None:
        """Refuse ``challenge`` at once, or start searching it in place of any earlier one."""
        self.cancel()  # one search at a time: the newest challenge is the one that counts
        left = challenge.deadline.ns / 1e9 - self._clock()
        if left <= 0:
            return await self._refuse(challenge, f"its deadline passed {-left:.1f} s ago")
        try:
            nonce = challenge.nonce_bytes()
        except ValueError as exc:
            return await self._refuse(challenge, str(exc))
        if self.hash_rate is None:
            self.hash_rate = await asyncio.to_thread(measure_hash_rate)
        workers = workers_for(challenge.difficulty)
        expected_s = 2.0**challenge.difficulty / (self.hash_rate * workers)
        if expected_s > left:
            return await self._refuse(
                challenge,
                f"2^{challenge.difficulty} hashes at {self.hash_rate * workers / 1e6:.2f} M/s "
                f"take about {expected_s:,.0f} s, and {left:.1f} s are left",
            )
        self._search = asyncio.create_task(self._answer(challenge, nonce, left))

    def cancel(self) -> None:
        """Stop the search under way, if any (its processes end within about a second)."""
        if self._search is not None and not self._search.done():
            self._search.cancel()

    async def close(self) -> None:
        """Stop the search and wait until its workers are gone."""
        search = self._search
        self.cancel()
        if search is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await search

    async def _answer(self, challenge: m.PowChallenge, nonce: bytes, left: float) -> None:
        started = time.monotonic()
        try:
            async with asyncio.timeout(left):
                solution = await self._solve(nonce, challenge.difficulty)
        except TimeoutError:
            return await self._refuse(
                challenge, f"no solution was found before the deadline ({left:.1f} s)"
            )
        except (OrbanError, ValueError) as exc:
            return await self._refuse(challenge, str(exc))
        if solution.elapsed_s >= 0.5:  # long enough to be a measurement
            self.hash_rate = solution.hashes_tried / solution.elapsed_s / solution.workers
        elapsed_ms = int((time.monotonic() - started) * 1000)
        await self._answered(PowAnswer(challenge, solution, elapsed_ms))

    async def _refuse(self, challenge: m.PowChallenge, why: str) -> None:
        text = f"POW_CHALLENGE {challenge.challenge_id} not answered: {why}."
        logger.warning("%s", text)
        context = {"challenge_id": challenge.challenge_id}
        await self._send(
            m.Error(code="POW_FAILED", message=text, context=context, recoverable=True)
        )

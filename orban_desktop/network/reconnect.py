"""Reconnect policy: the one place that decides whether and when the agent reconnects.

docs/orban-protocol.md §8: every disconnect but an authentication failure is followed by a
reconnect after 1, 2, 4 ... 256, 300, 300 s (optionally jittered downwards); the sequence restarts
only after a session that stayed up for ``min_stable_secs`` (60 s), so a server that accepts and
drops at once cannot cause a reconnect storm; ``AUTH_FAILED`` (close 4001 is converted to it)
stops until the user acts. :func:`should_reconnect` is the rule as a pure function of the error,
:class:`ReconnectStrategy` the backoff generator, and :meth:`ReconnectStrategy.decide` combines
them into a :class:`ReconnectDecision`. Time is passed in and randomness injected, so tests need
no waiting. Imports the standard library and ``orban_desktop.errors`` only; no asyncio, no Qt,
no websockets.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum

from orban_desktop.errors import AuthenticationFailed

#: Exponents above this cannot change a capped delay; the bound keeps ``2.0 ** n`` finite.
_MAX_EXPONENT = 1000


def should_reconnect(exc: BaseException | None) -> bool:
    """Whether a session that ended with ``exc`` (``None``: it just ended) is worth redialling.

    Only a refused key is not: ``AuthenticationFailed`` (an ``AUTH_FAILED`` error or close code
    4001). A broken protocol, a lost connection, even a defect of ours is followed by a reconnect.
    """
    return not isinstance(exc, AuthenticationFailed)


class ReconnectAction(Enum):
    """What the connection loop does next."""

    RETRY = "retrying"
    WAIT_FOR_USER = "auth_failed"
    GIVE_UP = "gave_up"


@dataclass(frozen=True)
class ReconnectDecision:
    """The policy's answer: what to do, after how many seconds, and why (a code, not words).

    Attributes:
        action: Retry after ``delay_s``, or wait until the user acts (``delay_s`` is ``None``).
        delay_s: Seconds to wait before the next attempt, for ``RETRY``.
        reason: ``"retrying"``, ``"gave_up"``, ``"auth_failed"`` or ``"relay_suspected"``.
    """

    action: ReconnectAction
    delay_s: float | None
    reason: str


class ReconnectStrategy:
    """Backoff state for one platform connection, and the reconnect decision.

    Call order: :meth:`connected` once a session is up and :meth:`disconnected` when it ends;
    then :meth:`decide` with how it ended (it hands out :meth:`next_delay`); :meth:`reset` after
    the user acted on a ``GIVE_UP``. The attempt count is reset only by :meth:`reset` or by a
    session that lasted at least ``min_stable_secs``.

    Args:
        max_retries: How many delays :meth:`next_delay` hands out before it returns ``None``;
            ``None`` means without limit.
        base_delay_secs: The first delay, doubled on each attempt.
        max_delay_secs: The cap on any delay.
        jitter: Fraction in [0, 1]: each delay ``d`` is drawn uniformly from ``[d*(1-jitter), d]``.
        min_stable_secs: How long a session must stay up for the backoff to reset.
        rng: Source of jitter; a fresh ``random.Random()`` when ``None``.

    Raises:
        ValueError: A negative count, a non-positive base delay, a cap below the base delay,
            or jitter outside [0, 1].
    """

    def __init__(
        self,
        max_retries: int | None = None,
        base_delay_secs: float = 1.0,
        max_delay_secs: float = 300.0,
        jitter: float = 0.0,
        min_stable_secs: float = 60.0,
        rng: random.Random | None = None,
    ) -> None:
        if max_retries is not None and max_retries < 0:
            raise ValueError(f"max_retries must be None or >= 0, not {max_retries}")
        if not base_delay_secs > 0:
            raise ValueError(f"base_delay_secs must be > 0, not {base_delay_secs}")
        if not max_delay_secs >= base_delay_secs:
            raise ValueError(f"max_delay_secs ({max_delay_secs}) must be >= base_delay_secs")
        if not 0.0 <= jitter <= 1.0:
            raise ValueError(f"jitter must be in [0, 1], not {jitter}")
        if not min_stable_secs >= 0:
            raise ValueError(f"min_stable_secs must be >= 0, not {min_stable_secs}")
        self._max_retries = max_retries
        self._base_delay_secs = base_delay_secs
        self._max_delay_secs = max_delay_secs
        self._jitter = jitter
        self._min_stable_secs = min_stable_secs
        self._rng = rng if rng is not None else random.Random()
        self._attempts = 0
        self._connected_at: float | None = None

    @property
    def attempts(self) -> int:
        """How many delays have been handed out since the last reset."""
        return self._attempts

    def next_delay(self) -> float | None:
        """Return the seconds to wait before the next attempt, or ``None`` to give up."""
        if self._max_retries is not None and self._attempts >= self._max_retries:
            return None
        exponent = min(self._attempts, _MAX_EXPONENT)
        delay = min(self._base_delay_secs * 2.0**exponent, self._max_delay_secs)
        if self._jitter:
            delay = min(self._rng.uniform(delay * (1.0 - self._jitter), delay), delay)
        self._attempts += 1
        return delay

    def reset(self) -> None:
        """Start over: the next delay is the base delay again."""
        self._attempts = 0

    def connected(self, now: float) -> None:
        """Record that a session is up since ``now`` (monotonic seconds)."""
        self._connected_at = now

    def disconnected(self, now: float) -> None:
        """Record that the session ended; reset the backoff if it lasted ``min_stable_secs``."""
        started = self._connected_at
        self._connected_at = None
        if started is not None and now - started >= self._min_stable_secs:
            self.reset()

    def decide(self, ended_by: BaseException | None) -> ReconnectDecision:
        """What to do after a session ended with ``ended_by`` (``None``: it ended cleanly).

        A refused key waits for the user without using up an attempt; otherwise the next delay,
        or ``GIVE_UP`` once ``max_retries`` delays were handed out.
        """
        if not should_reconnect(ended_by):
            context = getattr(ended_by, "context", None) or {}
            why = "relay_suspected" if context.get("relay_suspected") else "auth_failed"
            return ReconnectDecision(ReconnectAction.WAIT_FOR_USER, None, why)
        delay = self.next_delay()
        if delay is None:
            return ReconnectDecision(ReconnectAction.GIVE_UP, None, "gave_up")
        return ReconnectDecision(ReconnectAction.RETRY, delay, "retrying")

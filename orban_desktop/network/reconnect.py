"""Reconnect policy: exponential backoff with jitter, and a pure "is this worth retrying" rule.

:class:`ReconnectStrategy` yields the delays 1, 2, 4 ... 256, 300, 300 s (optionally jittered
downwards) and resets only after a session that stayed up for ``min_stable_secs``, so a server
that accepts and drops at once cannot cause a reconnect storm. :func:`default_is_retryable` is
the policy as a pure function of the exception, and :meth:`ReconnectStrategy.retry` combines the
two around any coroutine. Time and randomness are injected, so tests need no real waiting. This
module uses asyncio, the standard library and ``orban_desktop.errors`` only; it must not import
Qt, websockets or any other part of the project.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from orban_desktop.errors import ConnectionFailed, OrbanError

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Exponents above this cannot change a capped delay; the bound keeps ``2.0 ** n`` finite.
_MAX_EXPONENT = 1000


def default_is_retryable(exc: BaseException) -> bool:
    """Say whether a failed attempt is worth retrying.

    An :class:`OrbanError` is retried when it is ``recoverable`` (so ``AuthenticationFailed``
    is not); ``OSError`` (which covers ``ConnectionError`` and ``TimeoutError``, the same class
    as ``asyncio.TimeoutError``) is retried; anything else is a bug or a refusal and is not.
    Foreign library errors (websockets' handshake errors) should be converted to the error tree
    at the boundary before they reach this rule.
    """
    if isinstance(exc, OrbanError):
        return exc.recoverable
    return isinstance(exc, OSError)  # includes ConnectionError and (asyncio.)TimeoutError


class ReconnectStrategy:
    """Backoff state for one platform connection.

    Call order: :meth:`next_delay` before each new attempt; :meth:`connected` once a session is
    up and :meth:`disconnected` when it ends; the attempt count is reset only by
    :meth:`reset` or by a session that lasted at least ``min_stable_secs``.

    Args:
        max_retries: How many delays :meth:`next_delay` hands out before it returns ``None``;
            ``None`` means without limit.
        base_delay_secs: The first delay, doubled on each attempt.
        max_delay_secs: The cap on any delay.
        jitter: Fraction in [0, 1]: each delay ``d`` is drawn uniformly from ``[d*(1-jitter), d]``.
        min_stable_secs: How long a session must stay up for the backoff to reset.
        rng: Source of jitter; a fresh ``random.Random()`` when ``None``.
        clock: Monotonic clock in seconds, used to time sessions.

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
        clock: Callable[[], float] = time.monotonic,
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
        self._clock = clock
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

    def connected(self) -> None:
        """Record that a session is up (its start is read from the clock)."""
        self._connected_at = self._clock()

    def disconnected(self) -> None:
        """Record that the session ended; reset the backoff if it lasted ``min_stable_secs``."""
        started = self._connected_at
        self._connected_at = None
        if started is not None and self._clock() - started >= self._min_stable_secs:
            self.reset()

    async def retry(
        self,
        operation: Callable[[], Awaitable[T]],
        *,
        is_retryable: Callable[[BaseException], bool] = default_is_retryable,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> T:
        """Run ``operation`` until it succeeds, sleeping :meth:`next_delay` between attempts.

        The backoff state is kept across calls (the caller brackets each session with
        :meth:`connected` / :meth:`disconnected`); this method does not reset it on success.

        Args:
            operation: Makes one attempt; called again after each retryable failure.
            is_retryable: The retry policy; a failure it refuses is re-raised at once.
            sleep: Awaited with each delay in seconds.

        Returns:
            What the first successful attempt returned.

        Raises:
            ConnectionFailed: The retries ran out; chained ``from`` the last error.
            Exception: Any error ``is_retryable`` refuses, unchanged.
        """
        calls = 0
        while True:
            calls += 1
            try:
                return await operation()
            except Exception as exc:
                if not is_retryable(exc):
                    raise
                delay = self.next_delay()
                if delay is None:
                    reason = exc.message if isinstance(exc, OrbanError) else str(exc)
                    raise ConnectionFailed(
                        f"Gave up after {calls} attempts; the last one failed with "
                        f"{type(exc).__name__}: {reason or 'no details'}. Check the network "
                        "connection and the platform URL in the configuration.",
                        context={"attempts": calls},
                    ) from exc
                logger.info(
                    "Attempt %d failed (%s: %s); retrying in %.1f s",
                    calls,
                    type(exc).__name__,
                    exc,
                    delay,
                )
                await sleep(delay)

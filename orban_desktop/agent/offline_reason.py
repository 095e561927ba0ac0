"""Why the agent is offline, in words, and what to log of it: once per outage, not per retry.

:func:`offline_detail` words the error that ended the last connection attempt for
``AgentService.state_detail`` (shown by ``status -v`` as "Why:"): "Cannot reach <url>: connection
refused. Retrying in 7 s." With nothing listening at the local platform's default address
(:data:`~orban_desktop.config.LOCAL_PLATFORM_URL`) it adds how to start that platform
(``--local-platform``, or ``orban-agent platform`` in another terminal). :class:`OutageLog`
logs each distinct reason once per outage (the hint as a warning) and keeps the retries at debug
level until :meth:`OutageLog.reset` (the agent connected again). Imports the config's constants
and the error tree, nothing from Qt.
"""

from __future__ import annotations

import errno
import logging
import socket

from orban_desktop.config import LOCAL_PLATFORM_URL, normalize_platform_url
from orban_desktop.errors import ConnectionFailed, OrbanError

logger = logging.getLogger(__name__)

LOCAL_PLATFORM_HINT = (
    "Nothing listens at the local platform's address {url}: start it with "
    "`orban-agent run --headless --local-platform` (the platform then runs inside the agent), "
    "or run `orban-agent platform` in another terminal, or set agent.platform_url to your "
    "platform."
)


def _cause_words(error: Exception) -> str | None:
    """What the socket said, in a few words (``None``: nothing more specific than the error)."""
    cause = error.__cause__
    if isinstance(cause, ConnectionRefusedError) or getattr(cause, "errno", None) == (
        errno.ECONNREFUSED
    ):
        return "connection refused"
    if isinstance(cause, socket.gaierror):
        return "the host name is not known"
    if isinstance(cause, TimeoutError):
        return "no answer (timed out)"
    return None


def is_refused_local_platform(error: Exception | None, platform_url: str) -> bool:
    """Whether ``error`` is a refused connection to the local platform's default address."""
    if not isinstance(error, ConnectionFailed) or _cause_words(error) != "connection refused":
        return False
    try:
        return normalize_platform_url(platform_url) == LOCAL_PLATFORM_URL
    except ValueError:  # not a URL the settings would take: not the local platform's
        return False


def offline_detail(
    error: Exception | None, platform_url: str, retry_in_s: float | None
) -> str | None:
    """``state_detail`` while offline after ``error`` (``None``: nothing to say)."""
    if error is None:
        return None
    retry = "" if retry_in_s is None else f" Retrying in {retry_in_s:.0f} s."
    words = _cause_words(error) if isinstance(error, ConnectionFailed) else None
    if words is not None:
        detail = f"Cannot reach {platform_url}: {words}.{retry}"
    elif isinstance(error, OrbanError):
        detail = error.message.removesuffix(" The agent keeps retrying.") + retry
    else:
        detail = f"Disconnected: {error}.{retry}"
    if is_refused_local_platform(error, platform_url):
        detail += " " + LOCAL_PLATFORM_HINT.format(url=platform_url)
    return detail


class OutageLog:
    """Logs each reason for being offline once until :meth:`reset` (the agent connected)."""

    def __init__(self) -> None:
        self._said: set[str] = set()

    def is_new(self, error: Exception, platform_url: str) -> bool:
        """Whether ``error`` is new in this outage (then it is logged; also the hint, once)."""
        key = f"{type(error).__name__}:{offline_detail(error, platform_url, None)}"
        if key in self._said:
            return False
        self._said.add(key)
        if is_refused_local_platform(error, platform_url) and "hint" not in self._said:
            self._said.add("hint")
            logger.warning("%s", LOCAL_PLATFORM_HINT.format(url=platform_url))
        return True

    def reset(self) -> None:
        self._said.clear()

"""The HTTP session for artifact transfers, and one request with vetted redirects and peer.

:func:`create_http_session` builds an aiohttp session whose name lookups go through
:class:`~orban_desktop.compute.urlpolicy.GuardedResolver`, that ignores proxy variables from the
environment and has connect/read timeouts but no total timeout (models are large): a slow
server is stopped by the rate floor instead (:class:`TransferSettings` says how: a minimum rate
over a window, and a deadline from the declared size; :func:`enforce_floor` applies it on a timer,
so a server that sends nothing at all, or one byte a second, is stopped too).
:func:`open_response` sends one request and follows up to five redirects itself, checking each
target with :func:`~orban_desktop.compute.urlpolicy.check_url` (aiohttp would follow a redirect
to a literal address without asking any resolver) and each connection's peer address. The retry
rules shared by download and upload live here too, with the loop that applies them
(:func:`with_retries`). Imports aiohttp, ``urlpolicy`` and ``rate_floor`` only, and nothing from
Qt.
"""

from __future__ import annotations

import asyncio
import logging
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from aiohttp.abc import AbstractResolver

from orban_desktop.compute.rate_floor import RateFloor
from orban_desktop.compute.urlpolicy import (
    ForbiddenAddress,
    GuardedResolver,
    UrlRefused,
    check_peer,
    check_url,
)

log = logging.getLogger(__name__)

_T = TypeVar("_T")

#: aiohttp's read buffer per connection (its default is 64 KiB): a body arrives in about 1 MiB
#: chunks instead of 64 KiB ones, a quarter of the chunks per byte (``bench_executor``).
READ_BUFFER_BYTES = 1 << 20
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class TransferSettings:
    """How transfers retry, buffer, and how slow they may be.

    Attributes:
        retries: Further attempts after the first one fails (the seed: 3).
        backoff_s: Seconds to wait before retry 1, 2, 3, ... (the last value repeats).
        write_batch_bytes: Received bytes gathered into one batch, handed to the download's
            writer and hasher threads at once (the chunks as received, never joined).
        write_queue_depth: Batches that may be in that pipeline before receiving pauses; at
            most ``write_batch_bytes * write_queue_depth`` bytes wait in memory. Both sized with
            ``bench/bench_executor.py --sweep``: larger batches cost less CPU per byte.
        min_bytes_per_s: The rate floor (``network.transfer_min_rate_kib_s``); 0: no floor.
        rate_window_s: The window the floor is measured over (``transfer_rate_window_secs``).
        deadline_grace_s: A declared size must arrive within this plus its time at the floor.
    """

    retries: int = 3
    backoff_s: tuple[float, ...] = (1.0, 2.0, 4.0)
    write_batch_bytes: int = 1 << 20
    write_queue_depth: int = 8
    min_bytes_per_s: float = 4 * 1024
    rate_window_s: float = 60.0
    deadline_grace_s: float = 120.0

    @classmethod
    def from_network(cls, section: Any) -> TransferSettings:
        """From a ``config.NetworkSection`` (read by attribute; not imported here)."""
        return cls(
            min_bytes_per_s=section.transfer_min_rate_kib_s * 1024,
            rate_window_s=float(section.transfer_rate_window_secs),
        )

    def rate_floor(self, declared_bytes: int | None = None) -> RateFloor | None:
        """A floor for one transfer starting now; ``None`` when the floor is off."""
        if self.min_bytes_per_s <= 0:
            return None
        return RateFloor(
            self.min_bytes_per_s,
            self.rate_window_s,
            started_at=time.monotonic(),
            declared_bytes=declared_bytes,
            grace_s=self.deadline_grace_s,
        )

    def delay_before(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (1-based)."""
        if not self.backoff_s:
            return 0.0
        return self.backoff_s[min(retry, len(self.backoff_s)) - 1]


class RetryableTransferError(Exception):
    """One attempt failed in a way another attempt may fix (connection lost, HTTP 5xx)."""


def is_retryable_status(status: int) -> bool:
    """HTTP statuses worth another attempt: 408, 429 and every 5xx."""
    return status in (408, 429) or 500 <= status <= 599


def refused_address(exc: BaseException) -> ForbiddenAddress | None:
    """The :class:`ForbiddenAddress` behind an aiohttp connection error, if that is the cause."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ForbiddenAddress):
            return seen
        os_error = getattr(seen, "os_error", None)
        if isinstance(os_error, ForbiddenAddress):
            return os_error
        seen = seen.__cause__ or seen.__context__
    return None


def create_http_session(
    *,
    resolver: AbstractResolver | None = None,
    connect_timeout_s: float = 30.0,
    read_timeout_s: float = 120.0,
) -> aiohttp.ClientSession:
    """A session for artifact transfers; call it inside the running event loop, close it after.

    Args:
        resolver: The lookup to guard; aiohttp's threaded resolver when ``None``.
        connect_timeout_s: Limit for opening one connection.
        read_timeout_s: Limit for one read to return data (a stalled transfer fails, then retries).
    """
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(resolver), limit=32)
    timeout = aiohttp.ClientTimeout(
        total=None, sock_connect=connect_timeout_s, sock_read=read_timeout_s
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=timeout,
        trust_env=False,
        auto_decompress=False,
        read_bufsize=READ_BUFFER_BYTES,
    )


@asynccontextmanager
async def open_response(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    data: Any = None,
    follow_redirects: bool = True,
) -> AsyncIterator[aiohttp.ClientResponse]:
    """Send one request, following vetted redirects, and yield the final response.

    Raises:
        UrlRefused: A redirect points at a URL :func:`check_url` refuses, or there are too many.
        ForbiddenAddress: The connection reached a forbidden address.
        aiohttp.ClientError: The request itself failed.
    """
    for _hop in range(MAX_REDIRECTS + 1):
        response = await session.request(
            method, url, headers=dict(headers), data=data, allow_redirects=False
        )
        try:
            check_peer(response)
            location = response.headers.get("Location")
            if follow_redirects and response.status in REDIRECT_STATUSES and location:
                url = check_url(urllib.parse.urljoin(url, location), what="redirect target")
                continue
            yield response
            return
        finally:
            response.release()
    raise UrlRefused(f"more than {MAX_REDIRECTS} redirects; giving up at {url[:200]}")


async def sleep_before_retry(settings: TransferSettings, retry: int) -> None:
    """Wait the backoff delay before retry number ``retry`` (1-based)."""
    await asyncio.sleep(settings.delay_before(retry))


async def with_retries(
    settings: TransferSettings,
    attempt_once: Callable[[], Awaitable[_T]],
    *,
    give_up: Callable[[int, RetryableTransferError], Exception],
    what: str,
) -> tuple[_T, int]:
    """Await ``attempt_once()`` until it succeeds, with ``settings.retries`` retries and backoff.

    Only a :class:`RetryableTransferError` is retried (each retry is logged as ``"<what> failed
    (<error>); retry <n>"``); anything else an attempt raises ends it at once.

    Args:
        settings: The number of retries and the backoff.
        attempt_once: Makes one attempt.
        give_up: Makes the error raised, from the last one, once the retries are spent; it gets
            the number of attempts made and the last attempt's error.
        what: The transfer in the log, e.g. ``"download of <url>"``.

    Returns:
        What the attempt that succeeded returned, and the number of attempts made (1-based).
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return await attempt_once(), attempt
        except RetryableTransferError as exc:
            if attempt > settings.retries:
                raise give_up(attempt, exc) from exc
            log.warning("%s failed (%s); retry %d", what, exc, attempt)
            await sleep_before_retry(settings, attempt)


async def enforce_floor(floor: RateFloor | None, work: Awaitable[_T]) -> _T:
    """Await ``work`` while ``floor`` holds: checked on a timer, so a stall trips it too.

    The floor is checked when it could next trip, and at least every ``max_check_interval_s``
    (a size declared meanwhile may bring its deadline forward).

    Raises:
        TransferTooSlow: The floor tripped; ``work`` was cancelled (and awaited) first.
    """
    if floor is None:
        return await work
    task = asyncio.ensure_future(work)
    try:
        while not task.done():
            now = time.monotonic()
            floor.check(now)
            wake = min(floor.next_check_at(now), now + floor.max_check_interval_s)
            await asyncio.wait([task], timeout=wake - now)
        return task.result()
    finally:
        if not task.done():
            task.cancel()
            await asyncio.wait([task])
        if task.done() and not task.cancelled():
            task.exception()  # retrieved: the error being raised is the one to report

"""Streaming upload of a task's result: HTTP PUT of the file with its SHA-256 in a header.

:func:`upload` PUTs the file's bytes (aiohttp reads them in worker threads, chunk by chunk,
never all in memory) to the task's ``output_url`` with ``Content-Length`` and ``X-Orban-SHA256:
<hex>``. Any 2xx is success; 408, 429, 5xx and lost connections are retried 3 times with
backoff; any other status (redirects included: an upload never follows one) fails at once. The
rate floor of ``TransferSettings`` (bytes handed to the connection over a sliding window, and a
deadline from the file's size) spans the attempts and is checked on a timer, so a server that
reads the body very slowly, or not at all, fails the upload within about one window; that is not
retried. Imports aiohttp and the compute transfer helpers only, and nothing from Qt.
"""

from __future__ import annotations

import asyncio
import functools
import io
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from orban_desktop.compute.http import (
    RetryableTransferError,
    TransferSettings,
    enforce_floor,
    is_retryable_status,
    open_response,
    refused_address,
    with_retries,
)
from orban_desktop.compute.rate_floor import RateFloor, TransferTooSlow
from orban_desktop.compute.urlpolicy import ForbiddenAddress
from orban_desktop.errors import UploadFailed

SHA256_HEADER = "X-Orban-SHA256"


@dataclass(frozen=True)
class Uploaded:
    """A finished upload: the URL, the HTTP status, seconds taken and attempts made."""

    url: str
    status: int
    seconds: float
    attempts: int


class _CountingReader(io.BufferedReader):
    """A file aiohttp streams from (it reads in worker threads); reports progress to the loop."""

    def __init__(self, raw: io.FileIO, report: Callable[[int], None]) -> None:
        super().__init__(raw, buffer_size=1 << 20)
        self._report = report
        self._sent = 0

    def read(self, size: int | None = -1, /) -> bytes:
        chunk = super().read(size)
        self._sent += len(chunk)
        self._report(self._sent)
        return chunk


async def _open_counting(
    path: Path, on_progress: Callable[[int], None] | None, floor: RateFloor | None
) -> _CountingReader:
    """The file to stream; ``on_progress`` and ``floor`` hear of each chunk on the loop."""
    loop = asyncio.get_running_loop()
    counted = 0

    def on_loop(sent: int) -> None:
        nonlocal counted
        if floor is not None:
            floor.feed(sent - counted, time.monotonic())
        counted = sent
        if on_progress is not None:
            on_progress(sent)

    def report(sent: int) -> None:
        loop.call_soon_threadsafe(on_loop, sent)

    raw = await asyncio.to_thread(io.FileIO, path, "rb")
    return _CountingReader(raw, report)


async def upload(
    session: aiohttp.ClientSession,
    url: str,
    path: Path,
    *,
    sha256_hex: str,
    size_bytes: int,
    on_progress: Callable[[int], None] | None = None,
    settings: TransferSettings | None = None,
) -> Uploaded:
    """PUT the file at ``path`` to ``url``.

    Args:
        session: An aiohttp session, ideally from ``create_http_session``.
        url: An already checked URL (``check_url``).
        path: The result file; it must not change during the upload.
        sha256_hex: Lowercase hex SHA-256 of the file, sent as ``X-Orban-SHA256``.
        size_bytes: The file's size, sent as ``Content-Length``.
        on_progress: Called with the bytes sent so far in the current attempt.
        settings: Retries and the rate floor; the defaults when ``None``.

    Raises:
        UploadFailed: After the retries, or at once for a refused address, a 3xx/4xx answer
            other than 408 and 429, or a transfer below the rate floor or past its deadline.
    """
    settings = settings or TransferSettings()
    started = time.monotonic()
    headers = {
        SHA256_HEADER: sha256_hex,
        "Content-Type": "application/octet-stream",
        "Content-Length": str(size_bytes),
    }

    def give_up(attempts: int, exc: RetryableTransferError) -> UploadFailed:
        return UploadFailed(
            f"Could not upload the result to {url} after {attempts} attempts: {exc}. "
            "Check the network connection.",
            context={"url": url, "attempts": attempts},
        )

    floor = settings.rate_floor(size_bytes)
    put_once = functools.partial(_put_once, session, url, path, headers, on_progress, floor)
    try:
        status, attempts = await enforce_floor(
            floor, with_retries(settings, put_once, give_up=give_up, what=f"upload to {url}")
        )
    except TransferTooSlow as exc:
        raise UploadFailed(
            exc.describe("upload", "to", url), context={"url": url, **exc.context()}
        ) from exc
    return Uploaded(url, status, time.monotonic() - started, attempts)


async def _put_once(
    session: aiohttp.ClientSession,
    url: str,
    path: Path,
    headers: Mapping[str, str],
    on_progress: Callable[[int], None] | None,
    floor: RateFloor | None,
) -> int:
    """One PUT of the file; returns the 2xx status (a lost connection or 408/429/5xx: retryable)."""
    body = await _open_counting(path, on_progress, floor)
    try:
        try:
            async with open_response(
                session, "PUT", url, headers=headers, data=body, follow_redirects=False
            ) as response:
                status, reason = response.status, response.reason
        finally:
            await asyncio.to_thread(body.close)  # waits for a read still in a thread
    except ForbiddenAddress as exc:
        raise UploadFailed(f"Refused to upload to {url}: {exc}", context={"url": url}) from exc
    except (aiohttp.ClientError, TimeoutError, ConnectionError) as exc:
        if (forbidden := refused_address(exc)) is not None:
            raise UploadFailed(
                f"Refused to upload to {url}: {forbidden}", context={"url": url}
            ) from exc
        raise RetryableTransferError(str(exc)) from exc
    if 200 <= status <= 299:
        return status
    if not is_retryable_status(status):
        raise UploadFailed(
            f"{url} refused the result with HTTP {status} {reason}; not retried.",
            context={"url": url, "status": status},
        )
    raise RetryableTransferError(f"HTTP {status} {reason}")

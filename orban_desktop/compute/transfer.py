"""Streaming download with SHA-256 computed in the same pass, a size cap, resume and retries.

:func:`download` GETs a URL into a file. The bytes are hashed as they arrive (one pass: each
batch goes at once to the download's writer thread and to its hasher thread, which work side by
side while the next batches arrive; :class:`~orban_desktop.compute.sink.HashingFile`), the
size is capped by what the task declared, a broken connection is resumed with ``Range`` from
the bytes already written (a server that answers 200 instead of 206 starts the file over), and
a failed attempt is retried 3 times with backoff, as the seed's DownloadFailed says. A rate floor
(``TransferSettings.min_bytes_per_s`` over ``rate_window_s``, and a deadline from the declared
size) spans the attempts and is checked on a timer, so a server that trickles or stalls fails
the download within about one window; that failure is not retried (a slow server must not hold
the task's slot four times over). A hash or size that does not match, and a tripped floor,
delete the file. Uploads are in ``upload.py``. Imports aiohttp and the compute transfer helpers
only, and nothing from Qt.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
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
from orban_desktop.compute.sink import HashingFile
from orban_desktop.compute.urlpolicy import ForbiddenAddress, UrlRefused
from orban_desktop.errors import DownloadFailed

log = logging.getLogger(__name__)

#: ``on_progress(bytes_received, bytes_expected_or_None)``.
ProgressCallback = Callable[[int, int | None], None]


@dataclass(frozen=True)
class Downloaded:
    """A finished download: where, how big, its hash and how long it took (seconds)."""

    path: Path
    size_bytes: int
    sha256_hex: str
    seconds: float
    attempts: int


async def download(
    session: aiohttp.ClientSession,
    url: str,
    dest: Path,
    *,
    max_bytes: int,
    exact_size: int | None = None,
    expected_sha256: str | None = None,
    on_progress: ProgressCallback | None = None,
    settings: TransferSettings | None = None,
) -> Downloaded:
    """Download ``url`` into ``dest`` (replaced), hashing while streaming.

    Args:
        session: An aiohttp session, ideally from ``create_http_session``.
        url: An already checked URL (``check_url``); redirects are checked here.
        dest: The file to write; deleted again on any failure.
        max_bytes: More bytes than this (declared or sent) fails the download at once.
        exact_size: When given, the finished file must have exactly this size.
        expected_sha256: When given (lowercase hex), the finished file must hash to it.
        on_progress: Called after each written batch with (bytes so far, expected total).
        settings: Retries, buffering and the rate floor; the defaults when ``None``.

    Raises:
        DownloadFailed: After the retries, or at once for a refused URL or address, an HTTP
            4xx, a size over the cap, a wrong size, a wrong hash, or a transfer below the rate
            floor or past its deadline. The message names the URL (the host, for the floor)
            and, for a hash mismatch, the expected and the actual hash.
    """
    settings = settings or TransferSettings()
    started = time.monotonic()
    small = exact_size is not None and exact_size <= 2 * settings.write_batch_bytes
    sink = await HashingFile.create(dest, settings.write_queue_depth, small=small)
    floor = settings.rate_floor(exact_size)

    def give_up(attempts: int, exc: RetryableTransferError) -> DownloadFailed:
        return DownloadFailed(
            f"Could not download {url} after {attempts} attempts: {exc}. "
            "Check the network connection; the platform will offer the task again.",
            context={"url": url, "attempts": attempts},
        )

    fetch_once = functools.partial(
        _fetch_once, session, url, sink, max_bytes, exact_size, on_progress, settings, floor
    )
    try:
        _, attempts = await enforce_floor(
            floor, with_retries(settings, fetch_once, give_up=give_up, what=f"download of {url}")
        )
        size, digest = await sink.finish()
    except TransferTooSlow as exc:
        await sink.discard()
        raise DownloadFailed(
            exc.describe("download", "from", url), context={"url": url, **exc.context()}
        ) from exc
    except BaseException:
        await sink.discard()
        raise
    if exact_size is not None and size != exact_size:
        await sink.delete()
        raise DownloadFailed(
            f"{url} sent {size} bytes but the task said {exact_size}; the file was deleted.",
            context={"url": url, "expected_size": exact_size, "actual_size": size},
        )
    if expected_sha256 is not None and digest != expected_sha256.lower():
        await sink.delete()
        raise DownloadFailed(
            f"{url} does not match its hash: expected sha256:{expected_sha256.lower()}, got "
            f"sha256:{digest}. The file was deleted.",
            context={"url": url, "expected": expected_sha256.lower(), "actual": digest},
        )
    return Downloaded(dest, size, digest, time.monotonic() - started, attempts)


def _range_start(content_range: str | None) -> int | None:
    """The first byte of ``Content-Range: bytes <start>-<end>/<total>``, or ``None``."""
    if not content_range or not content_range.startswith("bytes "):
        return None
    first = content_range[6:].split("-", 1)[0].strip()
    return int(first) if first.isdigit() else None


async def _fetch_once(
    session: aiohttp.ClientSession,
    url: str,
    sink: HashingFile,
    max_bytes: int,
    exact_size: int | None,
    on_progress: ProgressCallback | None,
    settings: TransferSettings,
    floor: RateFloor | None,
) -> None:
    headers = {"Accept-Encoding": "identity"}
    if sink.size:
        headers["Range"] = f"bytes={sink.size}-"
    try:
        async with open_response(session, "GET", url, headers=headers) as response:
            if response.status == 206 and sink.size:
                if _range_start(response.headers.get("Content-Range")) != sink.size:
                    await sink.restart()
                    raise RetryableTransferError("the server resumed at the wrong offset")
            elif response.status == 200:
                if sink.size:
                    log.info("%s ignored the Range request; starting over", url)
                    await sink.restart()
            elif response.status == 416 and sink.size and sink.size == exact_size:
                return  # the previous attempt already had every byte
            elif is_retryable_status(response.status):
                raise RetryableTransferError(f"HTTP {response.status} {response.reason}")
            else:
                raise DownloadFailed(
                    f"{url} answered HTTP {response.status} {response.reason}; not retried.",
                    context={"url": url, "status": response.status},
                )
            declared = response.content_length
            total = sink.size + declared if declared is not None else exact_size
            if declared is not None and sink.size + declared > max_bytes:
                raise DownloadFailed(
                    f"{url} declares {sink.size + declared} bytes, more than the {max_bytes} "
                    "the task allows; refused.",
                    context={"url": url, "declared": sink.size + declared, "cap": max_bytes},
                )
            if floor is not None and total is not None:
                floor.declare(total)
            await _stream_body(url, response, sink, max_bytes, total, on_progress, settings, floor)
            if declared is None and exact_size is not None and sink.size < exact_size:
                raise RetryableTransferError("the connection closed before the end of the file")
    except (UrlRefused, ForbiddenAddress) as exc:
        raise DownloadFailed(
            f"Refused to download from {url}: {exc}", context={"url": url}
        ) from exc
    except (aiohttp.ClientError, TimeoutError, ConnectionError) as exc:
        if (forbidden := refused_address(exc)) is not None:
            raise DownloadFailed(
                f"Refused to download from {url}: {forbidden}", context={"url": url}
            ) from exc
        raise RetryableTransferError(f"{type(exc).__name__}: {exc}") from exc


async def _stream_body(
    url: str,
    response: aiohttp.ClientResponse,
    sink: HashingFile,
    max_bytes: int,
    total: int | None,
    on_progress: ProgressCallback | None,
    settings: TransferSettings,
    floor: RateFloor | None,
) -> None:
    batch: list[bytes] = []
    batch_bytes = 0
    try:
        async for chunk in response.content.iter_any():
            if floor is not None:
                floor.feed(len(chunk), time.monotonic())
            if sink.size + batch_bytes + len(chunk) > max_bytes:
                raise DownloadFailed(
                    f"{url} sent more than the {max_bytes} bytes the task allows; stopped.",
                    context={"url": url, "cap": max_bytes},
                )
            batch.append(chunk)
            batch_bytes += len(chunk)
            if batch_bytes >= settings.write_batch_bytes:
                await sink.write(batch)  # the sink keeps this list: start a new one
                batch, batch_bytes = [], 0
                if on_progress is not None:
                    on_progress(sink.size, total)
                # While bytes keep arriving, neither reading the buffer nor a write queue with
                # room suspends this task: give the loop a turn once a batch (issue 21: lag).
                await asyncio.sleep(0)
    finally:
        if batch:  # bytes that arrived before a break are good: keep them for the resume
            await sink.write(batch)
    if on_progress is not None:
        on_progress(sink.size, total)

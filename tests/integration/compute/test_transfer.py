"""Downloads and uploads against a real HTTP server on loopback."""

from __future__ import annotations

import os
import socket
import time
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from orban_desktop.compute.http import TransferSettings, create_http_session
from orban_desktop.compute.transfer import download
from orban_desktop.compute.upload import upload
from orban_desktop.errors import DownloadFailed, UploadFailed
from tests.integration.compute.artifact_server import ArtifactServer
from tests.unit.compute.factories import sha256_hex

FAST = TransferSettings(retries=3, backoff_s=(0.01,), write_batch_bytes=64 * 1024)
DATA = os.urandom(3 * 1024 * 1024 + 17)


async def test_a_download_streams_hashes_and_reports_progress(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    server.files["model"] = DATA
    progress: list[tuple[int, int | None]] = []
    done = await download(
        session, server.url("/files/model"), tmp_path / "model", max_bytes=len(DATA),
        exact_size=len(DATA), expected_sha256=sha256_hex(DATA),
        on_progress=lambda got, total: progress.append((got, total)), settings=FAST,
    )  # fmt: skip
    assert (tmp_path / "model").read_bytes() == DATA
    assert (done.size_bytes, done.sha256_hex, done.attempts) == (len(DATA), sha256_hex(DATA), 1)
    assert progress[-1] == (len(DATA), len(DATA))
    assert [got for got, _ in progress] == sorted(got for got, _ in progress)
    assert len(progress) > 2


async def test_a_hash_mismatch_deletes_the_file_and_names_both_hashes(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    server.files["model"] = b"tampered weights"
    wanted = sha256_hex(b"original weights")
    with pytest.raises(DownloadFailed) as caught:
        await download(
            session, server.url("/files/model"), tmp_path / "model", max_bytes=100,
            expected_sha256=wanted, settings=FAST,
        )  # fmt: skip
    message = str(caught.value)
    assert f"expected sha256:{wanted}" in message
    assert f"got sha256:{sha256_hex(b'tampered weights')}" in message
    assert not (tmp_path / "model").exists()
    assert server.hits["/files/model"] == 1  # a wrong hash is not retried


async def test_a_declared_size_over_the_cap_is_refused_at_once(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    server.files["model"] = b"small"
    with pytest.raises(DownloadFailed, match="declares 1073741824 bytes, more than the 5"):
        await download(session, server.url("/lie/model"), tmp_path / "m", max_bytes=5,
                       settings=FAST)  # fmt: skip
    assert not (tmp_path / "m").exists()


async def test_a_body_over_the_cap_is_cut_off(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    server.files["model"] = DATA
    with pytest.raises(DownloadFailed, match="sent more than the 100000 bytes"):
        await download(session, server.url("/chunked/model"), tmp_path / "m", max_bytes=100_000,
                       settings=FAST)  # fmt: skip
    assert not (tmp_path / "m").exists()


async def test_a_short_file_fails_the_exact_size(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    server.files["input"] = b"12345"
    with pytest.raises(DownloadFailed, match="sent 5 bytes but the task said 6"):
        await download(session, server.url("/files/input"), tmp_path / "in", max_bytes=6,
                       exact_size=6, settings=FAST)  # fmt: skip
    assert not (tmp_path / "in").exists()


async def test_a_broken_connection_is_resumed_with_range(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    server.files["model"] = DATA
    done = await download(
        session, server.url("/break/model"), tmp_path / "model", max_bytes=len(DATA),
        exact_size=len(DATA), expected_sha256=sha256_hex(DATA), settings=FAST,
    )  # fmt: skip
    assert done.attempts == 2
    assert (tmp_path / "model").read_bytes() == DATA
    ranges = [r for method, path, r in server.requests if path == "/break/model"]
    assert ranges[0] is None
    assert ranges[1] is not None and int(ranges[1][6:-1]) > 0


async def test_a_server_that_ignores_range_starts_the_file_over(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    server.files["model"] = DATA
    done = await download(
        session, server.url("/norange/model"), tmp_path / "model", max_bytes=len(DATA),
        expected_sha256=sha256_hex(DATA), settings=FAST,
    )  # fmt: skip
    assert done.attempts == 2 and done.size_bytes == len(DATA)
    assert (tmp_path / "model").read_bytes() == DATA


async def test_server_errors_are_retried(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    server.files["model"] = b"eventually"
    done = await download(session, server.url("/flaky/model"), tmp_path / "m", max_bytes=10,
                          settings=FAST)  # fmt: skip
    assert done.attempts == 3 and (tmp_path / "m").read_bytes() == b"eventually"


async def test_retries_run_out_after_three(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    with pytest.raises(DownloadFailed, match="after 4 attempts: HTTP 502"):
        await download(session, server.url("/status/502"), tmp_path / "m", max_bytes=10,
                       settings=FAST)  # fmt: skip
    assert server.hits["/status/502"] == 4


async def test_a_client_error_is_not_retried(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    with pytest.raises(DownloadFailed, match="HTTP 404"):
        await download(session, server.url("/status/404"), tmp_path / "m", max_bytes=10,
                       settings=FAST)  # fmt: skip
    assert server.hits["/status/404"] == 1


async def test_a_closed_port_fails_after_retries(
    session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DownloadFailed, match="after 4 attempts"):
        await download(session, f"http://127.0.0.1:{port}/x", tmp_path / "m", max_bytes=10,
                       settings=FAST)  # fmt: skip


@pytest.mark.parametrize(
    ("target", "text"),
    [
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://[fe80::1]/x", "link-local"),
        ("file:///etc/passwd", "scheme"),
        ("http://example.com/x", "plain http://"),
    ],
)
async def test_redirects_to_refused_urls_are_not_followed(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path, target: str, text: str
) -> None:
    url = server.url("/redirect") + "?to=" + target
    with pytest.raises(DownloadFailed, match=f"Refused to download .*{text}"):
        await download(session, url, tmp_path / "m", max_bytes=10, settings=FAST)
    assert server.hits["/redirect"] == 1


async def test_a_vetted_redirect_is_followed(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    server.files["model"] = b"moved"
    url = server.url("/redirect") + "?to=" + server.url("/files/model")
    done = await download(session, url, tmp_path / "m", max_bytes=10, settings=FAST)
    assert done.sha256_hex == sha256_hex(b"moved")


class PointsAt(AbstractResolver):
    """Resolves every name to one address: DNS the test controls."""

    def __init__(self, address: str) -> None:
        self.address = address

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [ResolveResult(hostname=host, host=self.address, port=port, family=family,
                              proto=0, flags=0)]  # fmt: skip

    async def close(self) -> None:
        pass


async def test_a_name_resolving_to_link_local_is_refused_before_connecting(
    tmp_path: Path,
) -> None:
    http = create_http_session(resolver=PointsAt("169.254.169.254"))
    try:
        with pytest.raises(DownloadFailed, match=r"resolves to 169\.254\.169\.254"):
            await download(http, "https://artifacts.example/model", tmp_path / "m",
                           max_bytes=10, settings=FAST)  # fmt: skip
    finally:
        await http.close()


async def test_an_upload_streams_the_file_with_its_hash(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    (tmp_path / "result").write_bytes(DATA)
    sent: list[int] = []
    done = await upload(
        session, server.url("/upload/r1"), tmp_path / "result", sha256_hex=sha256_hex(DATA),
        size_bytes=len(DATA), on_progress=sent.append, settings=FAST,
    )  # fmt: skip
    stored = server.uploads["r1"]
    assert stored.body == DATA
    assert stored.sha256_header == sha256_hex(DATA)
    assert stored.content_length == str(len(DATA))
    assert (done.status, done.attempts) == (201, 1)
    assert sent[-1] == len(DATA)


async def test_an_upload_is_retried_after_a_server_error(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    (tmp_path / "result").write_bytes(b"42\n")
    done = await upload(session, server.url("/upload-flaky/r2"), tmp_path / "result",
                        sha256_hex=sha256_hex(b"42\n"), size_bytes=3, settings=FAST)  # fmt: skip
    assert done.attempts == 2 and server.uploads["r2"].body == b"42\n"


@pytest.mark.parametrize(("status", "attempts"), [(403, 1), (409, 1), (302, 1), (429, 4)])
async def test_upload_statuses(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path, status: int,
    attempts: int,
) -> None:  # fmt: skip
    (tmp_path / "result").write_bytes(b"x")
    with pytest.raises(UploadFailed, match=f"HTTP {status}"):
        await upload(session, server.url(f"/upload-status/{status}"), tmp_path / "result",
                     sha256_hex=sha256_hex(b"x"), size_bytes=1, settings=FAST)  # fmt: skip
    assert server.hits[f"/upload-status/{status}"] == attempts


FLOOR = TransferSettings(
    retries=3, backoff_s=(0.01,), write_batch_bytes=64 * 1024, min_bytes_per_s=1024,
    rate_window_s=1.0,
)  # fmt: skip


async def test_a_trickling_server_trips_the_floor_once_without_retries(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    server.files["model"] = b"x" * 4096  # 1 byte every 0.2 s: 13 minutes
    started = time.monotonic()
    with pytest.raises(DownloadFailed) as caught:
        await download(session, server.url("/trickle/model"), tmp_path / "m", max_bytes=4096,
                       settings=FLOOR)  # fmt: skip
    elapsed = time.monotonic() - started
    message = str(caught.value)
    assert f"The download from 127.0.0.1:{server.port} was too slow" in message
    assert (
        "in the last 1 s, below the floor of 1 KiB/s (network.transfer_min_rate_kib_s)" in message
    )
    assert caught.value.context["rule"] == "window"
    assert 0 < caught.value.context["moved_bytes"] < 1024
    assert 0.9 <= elapsed < 2.0  # within about one window of one, not after retries
    assert server.hits["/trickle/model"] == 1
    assert not (tmp_path / "m").exists()


async def test_a_stalled_server_trips_the_floor_before_the_read_timeout(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    server.files["model"] = DATA  # headers, then nothing; the session's read timeout is 10 s
    started = time.monotonic()
    with pytest.raises(DownloadFailed, match="0 bytes in the last 1 s, below the floor"):
        await download(session, server.url("/stall/model"), tmp_path / "m", max_bytes=len(DATA),
                       exact_size=len(DATA), settings=FLOOR)  # fmt: skip
    assert time.monotonic() - started < 2.0
    assert server.hits["/stall/model"] == 1
    assert not (tmp_path / "m").exists()


async def test_a_declared_size_sets_a_deadline(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    server.files["model"] = b"y" * 1024  # declared: 1 KiB at 1 KiB/s plus 0.5 s is 1.5 s
    settings = replace(FLOOR, rate_window_s=10.0, deadline_grace_s=0.5)  # the window never ends
    started = time.monotonic()
    with pytest.raises(DownloadFailed) as caught:
        await download(session, server.url("/trickle/model"), tmp_path / "m", max_bytes=1024,
                       settings=settings)  # fmt: skip
    assert str(caught.value).endswith(
        f"The download of 1.0 KiB from 127.0.0.1:{server.port} did not finish within its 1.5 s "
        "deadline (declared size at 1 KiB/s plus 0.5 s). The task was handed back."
    )
    assert caught.value.context["rule"] == "deadline"
    assert 1.4 <= time.monotonic() - started < 2.5
    assert server.hits["/trickle/model"] == 1
    assert not (tmp_path / "m").exists()


async def test_a_steady_slow_download_above_the_floor_finishes(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    data = os.urandom(12 * 1024)  # 512 bytes every 0.05 s: about 10 KiB/s for 1.2 s
    server.files["model"] = data
    server.trickle_bytes, server.trickle_interval_s = 512, 0.05
    done = await download(
        session, server.url("/trickle/model"), tmp_path / "m", max_bytes=len(data),
        exact_size=len(data), expected_sha256=sha256_hex(data), settings=FLOOR,
    )  # fmt: skip
    assert done.seconds > FLOOR.rate_window_s and done.attempts == 1
    assert (tmp_path / "m").read_bytes() == data


async def test_a_floor_of_zero_lets_a_stall_run_into_the_read_timeout(
    server: ArtifactServer, tmp_path: Path
) -> None:
    server.files["model"] = b"z" * 100
    http = create_http_session(read_timeout_s=0.5)
    try:
        with pytest.raises(DownloadFailed, match="after 1 attempts: SocketTimeoutError"):
            await download(http, server.url("/stall/model"), tmp_path / "m", max_bytes=100,
                           settings=replace(FLOOR, retries=0, min_bytes_per_s=0))  # fmt: skip
    finally:
        await http.close()


async def test_an_upload_to_a_server_that_reads_slowly_trips_the_floor(
    server: ArtifactServer, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    size = 48 << 20  # more than the socket buffers take in at once
    (tmp_path / "result").write_bytes(b"r" * size)
    started = time.monotonic()
    with pytest.raises(UploadFailed) as caught:
        await upload(session, server.url("/upload-slow/r3"), tmp_path / "result",
                     sha256_hex="0" * 64, size_bytes=size,
                     settings=replace(FLOOR, min_bytes_per_s=256 * 1024))  # fmt: skip
    message = str(caught.value)
    assert f"The upload to 127.0.0.1:{server.port} was too slow" in message
    assert "below the floor of 256 KiB/s (network.transfer_min_rate_kib_s)" in message
    assert time.monotonic() - started < 3.0
    assert server.hits["/upload-slow/r3"] == 1

"""Downloads and uploads against a real HTTP server on loopback."""

from __future__ import annotations

import os
import socket
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

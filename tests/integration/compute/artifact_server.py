"""A real HTTP server on loopback that serves artifacts and takes uploads, with bad habits.

Routes (``name`` is a key of :attr:`ArtifactServer.files`):

- ``GET /files/{name}``: the bytes, honouring ``Range`` (206) like the platform.
- ``GET /break/{name}``: the first request sends half the bytes and drops the connection;
  later ones behave like ``/files``.
- ``GET /norange/{name}``: like ``/break`` but ignores ``Range`` (always 200, whole file).
- ``GET /lie/{name}``: declares ``Content-Length`` of 1 GiB.
- ``GET /chunked/{name}``: chunked encoding, no length.
- ``GET /flaky/{name}``: two 503 answers, then the file.
- ``GET /status/{code}``: that status.
- ``GET /redirect?to=URL``: 302 to ``URL``.
- ``GET /trickle/{name}``: declares the length, then sends :attr:`ArtifactServer.trickle_bytes`
  every :attr:`ArtifactServer.trickle_interval_s` seconds (1 byte every 0.2 s by default).
- ``GET /stall/{name}``: declares the length, then sends nothing until the client goes away.
- ``PUT /upload/{name}``: stores the body and the ``X-Orban-SHA256`` header, 201.
- ``PUT /upload-flaky/{name}``: a 500, then like ``/upload``.
- ``PUT /upload-status/{code}``: that status.
- ``PUT /upload-slow/{name}``: reads the body 1 KiB every 0.1 s; drops the connection after
  :data:`SLOW_UPLOAD_S`.

The slow download routes give up after :data:`SLOW_LIMIT_S`, so stopping the server never waits
long.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

SLOW_LIMIT_S = 15.0
SLOW_UPLOAD_S = 2.5


@dataclass
class Upload:
    body: bytes
    sha256_header: str | None
    content_length: str | None


@dataclass
class ArtifactServer:
    files: dict[str, bytes] = field(default_factory=dict)
    uploads: dict[str, Upload] = field(default_factory=dict)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)  # method, path, Range
    hits: Counter[str] = field(default_factory=Counter)
    trickle_bytes: int = 1
    trickle_interval_s: float = 0.2
    slow_upload_read: int = 0  # bytes the slow upload route has read so far
    port: int = 0
    _runner: web.AppRunner | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 << 20)
        app.router.add_get("/files/{name}", self._files)
        app.router.add_get("/break/{name}", self._break)
        app.router.add_get("/norange/{name}", self._norange)
        app.router.add_get("/lie/{name}", self._lie)
        app.router.add_get("/chunked/{name}", self._chunked)
        app.router.add_get("/flaky/{name}", self._flaky)
        app.router.add_get("/status/{code}", self._status)
        app.router.add_get("/redirect", self._redirect)
        app.router.add_get("/trickle/{name}", self._trickle)
        app.router.add_get("/stall/{name}", self._stall)
        app.router.add_put("/upload-slow/{name}", self._upload_slow)
        app.router.add_put("/upload/{name}", self._upload)
        app.router.add_put("/upload-flaky/{name}", self._upload_flaky)
        app.router.add_put("/upload-status/{code}", self._status)
        app.middlewares.append(self._record)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _record(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        self.requests.append((request.method, request.path, request.headers.get("Range")))
        self.hits[request.path] += 1
        return await handler(request)

    def _data(self, request: web.Request) -> bytes:
        return self.files[request.match_info["name"]]

    async def _files(self, request: web.Request) -> web.StreamResponse:
        data = self._data(request)
        wanted = request.headers.get("Range", "")
        if wanted.startswith("bytes=") and wanted.endswith("-"):
            start = int(wanted[6:-1])
            if start >= len(data):
                return web.Response(status=416)
            return web.Response(
                status=206,
                body=data[start:],
                headers={"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"},
            )
        return web.Response(body=data)

    async def _half_then_drop(self, request: web.Request, data: bytes) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": str(len(data))})
        await response.prepare(request)
        await response.write(data[: len(data) // 2])
        assert request.transport is not None
        request.transport.abort()
        return response

    async def _break(self, request: web.Request) -> web.StreamResponse:
        if self.hits[request.path] == 1:
            return await self._half_then_drop(request, self._data(request))
        return await self._files(request)

    async def _norange(self, request: web.Request) -> web.StreamResponse:
        if self.hits[request.path] == 1:
            return await self._half_then_drop(request, self._data(request))
        return web.Response(body=self._data(request))

    async def _lie(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": str(1 << 30)})
        await response.prepare(request)
        await response.write(self._data(request))
        return response

    async def _chunked(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        data = self._data(request)
        for start in range(0, len(data), 4096):
            await response.write(data[start : start + 4096])
        await response.write_eof()
        return response

    async def _flaky(self, request: web.Request) -> web.StreamResponse:
        if self.hits[request.path] <= 2:
            return web.Response(status=503, text="busy")
        return await self._files(request)

    async def _status(self, request: web.Request) -> web.StreamResponse:
        if request.can_read_body:
            await request.read()
        return web.Response(status=int(request.match_info["code"]), text="status")

    async def _redirect(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(request.query["to"])

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        self.uploads[request.match_info["name"]] = Upload(
            await request.read(),
            request.headers.get("X-Orban-SHA256"),
            request.headers.get("Content-Length"),
        )
        return web.Response(status=201)

    async def _upload_flaky(self, request: web.Request) -> web.StreamResponse:
        await request.read()
        if self.hits[request.path] == 1:
            return web.Response(status=500, text="try again")
        return await self._upload(request)

    async def _trickle(self, request: web.Request) -> web.StreamResponse:
        data = self._data(request)
        response = web.StreamResponse(headers={"Content-Length": str(len(data))})
        await response.prepare(request)
        give_up = time.monotonic() + SLOW_LIMIT_S
        try:
            for start in range(0, len(data), self.trickle_bytes):
                await response.write(data[start : start + self.trickle_bytes])
                if time.monotonic() > give_up and request.transport is not None:
                    request.transport.abort()  # not the whole body: never look finished
                    return response
                await asyncio.sleep(self.trickle_interval_s)
        except ConnectionError:  # the client gave up
            return response
        await response.write_eof()
        return response

    async def _stall(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": str(len(self._data(request)))})
        await response.prepare(request)
        give_up = time.monotonic() + SLOW_LIMIT_S
        while time.monotonic() < give_up:
            if request.transport is None or request.transport.is_closing():
                break
            await asyncio.sleep(0.05)
        return response

    async def _upload_slow(self, request: web.Request) -> web.StreamResponse:
        # A client that has gone away is only seen once its buffered bytes are read, so this
        # route cuts the connection itself after SLOW_UPLOAD_S rather than drain megabytes slowly.
        give_up = time.monotonic() + SLOW_UPLOAD_S
        while await request.content.read(1024):
            self.slow_upload_read += 1024
            if time.monotonic() > give_up and request.transport is not None:
                request.transport.abort()
                break
            await asyncio.sleep(0.1)
        return web.Response(status=201)

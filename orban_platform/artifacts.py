"""The platform's HTTP side (aiohttp): artifacts out, results in, and ``/status``.

``GET /artifacts/<sha256>`` serves a job's model or input file by its content hash, with Range
requests (206) so an interrupted download resumes. ``PUT /uploads/<task_id>/<token>`` takes an
agent's result: the token is the one in its TASK_ASSIGN ``output_url``; the body is streamed to
disk while hashed, refused (413) past the job's ``max_output_bytes``, and refused (400) when an
``X-Orban-SHA256`` header does not match it; a stored upload is what TASK_COMPLETE's
``output_hash`` is checked against, and a real-work result is checked (sampled rows, canaries)
in a worker thread before the 201 goes out. ``GET /status`` is the read-only status document.
Meant for loopback; file writes run in a worker thread. Imports aiohttp and the core; no Qt.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO

from aiohttp import web

from orban_platform.hub import PlatformCore
from orban_platform.result_check import run_check
from orban_platform.status import platform_status

#: Header of an upload naming the sha256 of its body (hex, ``sha256:`` prefix allowed).
SHA256_HEADER = "X-Orban-SHA256"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 64 * 1024


def _refuse(status: int, text: str) -> web.Response:
    return web.json_response({"error": text}, status=status)


def _open_part(path: Path) -> tuple[Path, IO[bytes]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
    return part, part.open("wb")


def _discard(part: Path, handle: IO[bytes]) -> None:
    handle.close()
    part.unlink(missing_ok=True)


def _keep(part: Path, handle: IO[bytes], path: Path) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(part, path)


class HttpFace:
    """Request handlers bound to one platform core."""

    def __init__(self, core: PlatformCore, clock: Callable[[], float]) -> None:
        self._core = core
        self._clock = clock

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/artifacts/{digest}", self.artifact)
        app.router.add_put("/uploads/{task_id}/{token}", self.upload)
        app.router.add_get("/status", self.status)
        return app

    async def artifact(self, request: web.Request) -> web.StreamResponse:
        path = self._core.artifacts.path(request.match_info["digest"])
        if path is None:
            return _refuse(404, "no artifact with this sha256")
        return web.FileResponse(path, headers={"Content-Type": "application/octet-stream"})

    async def status(self, request: web.Request) -> web.Response:
        return web.json_response(platform_status(self._core, self._clock()))

    async def upload(self, request: web.Request) -> web.Response:
        task_id, token = request.match_info["task_id"], request.match_info["token"]
        target = self._core.results.upload_target(task_id, token)
        if target is None:
            return _refuse(404, "no open upload for this task and token")
        declared = request.headers.get(SHA256_HEADER)
        if declared is not None:
            declared = declared.strip().lower().removeprefix("sha256:")
            if not _HEX64.fullmatch(declared):
                return _refuse(400, f"{SHA256_HEADER} must be 64 hex digits")
        if (request.content_length or 0) > target.max_bytes:
            return _refuse(413, f"the result may be at most {target.max_bytes} bytes")
        part, handle = await asyncio.to_thread(_open_part, target.path)
        digest, size = hashlib.sha256(), 0
        try:
            async for chunk in request.content.iter_chunked(_CHUNK):
                size += len(chunk)
                if size > target.max_bytes:
                    await asyncio.to_thread(_discard, part, handle)
                    return _refuse(413, f"the result may be at most {target.max_bytes} bytes")
                digest.update(chunk)
                await asyncio.to_thread(handle.write, chunk)
        except BaseException:
            await asyncio.to_thread(_discard, part, handle)
            raise
        actual = digest.hexdigest()
        if declared is not None and declared != actual:
            await asyncio.to_thread(_discard, part, handle)
            return _refuse(400, f"the body's sha256 is {actual}, not the declared {declared}")
        await asyncio.to_thread(_keep, part, handle, target.path)
        verdict = None
        check = self._core.results.check_for(task_id, self._core.embedding)
        if check is not None:  # real work: checked now, off the loop, before TASK_COMPLETE
            verdict = await asyncio.to_thread(run_check, check, target.path)
        self._core.results.upload_received(task_id, token, actual, size, verdict)
        return web.json_response({"sha256": f"sha256:{actual}", "size": size}, status=201)

"""The local reference platform as a running server: WebSocket + HTTP + timers on one loop.

:class:`LocalPlatform` opens the database, binds the HTTP side (artifacts, uploads, ``/status``)
and the WebSocket endpoint ``/agent/v1/connect`` (subprotocols ``agent.orban.v1`` and, with the
``binary`` extension, ``agent.orban.v1+proto``), and runs the timers. It is a thin adapter over
the sans-I/O core: each connection feeds its frames to its session and a writer task sends what
the session queued. Ports may be 0 (ephemeral): ``ws_url`` and ``http_url`` give the bound ones,
so it embeds in tests and in another asyncio program alike. A frame over the 1 MiB limit gets an
ERROR ``MESSAGE_TOO_LARGE`` before websockets closes with 1009. Imports nothing from Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode
from websockets.http11 import Request, Response
from websockets.protocol import State
from websockets.typing import Subprotocol

from orban_desktop.errors import ConfigError
from orban_desktop.protocol.binary import encode_binary
from orban_desktop.protocol.challenge import platform_origin
from orban_desktop.protocol.codec import MAX_FRAME_BYTES, encode_json
from orban_desktop.protocol.endpoints import CONNECT_PATH
from orban_desktop.protocol.enums import Extension
from orban_desktop.protocol.framing import SUBPROTOCOL_BINARY, SUBPROTOCOL_JSON
from orban_desktop.protocol.messages import Error
from orban_platform.artifacts import HttpFace
from orban_platform.auth import ChallengeSource
from orban_platform.dispatcher import AgentSlot
from orban_platform.embedding_source import open_source
from orban_platform.hub import PlatformCore
from orban_platform.jobs import DemoJob, PreparedJob, store_job
from orban_platform.records import TaskRecord
from orban_platform.session import Close, ServerSession
from orban_platform.settings import WORKLOAD_TEXT_EMBEDDING, PlatformSettings
from orban_platform.status import platform_status
from orban_platform.store import PlatformStore

logger = logging.getLogger(__name__)

_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_WILDCARD = ("0.0.0.0", "::", "")


def _url_host(host: str) -> str:
    host = "127.0.0.1" if host in _WILDCARD else host
    return f"[{host}]" if ":" in host else host


class _PlatformConnection(ServerConnection):
    """A connection that answers an oversized frame with ERROR before the 1009 close."""

    def __init__(self, protocol: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(protocol, *args, **kwargs)
        original = protocol.fail

        def fail(code: int, reason: str = "") -> None:
            if code == CloseCode.MESSAGE_TOO_BIG and protocol.state is State.OPEN:
                error = Error(
                    code="MESSAGE_TOO_LARGE",
                    message=f"frames are limited to {MAX_FRAME_BYTES} bytes",
                    recoverable=True,
                )
                if protocol.subprotocol == SUBPROTOCOL_BINARY:
                    protocol.send_binary(encode_binary(error))
                else:
                    protocol.send_text(encode_json(error).encode("utf-8"))
            original(code, reason)

        protocol.fail = fail


class LocalPlatform:
    """The reference platform, started with :meth:`start` and stopped with :meth:`stop`.

    Args:
        settings: Ports, data folder, timers.
        clock: Wall-clock seconds (``time.time``); every timer reads it.
        challenge_source: Makes AUTH_CHALLENGE bytes (default: 32 random bytes).
        rng: Random source for demo jobs and PoW timing.
    """

    def __init__(
        self,
        settings: PlatformSettings,
        *,
        clock: Callable[[], float] = time.time,
        challenge_source: ChallengeSource | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._challenge_source = challenge_source
        self._rng = rng
        self._core: PlatformCore | None = None
        self._store: PlatformStore | None = None
        self._runner: web.AppRunner | None = None
        self._ws: Server | None = None
        self._ticker: asyncio.Task[None] | None = None
        self.ws_port = 0
        self.http_port = 0

    @property
    def core(self) -> PlatformCore:
        if self._core is None:
            raise RuntimeError("the platform is not started")
        return self._core

    @property
    def running(self) -> bool:
        return self._core is not None

    @property
    def ws_url(self) -> str:
        """The platform URL an agent is configured with (``ws://host:port``)."""
        return f"ws://{_url_host(self.settings.host)}:{self.ws_port}"

    @property
    def connect_url(self) -> str:
        return self.ws_url + CONNECT_PATH

    @property
    def http_url(self) -> str:
        return f"http://{_url_host(self.settings.host)}:{self.http_port}"

    def origins(self) -> tuple[str, ...]:
        """This platform's own origins, as an agent's settings may name it (auth-v2)."""
        host = self.settings.host
        hosts = _LOOPBACK if host in _LOOPBACK or host in _WILDCARD else (host,)
        return tuple(platform_origin(f"ws://{_url_host(h)}:{self.ws_port}") for h in hosts)

    async def start(self) -> None:
        """Open the database, bind both servers, queue the first demo jobs, start the timers."""
        settings = self.settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self._store = PlatformStore(settings.data_dir / "platform.sqlite3")
        core = PlatformCore(
            settings, self._store, challenge_source=self._challenge_source, rng=self._rng
        )
        self._core = core
        if WORKLOAD_TEXT_EMBEDDING in settings.workloads:  # ready before any agent connects
            source, why_not = await asyncio.to_thread(open_source, settings, core.artifacts)
            core.enable_embedding(source, why_not)
        try:
            await self._bind(core)
        except OSError as exc:
            await self.stop()
            raise ConfigError(
                f"The local platform cannot listen on {settings.host} (ports {settings.ws_port} "
                f"and {settings.http_port}): {exc.strerror or exc}. Stop the program using "
                "them, or choose others with --port and --http-port (0 picks free ones).",
                context={"host": settings.host, "ws_port": settings.ws_port},
            ) from exc
        core.tasks.http_base = self.http_url
        core.start(self._clock(), self.origins())
        await self._make_jobs()
        self._ticker = asyncio.create_task(self._tick_forever())
        logger.info("local platform at %s (HTTP %s)", self.connect_url, self.http_url)

    async def _bind(self, core: PlatformCore) -> None:
        settings = self.settings
        self._runner = web.AppRunner(HttpFace(core, self._clock).application(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, settings.host, settings.http_port)
        await site.start()
        self.http_port = int(self._runner.addresses[0][1])
        self._ws = await serve(
            self._serve_connection,
            settings.host,
            settings.ws_port,
            process_request=self._check_path,
            select_subprotocol=self._select_subprotocol,
            max_size=MAX_FRAME_BYTES,
            create_connection=_PlatformConnection,
            server_header=None,
        )
        self.ws_port = int(next(iter(self._ws.sockets)).getsockname()[1])

    async def stop(self) -> None:
        """Close every session (1001), both servers and the database."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        if self._ws is not None:
            self._ws.close()
            await self._ws.wait_closed()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._store is not None:
            self._store.close()
        self._core = self._store = self._runner = self._ws = self._ticker = None

    async def __aenter__(self) -> LocalPlatform:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- operator actions (tests, demos) ----
    def now(self) -> float:
        """The platform's clock."""
        return self._clock()

    def status(self) -> dict[str, Any]:
        return platform_status(self.core, self._clock())

    async def submit_job(self, job: DemoJob) -> TaskRecord:
        """Queue a task for ``job`` (its files stored, its result computed in a thread)."""
        core = self.core
        prepared = await asyncio.to_thread(store_job, core.artifacts, job)
        [task] = core.tasks.add_jobs([prepared], self._clock())
        return task

    def cancel_task(self, task_id: str, reason: str) -> bool:
        return self.core.tasks.cancel(task_id, reason, self._clock())

    def tick(self) -> None:
        """Run the timers now (tests call this instead of waiting for the next tick)."""
        self.core.tick(self._clock())

    # ---- internals ----
    async def _make_jobs(self) -> None:
        core = self.core
        wanted = core.tasks.jobs_wanted(self._clock())
        if wanted:
            prepared = await asyncio.to_thread(self._prepare, wanted)
            core.tasks.add_jobs(prepared, self._clock())

    def _prepare(self, wanted: list[tuple[str, AgentSlot | None]]) -> list[PreparedJob]:
        core = self.core
        jobs = [core.make_job(job_id, slot) for job_id, slot in wanted]
        return [store_job(core.artifacts, job) for job in jobs if job is not None]

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.tick_interval_s)
            try:
                self.core.tick(self._clock())
                await self._make_jobs()
            except Exception:
                logger.exception("a platform timer failed; carrying on")

    def _check_path(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.path.split("?", 1)[0] != CONNECT_PATH:
            return connection.respond(404, f"The agent endpoint is {CONNECT_PATH}.\n")
        return None

    def _select_subprotocol(
        self, connection: ServerConnection, offered: Sequence[Subprotocol]
    ) -> Subprotocol | None:
        if Extension.BINARY in self.settings.extensions and SUBPROTOCOL_BINARY in offered:
            return Subprotocol(SUBPROTOCOL_BINARY)
        if SUBPROTOCOL_JSON in offered:
            return Subprotocol(SUBPROTOCOL_JSON)
        return None  # no subprotocol offered: served as plain JSON

    async def _serve_connection(self, connection: ServerConnection) -> None:
        core = self.core
        session = core.open_session(connection.subprotocol == SUBPROTOCOL_BINARY, self._clock())
        wake = asyncio.Event()
        session.on_output = wake.set
        wake.set()
        writer = asyncio.create_task(self._write(connection, session, wake))
        try:
            async for data in connection:
                session.receive(data, self._clock())
                if session.closed:
                    break
        except ConnectionClosed:
            pass
        except Exception:
            logger.exception("session %s failed", session.agent_id or session.connection_id)
            session.close(1011, "internal error")
        finally:
            if session.closed:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(asyncio.shield(writer), 10)
            writer.cancel()
            core.connection_lost(session, self._clock())

    @staticmethod
    async def _write(
        connection: ServerConnection, session: ServerSession, wake: asyncio.Event
    ) -> None:
        try:
            while True:
                await wake.wait()
                wake.clear()
                for item in session.take_output():
                    if isinstance(item, Close):
                        await connection.close(item.code, item.reason)
                        return
                    await connection.send(item)
        except ConnectionClosed:
            return

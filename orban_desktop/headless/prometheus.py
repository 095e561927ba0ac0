"""An optional Prometheus endpoint for rigs that already run Prometheus and Grafana.

:class:`MetricsServer` serves ``GET /metrics`` with ``aiohttp.web`` on the agent's event loop,
bound to loopback unless told otherwise. Each scrape awaits a fresh
:class:`~orban_desktop.headless.status_file.StatusSnapshot`, hands it to the agent's
:class:`~orban_desktop.headless.metrics_registry.AgentMetrics` and answers with that registry in
the text exposition format written by ``prometheus_client`` (no text is written by hand here).
Given no ``AgentMetrics`` (one attached to the agent's bus, see
:meth:`~orban_desktop.headless.status_writer.StatusCollector.prometheus_metrics`) the server
makes a private one and serves only the series read from snapshots: the event-fed histograms and
counters then stay empty. :func:`render_metrics` is the same text for one snapshot. The metric
names and types are listed in the README ("Many rigs"). Imports nothing from Qt.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from orban_desktop.headless.metrics_registry import AgentMetrics
from orban_desktop.headless.status_file import StatusSnapshot

logger = logging.getLogger(__name__)

#: The content type ``prometheus_client`` writes (the text format, UTF-8).
CONTENT_TYPE = CONTENT_TYPE_LATEST


def render_metrics(snapshot: StatusSnapshot, metrics: AgentMetrics | None = None) -> str:
    """``snapshot`` (with ``metrics``' event-fed series, if given) in the text format."""
    metrics = metrics if metrics is not None else AgentMetrics()
    metrics.update(snapshot)
    return metrics.exposition().decode("utf-8")


class MetricsServer:
    """Serves ``GET /metrics`` from ``source`` (awaited on each scrape).

    Args:
        source: Makes the snapshot to render.
        host: Address to bind; loopback by default (Prometheus on the same machine).
        port: TCP port; 0 lets the system pick one (see :attr:`url` after :meth:`start`).
        metrics: The agent's registry (attached to its bus); ``None``: a private one, fed only
            by snapshots.
    """

    def __init__(
        self,
        source: Callable[[], Awaitable[StatusSnapshot]],
        *,
        host: str = "127.0.0.1",
        port: int = 9464,
        metrics: AgentMetrics | None = None,
    ) -> None:
        self._source = source
        self.metrics = metrics if metrics is not None else AgentMetrics()
        self.host = host
        self.port = port
        app = web.Application()
        app.router.add_get("/metrics", self._scrape)
        self._runner = web.AppRunner(app, access_log=None)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/metrics"

    async def start(self) -> None:
        """Bind and listen. Raises ``OSError`` when the port cannot be bound."""
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            raise
        addresses = self._runner.addresses
        if addresses:
            self.port = int(addresses[0][1])
        logger.info("Prometheus metrics at %s", self.url)

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _scrape(self, request: web.Request) -> web.Response:
        self.metrics.update(await self._source())
        body = self.metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

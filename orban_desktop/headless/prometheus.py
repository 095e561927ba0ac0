"""An optional Prometheus endpoint for rigs that already run Prometheus and Grafana.

:func:`render_metrics` writes a :class:`~orban_desktop.headless.status_file.StatusSnapshot` in the
text exposition format 0.0.4 (by hand: no client library): ``orban_agent_up``,
``orban_agent_state{state=...}`` (1 for the current state, 0 for the others), per GPU
``orban_gpu_utilization_ratio``, ``orban_gpu_temperature_celsius``, ``orban_gpu_memory_used_bytes``
and ``orban_gpu_power_watts`` (a series a GPU does not report is left out), ``orban_tasks_running``,
``orban_tasks_completed_total``, ``orban_tasks_failed_total`` and
``orban_earnings_micro_usd_total{status=...}``. :class:`MetricsServer` serves it at ``/metrics``
with ``aiohttp.web``, bound to loopback unless told otherwise. Imports nothing from Qt.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from orban_desktop.headless.status_file import GpuReading, StatusSnapshot

logger = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: Every ``ConnectionState`` value, so a dashboard sees each series from the first scrape.
STATES = ("offline", "connecting", "authenticating", "registered", "serving", "paused",
          "auth_rejected", "stopped")  # fmt: skip


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{name}="{_escape(value)}"' for name, value in labels.items()) + "}"


def _number(value: float) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


class _Family:
    def __init__(self, lines: list[str], name: str, kind: str, help_text: str) -> None:
        self._lines, self._name = lines, name
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")

    def add(self, value: float, labels: str = "") -> None:
        self._lines.append(f"{self._name}{labels} {_number(value)}")


def _utilization_ratio(gpu: GpuReading) -> float | None:
    return None if gpu.utilization_pct is None else gpu.utilization_pct / 100.0


#: Per-GPU series: name, help text, and how to read it (``None``: not reported).
_GPU_SERIES: tuple[tuple[str, str, Callable[[GpuReading], float | None]], ...] = (
    ("orban_gpu_utilization_ratio", "Share of time the GPU was busy (0..1).", _utilization_ratio),
    ("orban_gpu_temperature_celsius", "GPU temperature.", lambda g: g.temperature_c),
    ("orban_gpu_memory_used_bytes", "GPU memory in use.", lambda g: g.memory_used_bytes),
    ("orban_gpu_power_watts", "Power the board draws.", lambda g: g.power_w),
)


def render_metrics(snapshot: StatusSnapshot) -> str:
    """The snapshot in Prometheus text format 0.0.4 (ends with a newline)."""
    lines: list[str] = []
    _Family(lines, "orban_agent_up", "gauge", "1 while the agent runs.").add(1)
    state = _Family(lines, "orban_agent_state", "gauge", "1 for the agent's current state.")
    states = STATES if snapshot.state in STATES else (*STATES, snapshot.state)
    for name in states:
        state.add(1 if name == snapshot.state else 0, _labels(state=name))
    for name, help_text, read in _GPU_SERIES:
        values = [(gpu, read(gpu)) for gpu in snapshot.gpus]
        if all(value is None for _, value in values):
            continue
        family = _Family(lines, name, "gauge", help_text)
        for gpu, value in values:
            if value is not None:
                labels = _labels(gpu=str(gpu.index), simulated=str(gpu.simulated).lower())
                family.add(value, labels)
    _Family(lines, "orban_tasks_running", "gauge", "Tasks running now.").add(len(snapshot.tasks))
    _Family(
        lines, "orban_tasks_completed_total", "counter", "Tasks finished with a result since start."
    ).add(snapshot.tasks_completed)
    _Family(
        lines, "orban_tasks_failed_total", "counter", "Tasks failed or handed back since start."
    ).add(snapshot.tasks_failed)
    if snapshot.earnings is not None:
        earnings = _Family(
            lines,
            "orban_earnings_micro_usd_total",
            "counter",
            "Earnings in the ledger, in micro-USD (1 USD = 1000000), by status.",
        )
        totals = snapshot.earnings
        for status, micros in (("pending", totals.pending_micros),
                               ("confirmed", totals.confirmed_micros),
                               ("paid", totals.paid_micros)):  # fmt: skip
            earnings.add(micros, _labels(status=status))
    return "\n".join(lines) + "\n"


class MetricsServer:
    """Serves ``GET /metrics`` from ``source`` (awaited on each scrape).

    Args:
        source: Makes the snapshot to render.
        host: Address to bind; loopback by default (Prometheus on the same machine).
        port: TCP port; 0 lets the system pick one (see :attr:`url` after :meth:`start`).
    """

    def __init__(
        self,
        source: Callable[[], Awaitable[StatusSnapshot]],
        *,
        host: str = "127.0.0.1",
        port: int = 9464,
    ) -> None:
        self._source = source
        self.host = host
        self.port = port
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
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

    async def _metrics(self, request: web.Request) -> web.Response:
        body = render_metrics(await self._source())
        return web.Response(body=body.encode("utf-8"), headers={"Content-Type": CONTENT_TYPE})

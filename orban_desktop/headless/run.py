"""The headless agent: ``orban-agent run --headless`` on a plain asyncio loop, for rigs and servers.

:func:`run_headless` takes the agent lock (the pid file, shared with the desktop app: see
:mod:`~orban_desktop.headless.agent_lock`) and has :class:`~orban_desktop.agent.host.AgentHost`
start the agent (the identity key must exist: ``orban-agent keygen`` makes it; with
``--local-platform`` the local reference platform runs in-process on ephemeral ports, its data
under ``<data_dir>/local-platform``), keeps ``status.json`` current, optionally serves
Prometheus metrics, and runs until SIGINT or SIGTERM: the first signal hands running tasks back
and stops cleanly, a second one exits at once. The pid and status files are removed on the way
out. The heavy parts (agent, platform) are imported here, not by the CLI's other verbs. Imports
nothing from Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path

from orban_desktop.agent.host import AgentHost
from orban_desktop.agent.host_rules import headless_platform_settings
from orban_desktop.config import AgentConfig
from orban_desktop.config.paths import AppPaths
from orban_desktop.errors import ConfigError
from orban_desktop.events import EventBus
from orban_desktop.headless.agent_lock import AgentFace, AgentLock
from orban_desktop.headless.prometheus import MetricsServer
from orban_desktop.headless.status_keeper import StatusKeeper
from orban_desktop.headless.status_writer import StatusCollector
from orban_desktop.logging_setup import configure_logging

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HeadlessOptions:
    """How to run: embedded platform, simulated GPUs, metrics endpoint, console logging."""

    local_platform: bool = False
    simulate_gpus: int | None = None
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"
    console: bool = True


@dataclass
class _Shutdown:
    """First signal: stop cleanly. Second signal: remove the pid/status files, exit at once."""

    lock: AgentLock
    host: AgentHost | None = None
    requested: bool = False
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def on_signal(self, signum: int) -> None:
        name = signal.Signals(signum).name
        if self.requested:
            logger.warning("second %s: exiting now, without handing tasks back", name)
            self.lock.release()
            os._exit(128 + signum)
        self.requested = True
        logger.info("%s received: handing running tasks back and stopping", name)
        if self.host is not None:
            self.tasks.append(asyncio.get_running_loop().create_task(self.host.stop()))

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, self.on_signal, signum)
            except (NotImplementedError, RuntimeError):  # Windows, or not the main thread
                signal.signal(signum, lambda s, _f: loop.call_soon_threadsafe(self.on_signal, s))

    def uninstall(self, loop: asyncio.AbstractEventLoop) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                if not loop.remove_signal_handler(signum):
                    signal.signal(signum, signal.SIG_DFL)


async def run_headless(paths: AppPaths, config: AgentConfig, options: HeadlessOptions) -> int:
    """Run the agent until SIGINT/SIGTERM; returns the exit status (0 after a clean stop).

    Raises:
        AlreadyRunning: Another agent (headless or the desktop app) runs with the same files.
        OrbanError: Settings, key, ledger or GPU problems that stop the agent from starting.
    """
    files = config.resolved(paths)
    lock = AgentLock(files.pid_file, AgentFace.HEADLESS)
    await asyncio.to_thread(lock.acquire)
    try:
        return await _run_locked(paths, config, options, lock)
    finally:
        await asyncio.to_thread(lock.release)


async def _run_locked(
    paths: AppPaths, config: AgentConfig, options: HeadlessOptions, lock: AgentLock
) -> int:
    files = config.resolved(paths)
    bus = EventBus()
    installed = configure_logging(
        config.logging.level, files.log_file, console=options.console, bus=bus
    )
    loop = asyncio.get_running_loop()
    shutdown = _Shutdown(lock=lock)
    shutdown.install(loop)
    host = AgentHost(
        paths=paths,
        config=config,
        bus=bus,
        simulate_gpus=options.simulate_gpus,
        platform_settings=(
            headless_platform_settings(files.data_dir) if options.local_platform else None
        ),
    )
    try:
        await host.start()
        shutdown.host = host
        await _serve(host, options, shutdown, lock.status_file)
    finally:
        shutdown.uninstall(loop)
        await host.stop()
        logger.info("agent stopped")
        installed.close()
    return 0


async def _start_metrics(collector: StatusCollector, options: HeadlessOptions) -> MetricsServer:
    assert options.metrics_port is not None
    server = MetricsServer(
        collector.snapshot,
        host=options.metrics_host,
        port=options.metrics_port,
        metrics=collector.prometheus_metrics(),
    )
    try:
        await server.start()
    except OSError as exc:
        raise ConfigError(
            f"Cannot serve metrics on {options.metrics_host}:{options.metrics_port}: "
            f"{exc.strerror or exc}. Choose a free port with --metrics-port.",
            context={"host": options.metrics_host, "port": options.metrics_port},
        ) from exc
    collector.metrics_url = server.url
    return server


async def _serve(
    host: AgentHost, options: HeadlessOptions, shutdown: _Shutdown, status_path: Path
) -> None:
    """Status file and metrics around the running agent, until it stops."""
    runtime = host.runtime
    keeper = StatusKeeper(host, status_path, AgentFace.HEADLESS)
    metrics: MetricsServer | None = None
    try:
        if options.metrics_port is not None:
            metrics = await _start_metrics(keeper.collector, options)
        await keeper.start()
        logger.info(
            "agent running",
            extra={"agent_id": host.agent_id, "platform": runtime.parts.config.agent.platform_url,
                   "pid": os.getpid()},
        )  # fmt: skip
        if shutdown.requested:
            await host.stop()
        await host.wait()  # the parts are closed when it ends
        await asyncio.gather(*shutdown.tasks, return_exceptions=True)
    finally:
        await keeper.stop()
        if metrics is not None:
            await metrics.stop()

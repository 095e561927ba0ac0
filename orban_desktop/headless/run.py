"""The headless agent: ``orban-agent run --headless`` on a plain asyncio loop, for rigs and servers.

:func:`run_headless` loads the settings, creates the identity key on a first run (logging the new
agent id), optionally starts the local reference platform in-process (on ephemeral ports, its
data under ``<data_dir>/local-platform``) and points the agent at it, builds the agent's parts,
writes the pid file and keeps ``status.json`` current, optionally serves Prometheus metrics, and
runs until SIGINT or SIGTERM: the first signal hands running tasks back and stops cleanly, a
second one exits at once. The pid and status files are removed on the way out. The heavy parts
(agent, platform) are imported here, not by the CLI's other verbs. Imports nothing from Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from orban_desktop.agent.components import build_components
from orban_desktop.agent.runtime import AgentRuntime
from orban_desktop.commands.base import CommandContext
from orban_desktop.config import AgentConfig
from orban_desktop.errors import ConfigError, OrbanError
from orban_desktop.fsutil import atomic_write_bytes
from orban_desktop.headless.prometheus import MetricsServer
from orban_desktop.headless.status_file import check_not_running, read_pid_file, status_file_for
from orban_desktop.headless.status_writer import StatusCollector, StatusFileWriter
from orban_desktop.logging_setup import configure_logging
from orban_desktop.network.auth import Authenticator

if TYPE_CHECKING:
    from orban_desktop.local_platform.server import LocalPlatform

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

    files: tuple[Path, ...]
    runtime: AgentRuntime | None = None
    requested: bool = False
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def on_signal(self, signum: int) -> None:
        name = signal.Signals(signum).name
        if self.requested:
            logger.warning("second %s: exiting now, without handing tasks back", name)
            _remove_own(self.files)
            os._exit(128 + signum)
        self.requested = True
        logger.info("%s received: handing running tasks back and stopping", name)
        if self.runtime is not None:
            self.tasks.append(asyncio.get_running_loop().create_task(self.runtime.stop()))

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


def _remove_own(paths: tuple[Path, ...]) -> None:
    """Remove the pid file and status file, if they are still ours."""
    pid_file, *others = paths
    if read_pid_file(pid_file) == os.getpid():
        pid_file.unlink(missing_ok=True)
    for path in others:
        path.unlink(missing_ok=True)


def _write_pid_file(path: Path) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write_bytes(path, f"{os.getpid()}\n".encode(), 0o644)
    except OSError as exc:
        raise OrbanError(
            f"Cannot write the pid file {path}: {exc.strerror or exc}. Check that its folder "
            "is yours and writable.",
            title="Cannot write the pid file",
            context={"path": str(path)},
        ) from exc


def load_or_create_identity(key_file: Path, agent_id: str | None) -> tuple[Authenticator, bool]:
    """The identity in ``key_file``, created there first when there is none.

    Returns:
        The identity, and whether it was just created.

    Raises:
        KeyFileError: The key exists but cannot be used (unsafe permissions, wrong size, ...).
    """
    if not key_file.exists() and not key_file.is_symlink():
        identity = Authenticator.generate(agent_id)
        identity.save(key_file)
        return identity, True
    return Authenticator.from_private_key_file(key_file, agent_id), False


async def _start_local_platform(
    config: AgentConfig, data_dir: Path
) -> tuple[LocalPlatform, AgentConfig]:
    from orban_desktop.local_platform.server import LocalPlatform
    from orban_desktop.local_platform.settings import PlatformSettings

    platform = LocalPlatform(
        PlatformSettings(data_dir=data_dir / "local-platform", ws_port=0, http_port=0)
    )
    await platform.start()
    logger.info("local platform started", extra={"ws_url": platform.ws_url})
    agent = config.agent.model_copy(update={"platform_url": platform.ws_url})
    return platform, config.model_copy(update={"agent": agent})


async def run_headless(context: CommandContext, options: HeadlessOptions) -> int:
    """Run the agent until SIGINT/SIGTERM; returns the exit status (0 after a clean stop).

    Raises:
        AlreadyRunning: Another agent runs with the same pid file (see ``status_file``).
        OrbanError: Settings, key, ledger or GPU problems that stop the agent from starting.
    """
    config, files = context.config, context.files
    status_path = status_file_for(files.pid_file)
    check_not_running(files.pid_file)
    installed = configure_logging(config.logging.level, files.log_file, console=options.console)
    loop = asyncio.get_running_loop()
    shutdown = _Shutdown(files=(files.pid_file, status_path))
    shutdown.install(loop)
    platform: LocalPlatform | None = None
    try:
        _write_pid_file(files.pid_file)
        identity, created = await asyncio.to_thread(
            load_or_create_identity, files.key_file, config.agent.agent_id
        )
        if created:
            where = {"agent_id": identity.agent_id, "key_file": str(files.key_file)}
            logger.info("created a new identity key", extra=where)
        if options.local_platform:
            platform, config = await _start_local_platform(config, files.data_dir)
        parts = await build_components(
            config, files, identity=identity, simulate_gpus=options.simulate_gpus
        )
        runtime = AgentRuntime(parts)
        shutdown.runtime = runtime
        installed = configure_logging(
            config.logging.level, files.log_file, console=options.console, bus=parts.bus
        )
        await _serve(runtime, options, shutdown, status_path)
    finally:
        shutdown.uninstall(loop)
        if platform is not None:
            await platform.stop()
        _remove_own(shutdown.files)
        logger.info("agent stopped")
        installed.close()
    return 0


async def _start_metrics(collector: StatusCollector, options: HeadlessOptions) -> MetricsServer:
    assert options.metrics_port is not None
    server = MetricsServer(collector.snapshot, host=options.metrics_host, port=options.metrics_port)
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
    runtime: AgentRuntime, options: HeadlessOptions, shutdown: _Shutdown, status_path: Path
) -> None:
    """Status file and metrics around ``runtime.run()``; the parts are always closed."""
    parts = runtime.parts
    collector = StatusCollector(runtime, started_at=time.time())
    metrics: MetricsServer | None = None
    writer_task: asyncio.Task[None] | None = None
    ran = False
    try:
        if options.metrics_port is not None:
            metrics = await _start_metrics(collector, options)
        writer = StatusFileWriter(collector, status_path)
        await writer.write_once()
        writer_task = asyncio.create_task(writer.run(), name="status-file")
        logger.info(
            "agent running",
            extra={"agent_id": parts.identity.agent_id, "platform": parts.config.agent.platform_url,
                   "pid": os.getpid()},
        )  # fmt: skip
        if not shutdown.requested:
            ran = True
            await runtime.run()  # closes the parts when it ends
        await asyncio.gather(*shutdown.tasks, return_exceptions=True)
    finally:
        if not ran:
            await parts.close()
        if writer_task is not None:
            writer_task.cancel()
            await asyncio.gather(writer_task, return_exceptions=True)
        if metrics is not None:
            await metrics.stop()
        collector.close()

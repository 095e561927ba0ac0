"""``orban-agent run --headless``: the agent without a window, in the foreground.

``run --headless`` (and ``start -f``, which shares its options) runs
:func:`orban_desktop.headless.run_headless` on a plain asyncio loop until SIGINT or SIGTERM.
``--local-platform`` embeds the local reference platform, ``--simulate-gpus N`` stands in N
simulated GPUs for missing hardware, ``--metrics-port P`` serves Prometheus metrics. The agent's
heavy parts are imported only when the command runs, so the other verbs stay light. Without
``--headless`` it points to the desktop app, ``orban-desktop``. Nothing here imports Qt.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING

from orban_desktop.commands.base import Command, CommandContext

if TYPE_CHECKING:
    from orban_desktop.headless.run import HeadlessOptions

MAX_SIMULATED_GPUS = 16


def _count(text: str) -> int:
    value = int(text)
    if not 0 <= value <= MAX_SIMULATED_GPUS:
        raise argparse.ArgumentTypeError(f"must be 0 to {MAX_SIMULATED_GPUS}")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be 0 to 65535 (0: any free port)")
    return value


def add_headless_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of a headless agent, shared by ``run --headless`` and ``start``."""
    parser.add_argument(
        "--local-platform",
        action="store_true",
        help="run the local reference platform in this process and connect to it",
    )
    parser.add_argument(
        "--simulate-gpus",
        type=_count,
        metavar="N",
        help="use N simulated GPUs (for trying the agent without one)",
    )
    parser.add_argument(
        "--metrics-port",
        type=_port,
        metavar="P",
        help="serve Prometheus metrics at http://127.0.0.1:P/metrics",
    )
    parser.add_argument(
        "--metrics-host",
        default="127.0.0.1",
        metavar="HOST",
        help="address for the metrics endpoint (default 127.0.0.1; 0.0.0.0 exposes it)",
    )
    # Set by `start` for the agent it runs in the background: no console, logs go to the file.
    parser.add_argument("--detached", action="store_true", help=argparse.SUPPRESS)


def headless_argv(args: argparse.Namespace) -> list[str]:
    """The ``run --headless`` options that reproduce ``args`` (for the background process)."""
    argv: list[str] = []
    if args.local_platform:
        argv.append("--local-platform")
    if args.simulate_gpus is not None:
        argv += ["--simulate-gpus", str(args.simulate_gpus)]
    if args.metrics_port is not None:
        argv += ["--metrics-port", str(args.metrics_port), "--metrics-host", args.metrics_host]
    return argv


def headless_options(args: argparse.Namespace) -> HeadlessOptions:
    from orban_desktop.headless.run import HeadlessOptions

    return HeadlessOptions(
        local_platform=args.local_platform,
        simulate_gpus=args.simulate_gpus,
        metrics_port=args.metrics_port,
        metrics_host=args.metrics_host,
        console=not args.detached,
    )


def run_in_foreground(args: argparse.Namespace, context: CommandContext) -> int:
    """Run the headless agent here until it is signalled; returns its exit status."""
    from orban_desktop.headless.run import run_headless
    from orban_desktop.heap import glibc, limit_arenas

    config = context.config  # a settings problem is reported before anything starts
    limit_arenas(glibc())  # before the agent's threads start
    return asyncio.run(run_headless(context.paths, config, headless_options(args)))


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--headless", action="store_true", help="run without a window (the only mode here)"
    )
    add_headless_arguments(parser)


def run_run(args: argparse.Namespace, context: CommandContext) -> int:
    if not args.headless:
        context.out(
            "The desktop window is started with `orban-desktop`. To run the agent without a "
            "window, use `orban-agent run --headless` (or `orban-agent start` in the background)."
        )
        return 2
    return run_in_foreground(args, context)


RUN = Command(
    name="run",
    help="run the agent in the foreground (--headless: without a window)",
    run=run_run,
    add_arguments=_add_arguments,
)

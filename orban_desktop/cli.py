"""``orban-agent``: the command-line face of the agent, with the upstream agent's verbs.

Upstream's users type ``orban-agent start [-f]``, ``stop``, ``status [-v]``, ``earnings``,
``logs [-f]`` and ``version``; those verbs keep their meaning here. Ours add ``run --headless``,
``platform``, ``keygen``, ``import`` and ``export-earnings``. This module only parses arguments,
builds the shared context (paths, config) and dispatches to ``orban_desktop.commands``; it is the
composition root for headless use. It never imports Qt.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from orban_desktop import __version__
from orban_desktop.commands import COMMANDS, CommandContext
from orban_desktop.errors import OrbanError

logger = logging.getLogger(__name__)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, metavar="FILE", help="settings file (default: the per-user one)"
    )
    parser.add_argument(
        "--root",
        type=Path,
        metavar="DIR",
        help="keep every file (settings, key, ledger, cache, logs) under DIR (portable use)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orban-agent",
        description="Orban Agent: lend your idle GPU to the Orban compute platform, get paid.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"orban-agent {__version__}")
    verbs = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS.values():
        sub = verbs.add_parser(command.name, help=command.help, description=command.help)
        _add_common(sub)
        command.add_arguments(sub)
    return parser


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def main(
    argv: Sequence[str] | None = None,
    *,
    out: Callable[[str], None] | None = None,
) -> int:
    """Run one command; returns the process exit status (0 ok, 1 failed, 2 usage).

    Args:
        argv: Arguments without the program name (``sys.argv[1:]`` when ``None``).
        out: Where normal output goes (``print`` when ``None``); errors go to stderr.
    """
    # In a frozen bundle a PoW worker is this binary started again by multiprocessing (spawn):
    # this call runs the worker and exits there; elsewhere it does nothing.
    multiprocessing.freeze_support()
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(getattr(args, "verbose", False))
    context = CommandContext.from_args(args, out=out or print)
    command = COMMANDS[args.command]
    try:
        return command.run(args, context)
    except OrbanError as exc:
        print(f"Error: {exc.title}: {exc.message}", file=sys.stderr)
        logger.debug("command %s failed", args.command, exc_info=True)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_went_away()


def _reader_went_away() -> int:
    """Standard output's reader closed the pipe (``… | head``): stop quietly, as Unix tools do.

    Standard output is pointed at the null device so that the interpreter's final flush does not
    raise again; the status is 141, a shell's code for a command ended by SIGPIPE.
    """
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return 128 + 13


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

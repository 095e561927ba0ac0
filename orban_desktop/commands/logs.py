"""``orban-agent logs [-f] [-n N]``: the last lines of the agent's log file, optionally followed.

The tail is read backwards from the end of the file in blocks, so a 5 MB log costs no more than
its last lines. ``-f`` keeps printing lines as the agent writes them until Ctrl-C, and picks up
the new file when the log rotates (the file at the path changes or shrinks). Nothing here
imports Qt.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

from orban_desktop.commands.base import Command, CommandContext

BLOCK = 64 * 1024
POLL_S = 0.5


def tail_lines(path: Path, count: int) -> list[str]:
    """The last ``count`` lines of ``path`` (without line ends). Raises ``OSError``."""
    if count <= 0:
        return []
    with path.open("rb") as file:
        end = file.seek(0, os.SEEK_END)
        data = b""
        while end > 0 and data.count(b"\n") <= count:
            start = max(0, end - BLOCK)
            file.seek(start)
            data = file.read(end - start) + data
            end = start
    lines = data.decode("utf-8", errors="replace").splitlines()
    return lines[-count:]


def follow(
    path: Path,
    out: Callable[[str], None],
    *,
    stop: Callable[[], bool],
    poll_s: float = POLL_S,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Print lines appended to ``path`` from its current end until ``stop()`` says so.

    A partial last line waits for its end. When the file is replaced (rotation) or truncated,
    the new content is read from its start. A missing file is waited for.
    """
    position, identity, pending = 0, None, b""
    try:
        info = path.stat()
        position, identity = info.st_size, (info.st_dev, info.st_ino)
    except OSError:
        pass
    while not stop():
        try:
            info = path.stat()
        except OSError:
            sleep(poll_s)
            continue
        if (info.st_dev, info.st_ino) != identity or info.st_size < position:
            position, identity, pending = 0, (info.st_dev, info.st_ino), b""
        if info.st_size > position:
            with path.open("rb") as file:
                file.seek(position)
                chunk = file.read()
            position += len(chunk)
            *complete, pending = (pending + chunk).split(b"\n")
            for line in complete:
                out(line.decode("utf-8", errors="replace").rstrip("\r"))
            continue
        sleep(poll_s)


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-f", "--follow", action="store_true", help="keep printing new lines (Ctrl-C ends)"
    )
    parser.add_argument(
        "-n", "--lines", type=_count, default=50, metavar="N", help="lines to show first (50)"
    )


def run_logs(args: argparse.Namespace, context: CommandContext) -> int:
    path = context.files.log_file
    try:
        lines = tail_lines(path, args.lines)
    except FileNotFoundError:
        if not args.follow:
            context.out(f"No log yet at {path}: the agent has not run with these settings.")
            return 1
        lines = []
    except OSError as exc:
        context.out(f"Cannot read the log {path}: {exc.strerror or exc}.")
        return 1
    for line in lines:
        context.out(line)
    if args.follow:
        try:
            follow(path, context.out, stop=lambda: False)
        except KeyboardInterrupt:
            return 0
    return 0


LOGS = Command(
    name="logs",
    help="show the agent's log (-f: follow it, -n N: last N lines)",
    run=run_logs,
    add_arguments=_add_arguments,
)

"""``orban-agent start [-f]`` and ``stop``: the agent as a background process, as upstream has it.

``start`` runs ``python -m orban_desktop.cli run --headless --detached ...`` in a new session
(in a frozen bundle, where ``sys.executable`` is a bundled binary, the bundle's own
``orban-agent`` binary instead; see :func:`agent_command`), its console output appended to
``orban-agent.console.log`` beside the log file (the log file itself rotates); it waits until
the agent's status file shows it up and prints its pid; it refuses when an agent (headless or
the desktop app) already runs with the same files, and says which one. ``start -f`` runs it in
the foreground instead. ``stop`` sends SIGTERM to the pid in the pid file (the desktop app's
too), so running tasks are handed back, and waits up to 30 seconds for the process to end.
Nothing here imports Qt.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from orban_desktop.commands.base import Command, CommandContext
from orban_desktop.commands.run import add_headless_arguments, headless_argv, run_in_foreground
from orban_desktop.headless.agent_lock import check_not_running
from orban_desktop.headless.status_file import (
    StatusSnapshot,
    pid_alive,
    read_pid_file,
    read_status,
    status_file_for,
)

POLL_S = 0.1
CONSOLE_LOG_NAME = "orban-agent.console.log"
#: The command-line binary's name inside a frozen (PyInstaller) bundle, beside the GUI's.
FROZEN_AGENT_NAME = "orban-agent"


def agent_command(*, frozen: bool, executable: str, windows: bool = False) -> list[str]:
    """The start of the command line that runs ``orban-agent`` as a child process.

    Args:
        frozen: Whether this process is a frozen bundle (``sys.frozen``, set by PyInstaller).
        executable: ``sys.executable``: the interpreter, or in a bundle the binary that runs.
        windows: Whether the binary has Windows' ``.exe`` suffix.

    Returns:
        ``[interpreter, "-m", "orban_desktop.cli"]``, or in a bundle its ``orban-agent``
        binary (whichever of the bundle's binaries runs, the two sit in one folder).
    """
    if not frozen:
        return [executable, "-m", "orban_desktop.cli"]
    name = FROZEN_AGENT_NAME + (".exe" if windows else "")
    return [str(Path(executable).with_name(name))]


def _start_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-f", "--foreground", action="store_true", help="stay in the foreground (as run --headless)"
    )
    parser.add_argument(
        "--wait", type=float, default=60.0, metavar="S", help="seconds to wait for it to come up"
    )
    add_headless_arguments(parser)


def _tail(path: Path, lines: int = 10) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    except OSError:
        return []


def run_start(args: argparse.Namespace, context: CommandContext) -> int:
    if args.foreground:
        return run_in_foreground(args, context)
    files = context.files  # loads the settings: a bad file is reported here, not in the log
    check_not_running(files.pid_file)
    status_path = status_file_for(files.pid_file)
    console_log = files.log_file.with_name(CONSOLE_LOG_NAME)
    console_log.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    argv = agent_command(
        frozen=bool(getattr(sys, "frozen", False)),
        executable=sys.executable,
        windows=sys.platform == "win32",
    )
    argv += ["run", "--headless", "--detached"]
    argv += ["--config", str(context.config_file), *headless_argv(args)]
    root: Path | None = getattr(args, "root", None)
    if root is not None:
        argv += ["--root", str(root)]
    fd = os.open(console_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        process = subprocess.Popen(  # our own interpreter and module, or our own binary
            argv, stdin=subprocess.DEVNULL, stdout=fd, stderr=fd, start_new_session=True
        )
    finally:
        os.close(fd)
    deadline = time.monotonic() + args.wait
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            context.out(f"The agent exited at start (status {code}). Its last output:")
            for line in _tail(console_log) or _tail(files.log_file):
                context.out(f"  {line}")
            return 1
        snapshot = read_status(status_path)
        if snapshot is not None and snapshot.pid == process.pid:
            context.out(f"Orban Agent started in the background (pid {process.pid}).")
            context.out(f"  Agent id: {snapshot.agent_id}")
            context.out("  See it with `orban-agent status`, its log with `orban-agent logs -f`.")
            return 0
        time.sleep(POLL_S)
    context.out(
        f"The agent (pid {process.pid}) has not reported in after {args.wait:g} s; it may still "
        "be starting. Check `orban-agent status` and `orban-agent logs`."
    )
    return 1


def _looks_like_agent(pid: int, snapshot: StatusSnapshot | None) -> bool:
    """Guard against a reused pid: the status file names it, or its command line is ours."""
    if snapshot is not None and snapshot.pid == pid:
        return True
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # cannot tell here (no /proc): trust the pid file
    return b"orban" in command


def _stop_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout", type=float, default=30.0, metavar="S", help="seconds to wait for the exit"
    )


def run_stop(args: argparse.Namespace, context: CommandContext) -> int:
    pid_file = context.files.pid_file
    status_path = status_file_for(pid_file)
    snapshot = read_status(status_path)
    pid = read_pid_file(pid_file) or (snapshot.pid if snapshot is not None else None)
    if pid is None or not pid_alive(pid):
        for stale in (pid_file, status_path):
            stale.unlink(missing_ok=True)
        context.out("Orban Agent is not running.")
        return 0
    if not _looks_like_agent(pid, snapshot):
        context.out(
            f"The pid file {pid_file} names process {pid}, which is not an Orban agent; "
            "leaving it alone. Remove the pid file if no agent runs."
        )
        return 1
    os.kill(pid, signal.SIGTERM)
    context.out(f"Stopping Orban Agent (pid {pid}); running tasks are handed back ...")
    deadline = time.monotonic() + args.timeout
    while pid_alive(pid):
        if time.monotonic() >= deadline:
            context.out(
                f"It is still running after {args.timeout:g} s. Wait and run `orban-agent stop` "
                f"again, or end it at once with `kill -9 {pid}` (its tasks are then lost)."
            )
            return 1
        time.sleep(POLL_S)
    for leftover in (pid_file, status_path):  # a clean exit removed them; a crash may not have
        if read_pid_file(leftover) in (None, pid):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
    context.out("Orban Agent stopped.")
    return 0


START = Command(
    name="start",
    help="start the agent in the background (-f: in the foreground)",
    run=run_start,
    add_arguments=_start_arguments,
)
STOP = Command(
    name="stop",
    help="stop the background agent (running tasks are handed back)",
    run=run_stop,
    add_arguments=_stop_arguments,
)

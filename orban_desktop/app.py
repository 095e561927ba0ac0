"""``orban-desktop``: the desktop app's entry point and composition root.

:func:`main` reads the command line, makes the ``QApplication`` (tray app: closing the window
does not quit), keeps to one instance per user and settings folder (a second launch raises the
first window), loads the settings (a broken file is reported in a dialog), installs the
translation and the palette, and runs :class:`~orban_desktop.ui.desktop.DesktopApp` on a qasync
loop, which merges asyncio into Qt's event loop so the agent and the window share one thread.
With ``--demo`` the app embeds the local reference platform and, when this computer has no GPU,
uses simulated GPUs (labelled as such), leaving the saved settings alone. This module and
``orban_desktop/ui/`` are the only ones that import Qt.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import signal
import socket
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from orban_desktop import __version__
from orban_desktop.config import AgentConfig
from orban_desktop.config.paths import AppPaths
from orban_desktop.errors import ConfigError
from orban_desktop.heap import glibc, limit_arenas


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="orban-desktop",
        description="Orban Agent: lend your idle GPU to the Orban platform and see what it earns.",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run with the built-in local reference platform, and simulated GPUs when this "
        "computer has none (your saved settings are not changed)",
    )
    parser.add_argument(
        "--simulate-gpus", type=int, metavar="N", help="use N simulated GPUs (labelled SIMULATED)"
    )
    parser.add_argument(
        "--hidden", action="store_true", help="start in the tray without opening the window"
    )
    parser.add_argument(
        "--root", type=Path, help="keep settings, key and data below this folder (portable use)"
    )
    parser.add_argument(
        "--sample-interval", type=float, default=10.0, metavar="SECONDS",
        help="GPU sampling period while no chart is shown (default 10)",
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"orban-desktop {__version__}")
    args = parser.parse_args(argv)
    if args.simulate_gpus is not None and not 0 <= args.simulate_gpus <= 16:
        parser.error("--simulate-gpus must be 0 to 16")
    if args.sample_interval <= 0:
        parser.error("--sample-interval must be positive")
    return args


class _SignalWake:
    """SIGINT/SIGTERM call ``on_signal``, even while Qt's C++ loop holds the thread.

    Python runs a signal handler only when the interpreter gets control; the C-level handler
    also writes to a socket watched by a ``QSocketNotifier``, whose callback gives it control.
    """

    def __init__(self, on_signal: Callable[[], None]) -> None:
        from PySide6.QtCore import QSocketNotifier

        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._drain)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda _signum, _frame: on_signal())

    def _drain(self) -> None:
        with contextlib.suppress(OSError):
            self._reader.recv(64)

    def close(self) -> None:
        signal.set_wakeup_fd(self._previous_fd)
        self._notifier.setEnabled(False)
        self._reader.close()
        self._writer.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the desktop app; returns the process exit status."""
    multiprocessing.freeze_support()
    started_at = time.perf_counter()
    args = parse_args(argv)
    limit_arenas(glibc())  # before Qt's and the agent's threads start
    import qasync
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QApplication, QMessageBox

    from orban_desktop.ui.desktop import DesktopApp, LaunchOptions
    from orban_desktop.ui.i18n import install_translators, pick_language
    from orban_desktop.ui.none_guard import protect_none
    from orban_desktop.ui.single_instance import SingleInstance, instance_key
    from orban_desktop.ui.theme import apply_theme

    paths = AppPaths.under(args.root.resolve()) if args.root else AppPaths.default()
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Orban Agent")
    app.setOrganizationName("Orban")
    app.setDesktopFileName("orban-desktop")
    app.setQuitOnLastWindowClosed(False)
    none_guard = protect_none(app)
    single = SingleInstance(instance_key(paths.config_dir))
    if single.ask_running_instance():
        print("Orban Agent is already running; its window was brought to the front.")
        return 0
    single.listen()
    try:
        config = AgentConfig.load(paths.config_file)
    except ConfigError as exc:
        QMessageBox.critical(None, exc.title, exc.message)
        return 2
    translators = install_translators(app, pick_language(config.ui.language, QLocale.system()))
    theme = apply_theme(app, config.ui.theme)
    options = LaunchOptions(
        paths=paths,
        demo=args.demo,
        simulate_gpus=args.simulate_gpus,
        hidden=args.hidden,
        console_log=sys.stderr is not None,
        sample_interval_s=args.sample_interval,
        started_at=started_at,
    )
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    desktop = DesktopApp(app, options, config, theme)
    single.activated.connect(desktop.show_window)
    wake = _SignalWake(desktop.request_quit)
    with loop:
        status: int = loop.run_until_complete(desktop.run())
    single.close()
    wake.close()
    del translators, none_guard
    return status


if __name__ == "__main__":
    sys.exit(main())

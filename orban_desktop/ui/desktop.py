"""The desktop app's life on the qasync loop: first run, agent, window, tray, quit.

:class:`DesktopApp` does what ``orban-desktop`` does once Qt and the loop exist: it takes the
agent lock the headless agent takes too (one agent per set of files: a dialog says which agent
already runs and how to stop it; the pid file and ``status.json`` name this face, ``desktop``,
so ``orban-agent status`` shows it and ``orban-agent start`` refuses), the first-run wizard
when there are no settings yet (it creates the key; ``--demo`` on a fresh install creates it the
same way instead of showing the wizard), then the window: shown and painted first, before the
agent's heavy modules (the protocol, aiohttp, the Docker SDK, numpy) are imported and before the
ledger is opened, so the owner sees it at once. Those modules are then imported on a worker
thread (the loop keeps turning), and only then come logging to a file and to the Logs page, the
:class:`~orban_desktop.agent.host.AgentHost` (which refuses to start when the settings' key file
is missing, and says how to restore it), the window's pages, the tray and the notifications;
then it waits for Quit and stops everything in order, handing running tasks back, and removes
the pid and status files. Imports QtWidgets.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon

from orban_desktop.config import AgentConfig
from orban_desktop.config.paths import AppPaths
from orban_desktop.errors import KeyFileError, OrbanError
from orban_desktop.events import EventBus
from orban_desktop.headless.agent_lock import AgentFace, AgentLock
from orban_desktop.logging_setup import configure_logging
from orban_desktop.ui.error_text import error_message
from orban_desktop.ui.main_window import MainWindow
from orban_desktop.ui.theme import Theme, apply_theme

if TYPE_CHECKING:
    from orban_desktop.agent.host import AgentHost
    from orban_desktop.network.auth import Authenticator
    from orban_desktop.ui.dashboard import Dashboard
    from orban_desktop.ui.notifications import Severity
    from orban_desktop.ui.tray import Tray
    from orban_platform.settings import PlatformSettings

#: The agent's modules imported after the first paint, on a worker thread (none imports Qt).
CORE_MODULES = ("orban_desktop.agent.host", "orban_desktop.headless.status_keeper")
#: The longest the start waits for the first paint before it goes on (seconds).
PAINT_WAIT_S = 2.0

logger = logging.getLogger(__name__)
translate = QCoreApplication.translate


@dataclass(frozen=True)
class LaunchOptions:
    """How the app was started (see ``orban-desktop --help``)."""

    paths: AppPaths
    demo: bool = False
    simulate_gpus: int | None = None
    hidden: bool = False
    console_log: bool = True
    sample_interval_s: float = 10.0
    started_at: float = 0.0  # time.perf_counter() at launch
    platform_settings: PlatformSettings | None = None  # with demo: instead of the demo's

    def embedded_platform(self) -> PlatformSettings | None:
        """The embedded platform's settings when ``--demo`` forces one."""
        from orban_desktop.agent.host_rules import demo_platform_settings

        if self.platform_settings is not None:
            return self.platform_settings
        return demo_platform_settings(self.paths.data_dir) if self.demo else None


class DesktopApp:
    """Everything ``orban-desktop`` runs; :meth:`run` returns the exit status."""

    def __init__(
        self, app: QApplication, options: LaunchOptions, config: AgentConfig, theme: Theme
    ) -> None:
        self.app, self.options, self.config, self.theme = app, options, config, theme
        self.quit_requested = asyncio.Event()
        self.window: MainWindow | None = None
        self.tray: Tray | None = None
        self.host: AgentHost | None = None
        self.dashboard: Dashboard | None = None

    def show_window(self) -> None:
        """Bring the window to the front (a second launch asked for it)."""
        if self.window is not None:
            self.window.show_and_raise()

    def request_quit(self) -> None:
        self.quit_requested.set()

    async def _first_run(self) -> Authenticator | None:
        """The first-run wizard; the key it made, or ``None`` when the owner cancelled."""
        from orban_desktop.ui.first_run import FirstRunWizard

        wizard = FirstRunWizard(self.options.paths, self.config)
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def finished(code: int) -> None:
            if not done.done():
                done.set_result(code)

        wizard.finished.connect(finished)
        wizard.show()
        accepted = await done == FirstRunWizard.DialogCode.Accepted
        identity = wizard.identity if accepted else None
        if accepted:
            self.config = wizard.config
        wizard.deleteLater()
        return identity

    async def _simulated_gpus(self) -> int | None:
        if self.options.simulate_gpus is not None:
            return self.options.simulate_gpus
        if self.options.demo and self.config.gpu.simulate_gpus == 0:
            from orban_desktop.ui.first_run import detect_gpus
            from orban_desktop.ui.first_run_pages import DEMO_GPU_COUNT

            found = await asyncio.to_thread(detect_gpus)
            return None if found else DEMO_GPU_COUNT
        return None

    async def run(self) -> int:
        """Hold the agent lock while the app runs; refuse when another agent has it."""
        lock = AgentLock(self.options.paths.pid_file, AgentFace.DESKTOP)
        try:
            await asyncio.to_thread(lock.acquire)
        except OrbanError as exc:
            self._fatal(exc)
            return 1
        try:
            return await self._run_locked(lock)
        finally:
            await asyncio.to_thread(lock.release)

    async def _run_locked(self, lock: AgentLock) -> int:
        paths = self.options.paths
        identity: Authenticator | None = None
        created = False
        if not paths.config_file.exists():  # a first run: only here is a key ever made
            if not self.options.demo:
                identity = await self._first_run()
                if identity is None:
                    return 0
            else:
                from orban_desktop.ui.first_run_pages import load_or_create_identity

                try:
                    identity, created = await asyncio.to_thread(
                        load_or_create_identity, paths, self.config
                    )
                except KeyFileError as exc:
                    self._fatal(exc)
                    return 1
        bus = EventBus()
        installed = configure_logging(
            self.config.logging.level,
            self.config.resolved(paths).log_file,
            console=self.options.console_log,
            bus=bus,
        )
        try:
            return await self._run_window(lock, bus, identity, created)
        finally:
            installed.close()

    async def _run_window(
        self, lock: AgentLock, bus: EventBus, identity: Authenticator | None, created: bool
    ) -> int:
        tray_available = QSystemTrayIcon.isSystemTrayAvailable()
        window = self.window = MainWindow(close_to_tray=tray_available)
        window.first_painted.connect(self._painted)
        window.quit_requested.connect(self.request_quit)
        window.hidden_to_tray.connect(self._hidden_to_tray)
        if not self.options.hidden:
            window.show()
            await self._first_paint(window)
        await asyncio.to_thread(_import_core)  # after the first paint, off the loop
        return await self._run_agent(lock, bus, window, identity, created)

    async def _first_paint(self, window: MainWindow) -> None:
        painted = asyncio.Event()
        window.first_painted.connect(painted.set)
        try:
            await asyncio.wait_for(painted.wait(), PAINT_WAIT_S)
        except TimeoutError:
            logger.debug("no paint within %.1f s; starting the agent anyway", PAINT_WAIT_S)
        finally:
            window.first_painted.disconnect(painted.set)

    async def _run_agent(
        self,
        lock: AgentLock,
        bus: EventBus,
        window: MainWindow,
        identity: Authenticator | None,
        created: bool,
    ) -> int:
        from orban_desktop.agent.host import AgentHost
        from orban_desktop.agent.host_rules import demo_platform_settings
        from orban_desktop.headless.status_keeper import StatusKeeper
        from orban_desktop.ui.autostart import Autostart
        from orban_desktop.ui.bridge import EventBridge
        from orban_desktop.ui.dashboard import Dashboard
        from orban_desktop.ui.notifications import Notifier
        from orban_desktop.ui.settings_store import SettingsStore
        from orban_desktop.ui.tray import Tray

        paths = self.options.paths
        bridge = EventBridge()
        bridge.attach(bus)
        host = self.host = AgentHost(
            paths=paths,
            config=self.config,
            bus=bus,
            identity=identity,
            simulate_gpus=self.options.simulate_gpus,
            platform_settings=self.options.embedded_platform(),
            platform_for=lambda where: demo_platform_settings(where.data_dir),
            sample_interval_s=self.options.sample_interval_s,
        )
        store = SettingsStore(host, paths.config_file, Autostart.for_this_user())
        dashboard = self.dashboard = Dashboard(
            host, bridge, store, self.theme, lambda choice: apply_theme(self.app, choice)
        )
        if created and identity is not None:
            logger.info("created a new identity key", extra={"agent_id": identity.agent_id})
        tray = self.tray = Tray(dashboard) if window.close_to_tray else None
        show = tray.show_message if tray is not None else _log_notification
        notifier = Notifier(dashboard, show)
        window.attach(dashboard)
        if tray is not None:
            tray.open_requested.connect(window.show_and_raise)
            tray.quit_requested.connect(self.request_quit)
            tray.show()
        if self.options.hidden and tray is None:
            logger.warning("started hidden with no system tray: run orban-desktop again to open it")
        self.app.aboutToQuit.connect(self.request_quit)
        keeper: StatusKeeper | None = None
        try:
            try:
                host.simulate_gpus = await self._simulated_gpus()  # after the first paint
                await host.start()
                keeper = StatusKeeper(host, lock.status_file, AgentFace.DESKTOP)
                await keeper.start()
            except (OrbanError, OSError) as exc:
                self._fatal(exc)
                return 1
            dashboard.agent_started()
            await self.quit_requested.wait()
            return 0
        finally:
            logger.info("quitting: handing running tasks back")
            window.hide()
            if tray is not None:
                tray.hide()
            if keeper is not None:
                await keeper.stop()
            await host.stop()
            await dashboard.close()
            del notifier
            bridge.detach()

    def _painted(self) -> None:
        elapsed = time.perf_counter() - self.options.started_at
        logger.info("first window painted %.3f s after launch", elapsed)

    def _hidden_to_tray(self, first_time: bool) -> None:
        from orban_desktop.ui.notifications import Severity

        if first_time and self.tray is not None:
            self.tray.show_message(
                translate("DesktopApp", "Orban Agent keeps running"),
                translate(
                    "DesktopApp",
                    "The agent goes on working in the tray. Right-click the icon to pause or quit.",
                ),
                Severity.INFO,
            )

    def _fatal(self, error: Exception) -> None:
        message = error_message(error) if isinstance(error, OrbanError) else str(error)
        logger.error("the agent cannot start: %s", message)
        QMessageBox.critical(
            self.window, translate("DesktopApp", "Orban Agent cannot start"), message
        )


def _import_core() -> None:
    """Import the agent's modules (run on a worker thread, after the first paint)."""
    for name in CORE_MODULES:
        importlib.import_module(name)


def _log_notification(title: str, message: str, severity: Severity) -> None:
    logger.info("notification (%s): %s: %s", severity.value, title, message)

"""The dashboard window: a navigation list on the left, one page at a time on the right.

Pages (Overview, GPUs, Tasks, Earnings, Logs, Settings) are made the first time they are shown,
so start-up paints quickly and memory is spent only on what the owner opens (pyqtgraph and
numpy, about 40 MB, are imported with the first chart page). GPUs are sampled
every second while the Overview or GPUs page is on screen, and slowly otherwise. Closing the
window keeps the agent running in the tray (said once, then remembered in the settings); with no
tray, closing quits. A theme chosen in Settings repaints at once: the palette and style sheet
change app-wide, and the pages that draw with the theme's colours (charts, cards) are made anew.
``first_painted`` fires after the window's first paint. The window can be made and shown before
the agent's models exist (``dashboard=None``: the navigation and a "Starting" page, and none of
the agent's heavy modules imported), so it paints at once at launch; :meth:`MainWindow.attach`
then adds the pages. A page that follows live events draws nothing while the window is hidden or
minimised and catches up when the window is restored. Imports QtWidgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent, QHideEvent, QPaintEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from orban_desktop.ui.background import BackgroundTasks
from orban_desktop.ui.icons import app_icon

if TYPE_CHECKING:
    from orban_desktop.ui.dashboard import Dashboard

translate = QCoreApplication.translate
PAGES = ("overview", "gpus", "tasks", "earnings", "logs", "settings")
LIVE_PAGES = frozenset({"overview", "gpus"})


class MainWindow(QMainWindow):
    """The dashboard. ``close_to_tray`` says whether closing hides it (a tray exists)."""

    first_painted = Signal()
    hidden_to_tray = Signal(bool)  # True the first time: tell the owner once
    quit_requested = Signal()

    def __init__(self, dashboard: Dashboard | None = None, *, close_to_tray: bool) -> None:
        super().__init__()
        self._dashboard = dashboard
        self.close_to_tray = close_to_tray
        self.tasks = BackgroundTasks("main window")
        self._painted = False
        self.setWindowTitle(translate("MainWindow", "Orban Agent"))
        self.setWindowIcon(app_icon())
        self.resize(1120, 780)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(170)
        captions = (
            translate("MainWindow", "Overview"),
            translate("MainWindow", "GPUs"),
            translate("MainWindow", "Tasks"),
            translate("MainWindow", "Earnings"),
            translate("MainWindow", "Logs"),
            translate("MainWindow", "Settings"),
        )
        self.nav.addItems(list(captions))
        self.stack = QStackedWidget()
        self.starting = QLabel(translate("MainWindow", "Starting the agent…"))
        self.starting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.starting)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.pages: dict[str, QWidget] = {}
        self._factories: dict[str, Callable[[], QWidget]] = {}
        self.nav.setCurrentRow(0)
        self.nav.currentRowChanged.connect(lambda row: self.show_page(PAGES[row]))
        if dashboard is not None:
            self.attach(dashboard)

    @property
    def dashboard(self) -> Dashboard:
        """The models the pages show (only after :meth:`attach`)."""
        if self._dashboard is None:
            raise RuntimeError("the window has no dashboard yet")
        return self._dashboard

    def attach(self, dashboard: Dashboard) -> None:
        """Add the pages over ``dashboard`` and show the chosen one (once, after the agent's
        modules are loaded; the window may already be on screen)."""
        from orban_desktop.ui.views.logs_view import LogsView
        from orban_desktop.ui.views.overview_view import OverviewView
        from orban_desktop.ui.views.tasks_view import TasksView

        self._dashboard = dashboard
        self._factories = {
            "overview": lambda: OverviewView(dashboard),
            "gpus": self._gpus_page,
            "tasks": lambda: TasksView(dashboard.board),
            "earnings": self._earnings_page,
            "logs": lambda: LogsView(dashboard.bridge, dashboard.log_events, dashboard.log_file),
            "settings": self._settings_page,
        }
        dashboard.restarted.connect(self._agent_restarted)
        dashboard.gpus_changed.connect(self._agent_restarted)
        dashboard.theme_changed.connect(self._theme_changed)
        self.show_page(self.current_page)
        self.stack.removeWidget(self.starting)
        self.starting.deleteLater()

    def _gpus_page(self) -> QWidget:
        from orban_desktop.ui.views.gpus_view import GpusView  # pyqtgraph: loaded when needed

        board = self.dashboard
        return GpusView(
            board.host, board.gpu_ring, board.bridge, board.theme, self._set_gpu_enabled
        )

    def _earnings_page(self) -> QWidget:
        from orban_desktop.ui.views.earnings_view import EarningsView  # pyqtgraph, as above

        board = self.dashboard
        return EarningsView(board.host, board.bridge, board.theme)

    def _settings_page(self) -> QWidget:
        from orban_desktop.ui.views.settings_view import SettingsView

        view = SettingsView(self.dashboard.store, self.dashboard.host.gpu_facts)
        view.theme_chosen.connect(self.dashboard.set_theme)
        return view

    def _theme_changed(self, _theme: object) -> None:
        """Make the pages that paint with the theme's colours again (the rest follow the
        palette by themselves)."""
        current = self.current_page
        for name in [n for n in self.pages if n != "settings"]:
            page = self.pages.pop(name)
            self.stack.removeWidget(page)
            page.deleteLater()
        if current != "settings":
            self.show_page(current)

    @property
    def current_page(self) -> str:
        return PAGES[max(0, self.nav.currentRow())]

    def page(self, name: str) -> QWidget:
        """The page called ``name``, made now if it was never shown."""
        page = self.pages.get(name)
        if page is None:
            page = self.pages[name] = self._factories[name]()
            self.stack.addWidget(page)
        return page

    def show_page(self, name: str) -> QWidget | None:
        """Show page ``name`` (``None`` while the window has no dashboard yet)."""
        if self._dashboard is None:
            return None
        page = self.page(name)
        if self.nav.currentRow() != PAGES.index(name):
            self.nav.setCurrentRow(PAGES.index(name))
        self.stack.setCurrentWidget(page)
        self._update_sampling()
        return page

    def _update_sampling(self) -> None:
        if self._dashboard is None:
            return
        live = self.isVisible() and not self.isMinimized() and self.current_page in LIVE_PAGES
        self._dashboard.host.set_fast_sampling(live)

    def _set_gpu_enabled(self, index: int, enabled: bool) -> None:
        self.tasks.spawn(self.dashboard.store.set_gpu_enabled(index, enabled), "GPU switch")

    def _agent_restarted(self) -> None:
        if "gpus" in self.pages:
            from orban_desktop.ui.views.gpus_view import GpusView

            gpus = self.pages["gpus"]
            if isinstance(gpus, GpusView):
                gpus.reload_gpus()
        self._update_sampling()

    def show_and_raise(self) -> None:
        """Bring the window to the front (tray "Open dashboard", a second launch)."""
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._update_sampling()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._update_sampling()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange:
            self._update_sampling()
            page = self.pages.get(self.current_page)
            catch_up = getattr(page, "catch_up", None)
            if not self.isMinimized() and callable(catch_up):
                catch_up()  # the page drew nothing while minimised

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.close_to_tray:
            event.accept()
            self.quit_requested.emit()
            return
        event.ignore()
        self.hide()
        if self._dashboard is None:
            return
        config = self._dashboard.host.config
        first_time = not config.ui.close_to_tray_notice_shown
        self.hidden_to_tray.emit(first_time)
        if first_time:
            ui = config.ui.model_copy(update={"close_to_tray_notice_shown": True})
            new = config.model_copy(update={"ui": ui})
            self.tasks.spawn(self.dashboard.store.save_and_apply(new), "remember tray notice")

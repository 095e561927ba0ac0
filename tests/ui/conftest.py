"""UI test set-up: offscreen Qt, a qasync loop for async tests, and a real agent to show.

Every async test runs on a ``qasync.QEventLoop``, so Qt events and asyncio run together as in
the app. Modules that need the agent are imported by the fixtures that use them.
``running_agent`` starts the real composition (:class:`AgentHost`): a local platform on
ephemeral ports with short timers, simulated GPUs, the real ledger and executor, all under
``tmp_path``, with the UI models (:class:`Dashboard`) on it.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import contextlib
import gc
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from orban_desktop.config.paths import AppPaths
from orban_desktop.events import EventBus
from orban_desktop.network.auth import Authenticator
from orban_desktop.ui.autostart import Autostart
from orban_desktop.ui.bridge import EventBridge
from orban_desktop.ui.none_guard import NoneRefcountGuard, protect_none
from orban_desktop.ui.theme import LIGHT, apply_theme

if TYPE_CHECKING:
    from orban_desktop.ui.dashboard import Dashboard


@pytest.fixture(scope="session", autouse=True)
def none_guard(qapp: QApplication) -> Iterator[NoneRefcountGuard | None]:
    """Keep the whole session safe from PySide6 6.12.0's leak of ``None`` references."""
    guard = protect_none(qapp)
    yield guard
    if guard is not None:
        guard.top_up()


@pytest.fixture(autouse=True)
def collect_on_the_gui_thread() -> Iterator[None]:
    """Collect each test's garbage here: a cycle holding QObjects freed by a collection that
    happens to run on a worker thread would leave Qt with timers of deleted objects."""
    yield
    gc.collect()


def _qt_loop() -> qasync.QEventLoop:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([])
    app.setQuitOnLastWindowClosed(False)  # as in the app: a tray app quits by Quit only
    return qasync.QEventLoop(app)


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, object]:
    return {"qasync": _qt_loop}


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths.under(tmp_path / "app")


@pytest.fixture
def autostart(tmp_path: Path) -> Autostart:
    return Autostart("linux", tmp_path / "home", {}, ("orban-desktop", "--hidden"))


RunningAgent = Callable[..., AbstractAsyncContextManager["Dashboard"]]


@pytest.fixture
def running_agent(tmp_path: Path, paths: AppPaths, autostart: Autostart) -> RunningAgent:
    """``async with running_agent() as dashboard``: a started agent with 2 simulated GPUs (or
    ``running_agent(gpus=N)``; 0 detects this machine's own) on a fast local platform, and the UI
    models on it; stopped when the block ends.

    Started inside the test (not by an async fixture): qasync runs asyncio callbacks from Qt's
    event processing, which pytest-qt also does between fixtures and the test, when no asyncio
    loop is running.
    """
    from orban_desktop.agent.host import AgentHost
    from orban_desktop.ui.dashboard import Dashboard
    from orban_desktop.ui.settings_store import SettingsStore
    from tests.ui.agent_setup import fast_agent_config, fast_platform_settings

    @contextlib.asynccontextmanager
    async def run(gpus: int = 2) -> AsyncIterator[Dashboard]:
        config = fast_agent_config()
        identity = Authenticator.generate()
        identity.save(config.resolved(paths).key_file)
        host = AgentHost(
            paths=paths,
            config=config,
            bus=EventBus(),
            simulate_gpus=gpus,
            platform_settings=fast_platform_settings(tmp_path / "platform"),
            sample_interval_s=1.0,
        )
        bridge = EventBridge()
        bridge.attach(host.bus)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        store = SettingsStore(host, paths.config_file, autostart)
        dashboard = Dashboard(host, bridge, store, LIGHT, lambda c: apply_theme(app, c))
        await host.start()
        try:
            dashboard.agent_started()
            yield dashboard
        finally:
            await host.stop()
            await dashboard.close()
            bridge.detach()

    return run


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    """The Traditional Chinese translation installed for one test."""
    from PySide6.QtCore import QCoreApplication

    from orban_desktop.ui import i18n

    installed = i18n.install_translators(qapp, "zh_TW")
    assert installed, "the zh_TW translation did not load"
    yield
    for translator in installed:
        QCoreApplication.removeTranslator(translator)

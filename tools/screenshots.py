"""Render every view of the app, with the demo running, into ``docs/screenshots/``.

``python -m tools.screenshots`` runs one child process per look (English light, English dark,
Traditional Chinese, the first-run wizard, and the states: away-paused, offline, no GPU) under
offscreen Qt. Each demo child starts the app's own composition
(:class:`~orban_desktop.ui.desktop.DesktopApp`) with the embedded local platform and 4 simulated
GPUs, lets the demo run until tasks, earnings and a payout show and the charts have a minute of
samples, then grabs each page into ``<out>/<view>[-<look>].png``. The state children are real
too: "offline" points the agent at ``ws://127.0.0.1:1`` (nothing listens there), "no-gpu" runs
without simulated GPUs on a machine that has none, and "away" turns on "Only when I'm away"
under a private Xvfb whose idle clock says the owner is at the computer (skipped without Xvfb).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orban_desktop.ui.dashboard import Dashboard
    from orban_desktop.ui.main_window import MainWindow

LOOKS = {
    "first-run": ("en", "light"),
    "en": ("en", "light"),
    "dark": ("en", "dark"),
    "zh_TW": ("zh_TW", "light"),
    "away": ("en", "light"),
    "offline": ("en", "light"),
    "no-gpu": ("en", "light"),
}
STATE_LOOKS = ("away", "offline", "no-gpu")
PAGES_BY_LOOK = {
    "en": ("overview", "gpus", "tasks", "earnings", "logs", "settings"),
    "dark": ("overview", "gpus", "earnings"),
    "zh_TW": ("overview", "gpus", "tasks", "earnings", "settings"),
}
WINDOW_SIZE = (1200, 820)
CHART_SECONDS = 75.0


async def _until(condition: object, what: str, guard_s: float = 240.0) -> None:
    deadline = time.monotonic() + guard_s
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise RuntimeError(f"screenshots: never happened: {what}")
        await asyncio.sleep(0.2)


async def _settle() -> None:
    await asyncio.sleep(0.6)


def _name(view: str, look: str) -> str:
    return f"{view}.png" if look == "en" else f"{view}-{look}.png"


async def _app_window(desktop: object) -> tuple[Dashboard, MainWindow]:
    """The running app's dashboard and window (once both exist), the window at its shot size."""
    from orban_desktop.ui.desktop import DesktopApp

    assert isinstance(desktop, DesktopApp)
    await _until(lambda: desktop.dashboard is not None and desktop.window is not None, "window")
    dashboard, window = desktop.dashboard, desktop.window
    assert dashboard is not None and window is not None
    window.resize(*WINDOW_SIZE)
    return dashboard, window


def _grab_tray_menu(dashboard: Dashboard, path: Path) -> None:
    from orban_desktop.ui.tray import Tray

    tray = Tray(dashboard)
    tray.refresh_menu()
    tray.menu.adjustSize()
    tray.menu.grab().save(str(path))


async def _shoot_app(desktop: object, look: str, out: Path) -> None:
    from orban_desktop.ui.icons import state_icon
    from orban_desktop.ui.status_model import DisplayState
    from orban_desktop.ui.views.earnings_view import EarningsView
    from orban_desktop.ui.views.tasks_view import TasksView

    dashboard, window = await _app_window(desktop)
    started = time.monotonic()
    await _until(lambda: dashboard.board.completed_count >= 4, "four tasks done")
    await _until(lambda: dashboard.earnings.pending_micros > 0, "pending earnings")
    await _until(lambda: time.monotonic() - started > CHART_SECONDS, "a minute of chart samples")
    for name in PAGES_BY_LOOK[look]:
        page = window.show_page(name)
        if isinstance(page, EarningsView):
            await page.tasks.wait_idle()
        await _settle()
        if isinstance(page, TasksView):
            await _until(lambda: dashboard.board.running(), "a running task", guard_s=60)
            page.redraw()
        window.grab().save(str(out / _name(name, look)))
    if look in ("en", "zh_TW"):
        _grab_tray_menu(dashboard, out / _name("tray-menu", look))
    if look == "en":
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QPainter, QPixmap

        strip = QPixmap(len(DisplayState) * 72, 64)
        strip.fill(Qt.GlobalColor.transparent)
        painter = QPainter(strip)
        for i, state in enumerate(DisplayState):
            painter.drawPixmap(i * 72 + 4, 0, state_icon(state).pixmap(64, 64))
        painter.end()
        strip.save(str(out / "tray-icons.png"))
    desktop.request_quit()


async def _shoot_first_run(root: Path, out: Path) -> None:
    from orban_desktop.config import AgentConfig
    from orban_desktop.config.paths import AppPaths
    from orban_desktop.ui.first_run import FirstRunWizard

    wizard = FirstRunWizard(AppPaths.under(root), AgentConfig(), detect=lambda: [])
    wizard.show()
    await _settle()
    wizard.grab().save(str(out / "first-run-identity.png"))
    wizard.next()
    wizard.platform_page.orban_choice.setChecked(True)
    await _settle()
    wizard.grab().save(str(out / "first-run-platform.png"))
    wizard.next()
    await _until(lambda: wizard.gpu_page.detected is not None, "GPU detection")
    await _settle()
    wizard.grab().save(str(out / "first-run-gpus.png"))
    wizard.close()


async def _shoot_state(desktop: object, look: str, out: Path) -> None:
    """Wait until the state shows, then grab the Overview (and the GPUs page, the tray menu)."""
    from orban_desktop.events import ConnectionState
    from orban_desktop.ui.gpu_readiness import GpuReadiness

    dashboard, window = await _app_window(desktop)
    status = dashboard.status
    if look == "offline":
        await _until(lambda: status.retry_deadline is not None, "offline, retrying", 60)
    elif look == "no-gpu":
        await _until(lambda: status.readiness is GpuReadiness.NONE_FOUND, "no GPU", 60)
        await _until(lambda: status.state is ConnectionState.SERVING, "serving", 60)
    else:
        await _until(lambda: "owner_present" in status.pause_reasons, "away-paused", 60)
    await _settle()
    window.show_page("overview")
    await _settle()
    window.grab().save(str(out / f"overview-{look}.png"))
    if look == "no-gpu":
        window.show_page("gpus")
        await _settle()
        window.grab().save(str(out / "gpus-no-gpu.png"))
    _grab_tray_menu(dashboard, out / f"tray-menu-{look}.png")
    desktop.request_quit()


@contextlib.contextmanager
def _private_x_server() -> object:
    """An Xvfb of our own as ``DISPLAY`` (for the idle clock only: Qt stays offscreen)."""
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "640x480x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()
    os.environ["DISPLAY"] = f":{number}"
    try:
        yield
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)


def _state_app(look: str, root: Path, app: object, theme: object) -> object:
    """The app for a state look: its settings file and key written first, as after a first run."""
    from orban_desktop.config import AgentConfig
    from orban_desktop.config.paths import AppPaths
    from orban_desktop.ui.desktop import DesktopApp, LaunchOptions
    from orban_desktop.ui.first_run_pages import load_or_create_identity

    paths = AppPaths.under(root / "app")
    data: dict[str, object] = {
        "network": {"heartbeat_interval_secs": 5},
        "sandbox": {"preference": "process"},
        "schedule": {"pause_when_foreign_process": False, "only_when_away": look == "away"},
    }
    if look == "offline":
        data["agent"] = {"platform_url": "ws://127.0.0.1:1"}
    config = AgentConfig.from_toml_data(data)
    config.save(paths.config_file)
    load_or_create_identity(paths, config)
    options = LaunchOptions(
        paths=paths, simulate_gpus=None if look == "no-gpu" else 2, console_log=False,
        sample_interval_s=1.0,
    )  # fmt: skip
    return DesktopApp(app, options, config, theme)  # type: ignore[arg-type]


def _run_look(look: str, out: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    from orban_desktop.config import AgentConfig
    from orban_desktop.config.paths import AppPaths
    from orban_desktop.ui.i18n import install_translators
    from orban_desktop.ui.none_guard import protect_none
    from orban_desktop.ui.theme import apply_theme
    from orban_platform.settings import PlatformSettings

    language, theme_name = LOOKS[look]
    app = QApplication([])
    guard = protect_none(app)
    translators = install_translators(app, language)
    theme = apply_theme(app, theme_name)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="orban-shots-") as folder, loop:
        root = Path(folder)
        if look == "first-run":
            loop.run_until_complete(_shoot_first_run(root, out))
            return
        if look in STATE_LOOKS:
            desktop = _state_app(look, root, app, theme)

            async def state() -> None:
                shooter = asyncio.create_task(_shoot_state(desktop, look, out))
                await desktop.run()  # type: ignore[attr-defined]
                await shooter

            x_server = _private_x_server() if look == "away" else contextlib.nullcontext()
            with x_server:  # type: ignore[attr-defined]
                loop.run_until_complete(state())
            return
        from orban_desktop.ui.desktop import DesktopApp, LaunchOptions

        platform = PlatformSettings(
            data_dir=root / "platform", ws_port=0, http_port=0, heartbeat_interval_s=5.0,
            tick_interval_s=0.1, queue_target=4, job_rate_per_s=2.0, job_seed=3,
            confirm_delay_s=4.0, payout_interval_s=40.0,
        )  # fmt: skip
        config = AgentConfig.from_toml_data(
            {
                "network": {"heartbeat_interval_secs": 5},
                "gpu": {"max_concurrent_tasks": 2},
                "sandbox": {"preference": "process"},
                "schedule": {"pause_when_foreign_process": False},
            }
        )
        options = LaunchOptions(
            paths=AppPaths.under(root / "app"), demo=True, simulate_gpus=4, console_log=False,
            sample_interval_s=1.0, platform_settings=platform,
        )  # fmt: skip
        desktop = DesktopApp(app, options, config, theme)

        async def both() -> None:
            shooter = asyncio.create_task(_shoot_app(desktop, look, out))
            await desktop.run()
            await shooter

        loop.run_until_complete(both())
    del translators, guard


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--look", choices=sorted(LOOKS), help="render one look in this process")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    if args.look:
        _run_look(args.look, out)
        return 0
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    for look in LOOKS:
        if look == "away" and shutil.which("Xvfb") is None:
            print("screenshots: away skipped (needs Xvfb for an idle clock)", flush=True)
            continue
        print(f"screenshots: {look} ...", flush=True)
        command = [sys.executable, "-m", "tools.screenshots", "--out", str(out), "--look", look]
        subprocess.run(command, check=True, env=env)
    print(f"screenshots: written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Render every view of the app, with the demo running, into ``docs/screenshots/``.

``python -m tools.screenshots`` runs one child process per look (English light, English dark,
Traditional Chinese, and the first-run wizard) under offscreen Qt. Each child starts the app's
own composition (:class:`~orban_desktop.ui.desktop.DesktopApp`) with the embedded local platform
and 4 simulated GPUs, lets the demo run until tasks, earnings and a payout show and the charts
have a minute of samples, then grabs each page into ``<out>/<view>[-<look>].png``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LOOKS = {
    "first-run": ("en", "light"),
    "en": ("en", "light"),
    "dark": ("en", "dark"),
    "zh_TW": ("zh_TW", "light"),
}
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


async def _shoot_app(desktop: object, look: str, out: Path) -> None:
    from orban_desktop.ui.desktop import DesktopApp
    from orban_desktop.ui.icons import state_icon
    from orban_desktop.ui.status_model import DisplayState
    from orban_desktop.ui.tray import Tray
    from orban_desktop.ui.views.earnings_view import EarningsView
    from orban_desktop.ui.views.tasks_view import TasksView

    assert isinstance(desktop, DesktopApp)
    await _until(lambda: desktop.dashboard is not None and desktop.window is not None, "window")
    dashboard, window = desktop.dashboard, desktop.window
    assert dashboard is not None and window is not None
    window.resize(*WINDOW_SIZE)
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
        tray = Tray(dashboard)
        tray.refresh_menu()
        tray.menu.adjustSize()
        tray.menu.grab().save(str(out / _name("tray-menu", look)))
    if look == "en":
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QPainter, QPixmap

        strip = QPixmap(4 * 72, 64)
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
    await _settle()
    wizard.grab().save(str(out / "first-run-platform.png"))
    wizard.next()
    await _until(lambda: wizard.gpu_page.detected is not None, "GPU detection")
    await _settle()
    wizard.grab().save(str(out / "first-run-gpus.png"))
    wizard.close()


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
        print(f"screenshots: {look} ...", flush=True)
        command = [sys.executable, "-m", "tools.screenshots", "--out", str(out), "--look", look]
        subprocess.run(command, check=True, env=env)
    print(f"screenshots: written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

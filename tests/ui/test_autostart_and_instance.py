"""Start on login entries, and the single-instance guard."""

from __future__ import annotations

import plistlib
from pathlib import Path

from pytestqt.qtbot import QtBot

from orban_desktop.ui.autostart import Autostart
from orban_desktop.ui.single_instance import SingleInstance, instance_key
from tests.ui.waiting import wait_until


def test_linux_autostart_is_an_xdg_desktop_entry(tmp_path: Path) -> None:
    entry = Autostart("linux", tmp_path, {"XDG_CONFIG_HOME": str(tmp_path / "xdg")},
                      ("/opt/orban agent/orban-desktop", "--hidden"))  # fmt: skip
    assert entry.location == tmp_path / "xdg" / "autostart" / "orban-desktop.desktop"
    assert not entry.is_enabled()
    entry.enable()
    text = entry.location.read_text()
    assert 'Exec="/opt/orban agent/orban-desktop" --hidden\n' in text
    assert "[Desktop Entry]" in text and "Type=Application" in text
    assert entry.is_enabled()
    entry.disable()
    assert not entry.is_enabled()


def test_relative_xdg_config_home_is_ignored(tmp_path: Path) -> None:
    entry = Autostart("linux", tmp_path, {"XDG_CONFIG_HOME": "relative"}, ("orban-desktop",))
    assert entry.location == tmp_path / ".config" / "autostart" / "orban-desktop.desktop"


def test_macos_autostart_is_a_launch_agent(tmp_path: Path) -> None:
    entry = Autostart("darwin", tmp_path, {}, ("/Applications/Orban.app/orban", "--hidden"))
    entry.enable()
    assert entry.location is not None
    plist = plistlib.loads(entry.location.read_bytes())
    assert plist["RunAtLoad"] is True
    assert plist["ProgramArguments"] == ["/Applications/Orban.app/orban", "--hidden"]
    assert entry.location.parent == tmp_path / "Library" / "LaunchAgents"


async def test_a_second_launch_raises_the_first(qtbot: QtBot, tmp_path: Path) -> None:
    key = instance_key(tmp_path / "config")
    assert key == instance_key(tmp_path / "config")
    assert key != instance_key(tmp_path / "other")
    first = SingleInstance(key)
    assert not first.ask_running_instance(timeout_ms=200)
    assert first.listen()
    raised: list[bool] = []
    first.activated.connect(lambda: raised.append(True))
    second = SingleInstance(key)
    assert second.ask_running_instance()
    await wait_until(lambda: raised, "the first instance to be asked to show itself")
    first.close()

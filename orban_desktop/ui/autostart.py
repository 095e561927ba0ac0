"""Start on login, the usual way on each system: XDG autostart, a LaunchAgent, the Run key.

Linux and other XDG desktops: ``$XDG_CONFIG_HOME/autostart/orban-desktop.desktop`` (default
``~/.config``). macOS: ``~/Library/LaunchAgents/ai.orban.desktop.plist`` with ``RunAtLoad``.
Windows: the value ``OrbanAgent`` under ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``.
The app is started with ``--hidden`` (tray only). Nothing is read from the environment at import
time; the system, home folder and environment come through the constructor. Imports no Qt.
"""

from __future__ import annotations

import contextlib
import os
import plistlib
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

DESKTOP_FILE = "orban-desktop.desktop"
LAUNCH_AGENT = "ai.orban.desktop"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "OrbanAgent"


def default_command() -> list[str]:
    """How to start this app: the frozen executable, the ``orban-desktop`` script, or ``-m``."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--hidden"]
    script = shutil.which("orban-desktop")
    if script is not None:
        return [script, "--hidden"]
    return [sys.executable, "-m", "orban_desktop.app", "--hidden"]


def _desktop_exec(command: Sequence[str]) -> str:
    """Quote arguments as the Desktop Entry spec wants (double quotes, escaped specials)."""

    def quote(arg: str) -> str:
        if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`"):
            return arg
        escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        return f'"{escaped}"'

    return " ".join(quote(arg) for arg in command).replace("%", "%%")


@dataclass(frozen=True)
class Autostart:
    """The start-on-login entry of one user on one system."""

    system: str
    home: Path
    environ: Mapping[str, str]
    command: tuple[str, ...]

    @classmethod
    def for_this_user(cls) -> Autostart:
        return cls(sys.platform, Path.home(), dict(os.environ), tuple(default_command()))

    @property
    def location(self) -> Path | None:
        """The file that does it (``None`` on Windows, where it is a registry value)."""
        if self.system == "win32":
            return None
        if self.system == "darwin":
            return self.home / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT}.plist"
        xdg = self.environ.get("XDG_CONFIG_HOME", "")
        config = Path(xdg) if xdg and Path(xdg).is_absolute() else self.home / ".config"
        return config / "autostart" / DESKTOP_FILE

    def entry_text(self) -> bytes:
        """The file's content (Linux ``.desktop`` or macOS plist)."""
        if self.system == "darwin":
            plist = {
                "Label": LAUNCH_AGENT,
                "ProgramArguments": list(self.command),
                "RunAtLoad": True,
            }
            return plistlib.dumps(plist)
        lines = [
            "[Desktop Entry]",
            "Type=Application",
            "Name=Orban Agent",
            "Comment=Lend your idle GPU to the Orban platform",
            f"Exec={_desktop_exec(self.command)}",
            "Icon=orban-agent",
            "Terminal=false",
            "X-GNOME-Autostart-enabled=true",
        ]
        return ("\n".join(lines) + "\n").encode("utf-8")

    def is_enabled(self) -> bool:
        location = self.location
        if location is None:
            return _windows_run_value(None) is not None
        return location.is_file()

    def enable(self) -> None:
        """Create the entry. Raises ``OSError`` when it cannot be written."""
        location = self.location
        if location is None:
            _windows_run_value(subprocess.list2cmdline(list(self.command)))
            return
        location.parent.mkdir(parents=True, exist_ok=True)
        location.write_bytes(self.entry_text())

    def disable(self) -> None:
        location = self.location
        if location is None:
            _windows_run_value("")
            return
        location.unlink(missing_ok=True)

    def set_enabled(self, enabled: bool) -> None:
        if enabled:
            self.enable()
        else:
            self.disable()


def _windows_run_value(value: str | None) -> str | None:
    """Read (``None``), delete (``""``) or write the Run value; returns what is there now."""
    if sys.platform != "win32":
        raise OSError("the Run registry key exists only on Windows")
    import winreg

    with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
        if value is None:
            try:
                current, _kind = winreg.QueryValueEx(key, RUN_VALUE)
            except FileNotFoundError:
                return None
            return str(current)
        if value == "":
            with contextlib.suppress(FileNotFoundError):
                winreg.DeleteValue(key, RUN_VALUE)
            return None
        winreg.SetValueEx(key, RUN_VALUE, 0, winreg.REG_SZ, value)
        return value

"""Where Orban Agent keeps its files, and where the upstream Rust agent kept its own.

:class:`AppPaths` names every folder and file the agent uses (config, identity key, ledger,
outbox, model cache, log, pid file). :meth:`AppPaths.default` asks ``platformdirs`` for the
platform's conventional folders; :meth:`AppPaths.under` puts everything below one folder (tests,
portable installs). :func:`upstream_data_dirs` lists the folders where an upstream agent may have
left an identity key or an ``earnings.json`` to import. Nothing here reads the environment at
import time, and this module imports nothing from the project and nothing from Qt.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "orban-agent"
APP_AUTHOR = "Orban"


@dataclass(frozen=True)
class AppPaths:
    """The agent's folders; the file properties derive from them.

    Attributes:
        config_dir: Holds ``config.toml``.
        data_dir: Holds the identity key and the SQLite databases (keep it backed up).
        cache_dir: Disposable downloads (model files); safe to delete.
        log_dir: The rotating log file.
        state_dir: Runtime state such as the pid file.
    """

    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path
    state_dir: Path

    @classmethod
    def default(cls) -> AppPaths:
        """The platform's conventional per-user folders, from ``platformdirs``.

        On Linux: ``~/.config/orban-agent``, ``~/.local/share/orban-agent``,
        ``~/.cache/orban-agent``, ``~/.local/state/orban-agent/log`` and
        ``~/.local/state/orban-agent`` (the ``XDG_*_HOME`` variables move them). Nothing is created.
        """
        dirs = platformdirs.PlatformDirs(appname=APP_NAME, appauthor=APP_AUTHOR)
        return cls(
            config_dir=Path(dirs.user_config_dir),
            data_dir=Path(dirs.user_data_dir),
            cache_dir=Path(dirs.user_cache_dir),
            log_dir=Path(dirs.user_log_dir),
            state_dir=Path(dirs.user_state_dir),
        )

    @classmethod
    def under(cls, root: Path) -> AppPaths:
        """Everything below ``root`` (``root/config``, ``root/data``, ...). Nothing is created."""
        return cls(
            config_dir=root / "config",
            data_dir=root / "data",
            cache_dir=root / "cache",
            log_dir=root / "logs",
            state_dir=root / "state",
        )

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def key_file(self) -> Path:
        """The 32-byte raw Ed25519 secret key (upstream's format)."""
        return self.data_dir / "agent.key"

    @property
    def ledger_db(self) -> Path:
        return self.data_dir / "earnings.sqlite3"

    @property
    def outbox_db(self) -> Path:
        return self.data_dir / "outbox.sqlite3"

    @property
    def model_cache_dir(self) -> Path:
        return self.cache_dir / "models"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "orban-agent.log"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "orban-agent.pid"

    def create_dirs(self) -> None:
        """Create the five folders (owner-only, mode 0700, where new). Raises ``OSError``."""
        for folder in (
            self.config_dir,
            self.data_dir,
            self.cache_dir,
            self.log_dir,
            self.state_dir,
        ):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def upstream_data_dirs(
    *,
    home: Path | None = None,
    environ: Mapping[str, str] | None = None,
    system: str | None = None,
) -> list[Path]:
    """Folders where the upstream Rust agent keeps its data, most likely first (not checked).

    Upstream's ``Config::default_data_dir`` is
    ``directories::ProjectDirs::from("ai", "orban", "agent").data_dir()``. Per the ``directories``
    crate documentation, ``ProjectDirs`` uses on Linux the application name lowercased with spaces
    removed below ``$XDG_DATA_HOME`` (only when absolute) or ``~/.local/share``, giving
    ``~/.local/share/agent``; on macOS ``~/Library/Application Support/<qualifier>.<org>.<app>``,
    giving ``ai.orban.agent``; on Windows ``{FOLDERID_RoamingAppData}\\<org>\\<app>\\data``, giving
    ``%APPDATA%\\orban\\agent\\data``. When there is no home folder upstream falls back to
    ``$HOME/.orban-agent``. Its earnings tracker instead writes
    ``dirs::data_local_dir()/orban-agent/earnings.json``, where ``data_local_dir`` is
    ``$XDG_DATA_HOME`` or ``~/.local/share`` on Linux, ``~/Library/Application Support`` on macOS
    and ``{FOLDERID_LocalAppData}`` on Windows (on Linux that is the folder our own
    ``AppPaths.default().data_dir`` names; the file names do not collide).

    Args:
        home: The user's home folder; ``Path.home()`` when ``None``.
        environ: Environment to read ``XDG_DATA_HOME``, ``APPDATA`` and ``LOCALAPPDATA`` from;
            ``os.environ`` (at call time) when ``None``.
        system: A ``sys.platform`` value (``"linux"``, ``"darwin"``, ``"win32"``); the running
            platform when ``None``.

    Returns:
        Distinct candidate folders; the caller checks which exist.
    """
    home = Path.home() if home is None else home
    env = os.environ if environ is None else environ
    system = sys.platform if system is None else system
    if system == "darwin":
        support = home / "Library" / "Application Support"
        candidates = [support / "ai.orban.agent", support / "orban-agent"]
    elif system == "win32":
        roaming = Path(env["APPDATA"]) if env.get("APPDATA") else home / "AppData" / "Roaming"
        local = Path(env["LOCALAPPDATA"]) if env.get("LOCALAPPDATA") else home / "AppData" / "Local"
        candidates = [roaming / "orban" / "agent" / "data", local / "orban-agent"]
    else:
        xdg = env.get("XDG_DATA_HOME", "")
        data_home = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"
        candidates = [data_home / "agent", data_home / "orban-agent"]
    candidates.append(home / ".orban-agent")
    return list(dict.fromkeys(candidates))

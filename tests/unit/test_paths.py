"""Tests for orban_desktop.config.paths: AppPaths layouts and where upstream kept its data."""

from __future__ import annotations

import dataclasses
import stat
import sys
from pathlib import Path

import pytest

from orban_desktop.config.paths import AppPaths, upstream_data_dirs

XDG_VARS = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")


def test_under_puts_every_file_below_root(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path)

    assert paths.config_file == tmp_path / "config" / "config.toml"
    assert paths.key_file == tmp_path / "data" / "agent.key"
    assert paths.ledger_db == tmp_path / "data" / "earnings.sqlite3"
    assert paths.outbox_db == tmp_path / "data" / "outbox.sqlite3"
    assert paths.model_cache_dir == tmp_path / "cache" / "models"
    assert paths.log_file == tmp_path / "logs" / "orban-agent.log"
    assert paths.pid_file == tmp_path / "state" / "orban-agent.pid"
    assert not any(tmp_path.iterdir()), "under() must not create anything"


def test_app_paths_are_frozen(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        paths.data_dir = tmp_path  # type: ignore[misc]


def test_create_dirs_makes_owner_only_folders(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path / "portable")
    paths.create_dirs()
    paths.create_dirs()  # a second call is harmless

    for folder in (paths.config_dir, paths.data_dir, paths.cache_dir, paths.log_dir):
        assert folder.is_dir()
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.skipif(sys.platform != "linux", reason="XDG layout is Linux's")
def test_default_follows_home_on_linux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in XDG_VARS:
        monkeypatch.delenv(name, raising=False)

    paths = AppPaths.default()

    assert paths.config_dir == tmp_path / ".config" / "orban-agent"
    assert paths.data_dir == tmp_path / ".local" / "share" / "orban-agent"
    assert paths.cache_dir == tmp_path / ".cache" / "orban-agent"
    assert paths.state_dir == tmp_path / ".local" / "state" / "orban-agent"
    assert paths.log_file.is_relative_to(tmp_path)
    assert paths.config_file == tmp_path / ".config" / "orban-agent" / "config.toml"
    assert not any(tmp_path.iterdir()), "default() must not create anything"


@pytest.mark.skipif(sys.platform != "linux", reason="XDG layout is Linux's")
def test_default_honours_xdg_config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))

    assert AppPaths.default().config_dir == tmp_path / "xdg-config" / "orban-agent"


def test_upstream_dirs_on_linux(tmp_path: Path) -> None:
    dirs = upstream_data_dirs(home=tmp_path, environ={}, system="linux")

    assert dirs == [
        tmp_path / ".local" / "share" / "agent",  # ProjectDirs("ai", "orban", "agent")
        tmp_path / ".local" / "share" / "orban-agent",  # earnings tracker
        tmp_path / ".orban-agent",  # fallback without a home folder
    ]


def test_upstream_dirs_use_absolute_xdg_data_home_only(tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    with_xdg = upstream_data_dirs(
        home=tmp_path, environ={"XDG_DATA_HOME": str(xdg)}, system="linux"
    )
    relative = upstream_data_dirs(home=tmp_path, environ={"XDG_DATA_HOME": "rel"}, system="linux")

    assert with_xdg[:2] == [xdg / "agent", xdg / "orban-agent"]
    assert relative[0] == tmp_path / ".local" / "share" / "agent"


def test_upstream_dirs_on_macos(tmp_path: Path) -> None:
    support = tmp_path / "Library" / "Application Support"

    assert upstream_data_dirs(home=tmp_path, environ={}, system="darwin") == [
        support / "ai.orban.agent",
        support / "orban-agent",
        tmp_path / ".orban-agent",
    ]


def test_upstream_dirs_on_windows(tmp_path: Path) -> None:
    environ = {"APPDATA": str(tmp_path / "Roaming"), "LOCALAPPDATA": str(tmp_path / "Local")}

    assert upstream_data_dirs(home=tmp_path, environ=environ, system="win32") == [
        tmp_path / "Roaming" / "orban" / "agent" / "data",
        tmp_path / "Local" / "orban-agent",
        tmp_path / ".orban-agent",
    ]


@pytest.mark.skipif(sys.platform != "linux", reason="XDG layout is Linux's")
def test_upstream_dirs_read_home_at_call_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)

    assert upstream_data_dirs()[0] == tmp_path / ".local" / "share" / "agent"

"""``orban-agent platform``: its arguments become the platform's settings."""

from __future__ import annotations

from pathlib import Path

from orban_desktop.cli import build_parser
from orban_desktop.commands.base import CommandContext
from orban_desktop.commands.platform import settings_from_args
from orban_desktop.config.paths import AppPaths
from orban_desktop.protocol.enums import Extension
from orban_platform.settings import PlatformSettings


def _settings(tmp_path: Path, *argv: str) -> PlatformSettings:
    args = build_parser().parse_args(["platform", *argv])
    context = CommandContext(paths=AppPaths.under(tmp_path), config_file=tmp_path / "c.toml")
    return settings_from_args(args, context)


def test_defaults_serve_every_extension_on_8740_and_8741(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert (settings.host, settings.ws_port, settings.http_port) == ("127.0.0.1", 8740, 8741)
    assert settings.extensions == frozenset(Extension)
    assert settings.data_dir == tmp_path / "data" / "local-platform"


def test_flags(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        "--port",
        "0",
        "--http-port",
        "9000",
        "--data",
        str(tmp_path / "p"),
        "--no-extensions",
        "--jobs",
        "0",
        "--host",
        "::1",
    )
    assert (settings.ws_port, settings.http_port, settings.host) == (0, 9000, "::1")
    assert settings.extensions == frozenset()
    assert settings.queue_target == 0 and settings.data_dir == tmp_path / "p"

"""What every ``orban-agent`` verb gets: its arguments and a :class:`CommandContext`.

The context resolves where files live (``--root`` or the per-user folders, ``--config``) and
loads the settings only when a command asks for them, so ``version`` works even with a broken
settings file. Imports nothing from Qt.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from orban_desktop.config import AgentConfig, ResolvedPaths
from orban_desktop.config.paths import AppPaths


@dataclass
class CommandContext:
    """Paths, settings and output for one command run.

    Attributes:
        paths: The platform folders (or those under ``--root``).
        config_file: The settings file to read.
        out: Where the command writes what the user asked to see.
    """

    paths: AppPaths
    config_file: Path
    out: Callable[[str], None] = print
    _overrides: dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: argparse.Namespace, out: Callable[[str], None]) -> CommandContext:
        root: Path | None = getattr(args, "root", None)
        paths = AppPaths.under(root) if root is not None else AppPaths.default()
        config_file: Path | None = getattr(args, "config", None)
        return cls(paths=paths, config_file=config_file or paths.config_file, out=out)

    @cached_property
    def config(self) -> AgentConfig:
        """The settings (raises ``ConfigError`` naming the bad key and the file)."""
        return AgentConfig.load(self.config_file)

    @cached_property
    def files(self) -> ResolvedPaths:
        """The effective key, database, cache and log paths for these settings."""
        return self.config.resolved(self.paths)


@dataclass(frozen=True)
class Command:
    """One verb: its name, one line of help, how to parse its arguments and how to run it."""

    name: str
    help: str
    run: Callable[[argparse.Namespace, CommandContext], int]
    add_arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None

"""The agent's settings: one typed pydantic model, read from and written to ``config.toml``.

:class:`AgentConfig` holds every setting in sections (``agent``, ``gpu``, ``network``,
``availability``, ``schedule``, ``sandbox``, ``cache``, ``energy``, ``logging``, ``ui``; the
models live in :mod:`orban_desktop.config.sections` and are re-exported here) that reject unknown
keys, wrong types and out-of-range values. :meth:`AgentConfig.load` also reads the seed
document's and the upstream Rust agent's layouts (see :mod:`orban_desktop.config.layouts`);
:meth:`AgentConfig.save` always writes ours, atomically and owner-only
(:func:`orban_desktop.fsutil.atomic_write_bytes`). Path settings left unset resolve against
:class:`orban_desktop.config.paths.AppPaths` in :meth:`AgentConfig.resolved`. Validators do no I/O.
Imports only ``config_sections``, ``config_layouts``, ``errors``, ``fsutil`` and ``paths`` from
the project, and nothing from Qt.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from orban_desktop.config.layouts import describe_errors, to_canonical
from orban_desktop.config.paths import AppPaths
from orban_desktop.config.sections import (
    CONNECT_PATH,
    LOCAL_PLATFORM_PORT,
    LOCAL_PLATFORM_URL,
    PRODUCTION_PLATFORM_URL,
    AgentSection,
    AvailabilitySection,
    CacheSection,
    EnergySection,
    GpuIndex,
    GpuSection,
    LoggingSection,
    NetworkSection,
    SandboxSection,
    ScheduleSection,
    TimeWindow,
    UiSection,
    UserPath,
    is_loopback_host,
    normalize_platform_url,
)
from orban_desktop.errors import ConfigError
from orban_desktop.fsutil import atomic_write_bytes

__all__ = [
    "CONNECT_PATH",
    "LOCAL_PLATFORM_PORT",
    "LOCAL_PLATFORM_URL",
    "PRODUCTION_PLATFORM_URL",
    "AgentConfig",
    "AgentSection",
    "AvailabilitySection",
    "CacheSection",
    "EnergySection",
    "GpuIndex",
    "GpuSection",
    "LoggingSection",
    "NetworkSection",
    "ResolvedPaths",
    "SandboxSection",
    "ScheduleSection",
    "TimeWindow",
    "UiSection",
    "UserPath",
    "is_loopback_host",
    "normalize_platform_url",
]


@dataclass(frozen=True)
class ResolvedPaths:
    """The files and folders a config actually uses, with every ``None`` setting filled in."""

    data_dir: Path
    key_file: Path
    ledger_db: Path
    outbox_db: Path
    model_cache_dir: Path
    log_file: Path
    pid_file: Path
    runner_python: Path | None = None


class AgentConfig(BaseModel):
    """Every setting of the agent; build with :meth:`load` or :meth:`from_toml_data`."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    agent: AgentSection = Field(default_factory=AgentSection)
    gpu: GpuSection = Field(default_factory=GpuSection)
    network: NetworkSection = Field(default_factory=NetworkSection)
    availability: AvailabilitySection = Field(default_factory=AvailabilitySection)
    schedule: ScheduleSection = Field(default_factory=ScheduleSection)
    sandbox: SandboxSection = Field(default_factory=SandboxSection)
    cache: CacheSection = Field(default_factory=CacheSection)
    energy: EnergySection = Field(default_factory=EnergySection)
    logging: LoggingSection = Field(default_factory=LoggingSection)
    ui: UiSection = Field(default_factory=UiSection)

    @classmethod
    def validation_errors(cls, data: Mapping[str, Any]) -> dict[str, str]:
        """Problems in parsed TOML data as ``{dotted key: message}``; empty when it is valid."""
        canonical = to_canonical(data)
        try:
            cls.model_validate(canonical.data)
        except ValidationError as exc:
            return describe_errors(exc.errors(), canonical.origins)
        return {}

    @classmethod
    def from_toml_data(
        cls, data: Mapping[str, Any], *, source: str = "the settings"
    ) -> AgentConfig:
        """Validate parsed TOML data in any of the three layouts.

        Raises:
            ConfigError: Naming each bad key by its dotted path, and ``source``.
        """
        canonical = to_canonical(data)
        try:
            return cls.model_validate(canonical.data)
        except ValidationError as exc:
            problems = describe_errors(exc.errors(), canonical.origins)
        lines = "\n".join(f"  {key}: {message}" for key, message in problems.items())
        raise ConfigError(
            f"{len(problems)} invalid setting(s) in {source}:\n{lines}\n"
            f"Fix them in {source}, or move it away to start again from the defaults.",
            reason="config_invalid_settings",
            context={"source": source, "errors": problems, "count": len(problems), "lines": lines},
        )

    @classmethod
    def load(cls, path: Path | None = None, paths: AppPaths | None = None) -> AgentConfig:
        """Read a config file; a missing file gives the defaults (and is not created).

        Args:
            path: The file; ``(paths or AppPaths.default()).config_file`` when ``None``.
            paths: Where to look when ``path`` is ``None``.

        Raises:
            ConfigError: The file cannot be read, is not UTF-8 TOML, or has invalid settings.
        """
        if path is None:
            path = (paths or AppPaths.default()).config_file
        try:
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            return cls()
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8.",
                reason="config_not_utf8",
                context={"path": str(path)},
            ) from exc
        except OSError as exc:
            raise ConfigError(
                f"Cannot read {path}: {exc.strerror or exc}. Check that it is a file you can read.",
                reason="config_unreadable",
                context={"path": str(path), "detail": exc.strerror or str(exc)},
            ) from exc
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            where = re.search(r"line (\d+), column (\d+)", str(exc))
            raise ConfigError(
                f"{path} is not valid TOML: {exc}. Fix that line, or move the file away to "
                "start again from the defaults.",
                reason="config_not_toml",
                context={
                    "path": str(path),
                    "detail": str(exc),
                    "line": int(where.group(1)) if where else None,
                    "column": int(where.group(2)) if where else None,
                },
            ) from exc
        return cls.from_toml_data(data, source=str(path))

    def to_toml_data(self) -> dict[str, Any]:
        """The settings in our layout as TOML-ready data; ``None`` settings are left out."""
        data: dict[str, Any] = self.model_dump(mode="json", exclude_none=True)
        return data

    def save(self, path: Path) -> None:
        """Write our layout atomically (temp file, fsync, rename, fsync folder), mode 0600.

        Raises:
            ConfigError: The file or its folder cannot be written.
        """
        content = _FILE_HEADER + tomli_w.dumps(self.to_toml_data())
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            atomic_write_bytes(path, content.encode("utf-8"), mode=0o600)
        except OSError as exc:
            raise ConfigError(
                f"Cannot write {path}: {exc.strerror or exc}. Check the folder's permissions "
                "and free disk space.",
                reason="config_unwritable",
                context={"path": str(path), "detail": exc.strerror or str(exc)},
            ) from exc

    def resolved(self, paths: AppPaths) -> ResolvedPaths:
        """The effective files and folders, given the platform folders ``paths``.

        ``~`` expands to the home folder; a relative path is taken relative to
        ``paths.config_dir``. An unset key file lives in the (effective) data folder; an unset
        ``sandbox.runner_python`` is taken from ``$ORBAN_RUNNER_PYTHON`` when that is set.
        """

        def expand(value: Path | None, default: Path) -> Path:
            return default if value is None else paths.config_dir / value.expanduser()

        effective = replace(paths, data_dir=expand(self.agent.data_dir, paths.data_dir))
        return ResolvedPaths(
            data_dir=effective.data_dir,
            key_file=expand(self.agent.private_key_path, effective.key_file),
            ledger_db=effective.ledger_db,
            outbox_db=effective.outbox_db,
            model_cache_dir=expand(self.cache.dir, effective.model_cache_dir),
            log_file=expand(self.logging.file, effective.log_file),
            pid_file=effective.pid_file,
            runner_python=(
                expand(self.sandbox.runner_python, paths.config_dir)
                if self.sandbox.runner_python is not None
                else _runner_python_from_environment()
            ),
        )


#: Names the runner environment's Python when the settings do not (``make run`` sets it).
RUNNER_PYTHON_ENV = "ORBAN_RUNNER_PYTHON"


def _runner_python_from_environment() -> Path | None:
    value = os.environ.get(RUNNER_PYTHON_ENV, "").strip()
    return Path(value).expanduser() if value else None


_FILE_HEADER = (
    "# Orban Agent settings. Written by the app; edit while it is stopped.\n"
    "# Keys left out take their defaults.\n\n"
)

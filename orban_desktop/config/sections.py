"""The sections of the agent's settings, as strict frozen pydantic models, and their value rules.

One model per ``config.toml`` table (:class:`AgentSection`, :class:`GpuSection`,
:class:`NetworkSection`, :class:`AvailabilitySection`, :class:`ScheduleSection`,
:class:`SandboxSection`, :class:`CacheSection`, :class:`EnergySection`, :class:`LoggingSection`,
:class:`UiSection`), each rejecting unknown keys, wrong types and out-of-range values; plus the
platform URL rules (:func:`normalize_platform_url`) and daily time windows (:class:`TimeWindow`)
they validate with. :class:`orban_desktop.config.AgentConfig` gathers them and re-exports every
public name here, and this module re-exports :func:`~orban_desktop.netaddr.is_loopback_host`.
Validators do no I/O. Imports only ``money`` and ``netaddr`` from the project, and nothing from
Qt.
"""

from __future__ import annotations

import datetime
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    field_validator,
)

from orban_desktop.money import Money, MoneyError
from orban_desktop.netaddr import is_loopback_host as is_loopback_host
from orban_desktop.protocol.endpoints import CONNECT_PATH as CONNECT_PATH
from orban_desktop.protocol.endpoints import LOCAL_PLATFORM_PORT as LOCAL_PLATFORM_PORT
from orban_desktop.protocol.endpoints import PRODUCTION_PLATFORM_URL as PRODUCTION_PLATFORM_URL

#: The local reference platform, the default for a first run.
LOCAL_PLATFORM_URL = f"ws://127.0.0.1:{LOCAL_PLATFORM_PORT}"


def normalize_platform_url(url: str) -> str:
    """The platform base URL in canonical form: ``wss://host[:port][/prefix]``.

    ``https://`` becomes ``wss://``; ``http://`` becomes ``ws://`` and, like ``ws://``, is only
    allowed to a loopback host. A trailing ``/`` and a trailing ``/agent/v1/connect`` are removed,
    since the client appends the endpoint itself.

    Raises:
        ValueError: Not a ws/wss/http/https URL with a host, has credentials, a query or a
            fragment, or sends plain traffic to a host other than loopback.
    """
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host, _port = parts.hostname, parts.port  # reading .port validates it
    except ValueError as exc:
        raise ValueError(f"not a valid URL: {url!r} ({exc})") from exc
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"{url!r} is not a URL; write it like wss://platform.example.com")
    scheme = {"https": "wss", "http": "ws"}.get(parts.scheme.lower(), parts.scheme.lower())
    if scheme not in ("ws", "wss"):
        raise ValueError(f"unsupported scheme {parts.scheme}:// in {url!r}; use wss://host[:port]")
    if not host:
        raise ValueError(f"no host in {url!r}; use wss://host[:port]")
    if parts.username is not None or parts.password is not None:
        raise ValueError("the platform URL must not contain a user name or password")
    if parts.query or parts.fragment:
        raise ValueError("the platform URL must not contain a query (?...) or fragment (#...)")
    if scheme == "ws" and not is_loopback_host(host):
        raise ValueError(
            f"plain {parts.scheme.lower()}:// sends your traffic unencrypted; use wss://"
            f"{parts.netloc} (plain ws:// is only allowed to this computer, e.g. 127.0.0.1)"
        )
    path = parts.path.rstrip("/")
    if path.endswith(CONNECT_PATH):
        path = path[: -len(CONNECT_PATH)].rstrip("/")
    return f"{scheme}://{parts.netloc.lower()}{path}"


_WINDOW_RE = re.compile(r"(\d\d):(\d\d)-(\d\d):(\d\d)")


@dataclass(frozen=True)
class TimeWindow:
    """A daily window of local time, ``[start, end)`` in minutes after midnight; may wrap."""

    start_minute: int
    end_minute: int

    @classmethod
    def parse(cls, text: str) -> TimeWindow:
        """Parse ``"HH:MM-HH:MM"`` (``24:00`` allowed as an end). Raises ``ValueError``."""
        match = _WINDOW_RE.fullmatch(text.strip())
        if match is None:
            raise ValueError(f'"{text}" is not a time window like "22:00-07:00"')
        start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
        if start_h > 23 or start_m > 59 or end_m > 59 or end_h > 24 or (end_h == 24 and end_m):
            raise ValueError(f'"{text}" has a time outside 00:00-24:00')
        start, end = start_h * 60 + start_m, end_h * 60 + end_m
        if start == end:
            raise ValueError(
                f'"{text}" starts where it ends; leave allowed_hours empty for any time'
            )
        return cls(start_minute=start, end_minute=end)

    @property
    def crosses_midnight(self) -> bool:
        return self.end_minute < self.start_minute

    def contains(self, moment: datetime.time) -> bool:
        """Whether ``moment`` (local wall-clock time) falls inside the window."""
        minute = moment.hour * 60 + moment.minute
        if self.crosses_midnight:
            return minute >= self.start_minute or minute < self.end_minute
        return self.start_minute <= minute < self.end_minute


def _reject_empty_path(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        raise ValueError("must not be empty; leave the key out to use the default")
    return value


#: A path from the file: ``~`` and relative paths are resolved later, in ``resolved()``.
UserPath = Annotated[Path, BeforeValidator(_reject_empty_path), Strict(False)]
GpuIndex = Annotated[int, Field(ge=0, le=255)]


class _Section(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class AgentSection(_Section):
    agent_id: str | None = Field(None, max_length=128)  # None: derived from the key
    platform_url: str = LOCAL_PLATFORM_URL
    private_key_path: UserPath | None = None  # None: AppPaths.key_file
    data_dir: UserPath | None = None  # None: AppPaths.data_dir

    @field_validator("agent_id")
    @classmethod
    def _check_agent_id(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
            raise ValueError(f'"{value}" is not an agent id (letters, digits, ".", "_", "-")')
        return value

    @field_validator("platform_url")
    @classmethod
    def _check_platform_url(cls, value: str) -> str:
        return normalize_platform_url(value)


class GpuSection(_Section):
    #: Tasks run at once; None: one per usable GPU (see :meth:`tasks_at_once`).
    max_concurrent_tasks: int | None = Field(None, ge=1, le=64)
    reserved_vram_gb: float = Field(2.0, ge=0, le=1024)
    allowed_gpu_indices: list[GpuIndex] | None = None  # None: every GPU
    disabled_gpu_indices: list[GpuIndex] = Field(default_factory=list)
    temperature_limit_c: int = Field(83, ge=40, le=110)
    simulate_gpus: int = Field(0, ge=0, le=16)  # Simulated GPUs, only by explicit choice

    def tasks_at_once(self, usable_gpus: int) -> int:
        """The task limit: the explicit number, or one per usable GPU (at least one)."""
        if self.max_concurrent_tasks is not None:
            return self.max_concurrent_tasks
        return max(1, usable_gpus)

    @field_validator("allowed_gpu_indices", "disabled_gpu_indices")
    @classmethod
    def _sorted_unique(cls, value: list[int] | None) -> list[int] | None:
        return None if value is None else sorted(set(value))


class NetworkSection(_Section):
    heartbeat_interval_secs: int = Field(30, ge=5, le=3600)
    connection_timeout_secs: int = Field(10, ge=1, le=300)
    max_retries: int | None = Field(None, ge=0, le=1_000_000)  # None: retry forever
    metrics_batch_interval_secs: int = Field(300, ge=10, le=86_400)
    #: A model/input/result transfer slower than this over the window fails (0: no floor).
    transfer_min_rate_kib_s: int = Field(4, ge=0, le=1_000_000)
    transfer_rate_window_secs: int = Field(60, ge=5, le=3600)


class AvailabilitySection(_Section):
    always_on: bool = True
    hours_per_day: float = Field(24.0, ge=0, le=24)
    reliability_score: float = Field(0.98, ge=0, le=1)


def _check_window(text: str) -> str:
    TimeWindow.parse(text)
    return text.strip()


class ScheduleSection(_Section):
    #: Local-time windows like "22:00-07:00" when work is allowed; [] means any time.
    allowed_hours: list[Annotated[str, AfterValidator(_check_window)]] = Field(
        default_factory=list, max_length=48
    )
    pause_when_foreign_process: bool = True
    #: "Only when I'm away": work only once the keyboard and mouse have been idle this long.
    only_when_away: bool = False
    away_after_minutes: int = Field(5, ge=1, le=24 * 60)
    #: When the owner comes back: hand the running task back at once, or let it finish.
    on_return: Literal["hand_back", "finish"] = "hand_back"

    @property
    def windows(self) -> list[TimeWindow]:
        return [TimeWindow.parse(text) for text in self.allowed_hours]

    def allows(self, moment: datetime.time) -> bool:
        """Whether work is allowed at local time ``moment`` (always, when no window is set)."""
        return not self.allowed_hours or any(w.contains(moment) for w in self.windows)


class SandboxSection(_Section):
    preference: Literal["auto", "docker", "process"] = "auto"
    allow_process_fallback: bool = True
    docker_image: str = Field("orban/task-runner:latest", min_length=1, max_length=255)
    task_memory_limit_mb: int = Field(8192, ge=64, le=1_048_576)
    task_cpu_limit: float = Field(2.0, gt=0, le=1024)  # cores
    task_pids_limit: int = Field(256, ge=16, le=65_536)
    task_timeout_secs: int = Field(7200, ge=10, le=7 * 86_400)  # upper bound for any task
    #: CPU priority of task processes: 19 the lowest (your own programs always go first), 0 normal.
    task_nice: int = Field(19, ge=0, le=19)
    #: Runner images a task may name: a repository (any tag), ``repo:tag`` or ``repo@sha256:...``.
    allowed_runner_images: list[str] = Field(
        default_factory=lambda: ["orban/runner"], max_length=64
    )
    #: The runner environment's Python, for runner tasks without Docker (``make runner-env``).
    runner_python: UserPath | None = None

    @field_validator("allowed_runner_images")
    @classmethod
    def _check_runner_images(cls, value: list[str]) -> list[str]:
        for entry in value:
            if not re.fullmatch(r"[a-z0-9][a-z0-9._/:@-]{0,254}", entry):
                raise ValueError(
                    f'"{entry[:80]}" is not an image reference (e.g. "orban/runner" or '
                    '"orban/runner:0.1.0")'
                )
        return value

    @field_validator("docker_image")
    @classmethod
    def _check_image(cls, value: str) -> str:
        if any(char.isspace() for char in value):
            raise ValueError(f'"{value}" is not a Docker image name (it contains spaces)')
        return value


class CacheSection(_Section):
    max_size_gb: float = Field(50.0, ge=0, le=1_000_000)
    dir: UserPath | None = None  # None: AppPaths.model_cache_dir


class EnergySection(_Section):
    electricity_price_per_kwh: str = "0"  # exact decimal text, per kWh, in `currency`
    currency: str = "USD"

    @field_validator("electricity_price_per_kwh")
    @classmethod
    def _check_price(cls, value: str) -> str:
        try:
            price = Money.parse(value.strip())
        except MoneyError as exc:
            raise ValueError(f'must be a decimal amount in quotes, e.g. "0.15" ({exc})') from exc
        if price.micros < 0 or price.text.startswith("-"):
            raise ValueError(f'must not be negative (got "{value}")')
        return price.text

    @field_validator("currency")
    @classmethod
    def _check_currency(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z]{3}", value):
            raise ValueError(f'must be a three-letter currency code like "USD" (got "{value}")')
        return value.upper()

    @property
    def electricity_price(self) -> Money:
        """The price of one kWh, exact."""
        return Money.parse(self.electricity_price_per_kwh)


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


class LoggingSection(_Section):
    level: Annotated[Literal["debug", "info", "warning", "error"], BeforeValidator(_lower)] = "info"
    file: UserPath | None = None  # None: AppPaths.log_file


class UiSection(_Section):
    start_on_login: bool = False
    language: Literal["auto", "en", "zh_TW"] = "auto"
    theme: Literal["auto", "light", "dark"] = "auto"
    close_to_tray_notice_shown: bool = False
    #: Desktop notifications, by kind (each on unless turned off).
    notify_task_done: bool = True
    notify_payout: bool = True
    notify_overheating: bool = True
    notify_offline: bool = True
    notify_problems: bool = True

"""Tests for orban_desktop.config and config_layouts: layouts, validation, atomic save, paths."""

from __future__ import annotations

import datetime
import stat
import tomllib
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from orban_desktop.config import (
    LOCAL_PLATFORM_PORT,
    LOCAL_PLATFORM_URL,
    PRODUCTION_PLATFORM_URL,
    AgentConfig,
    TimeWindow,
    normalize_platform_url,
)
from orban_desktop.config.layouts import ConfigLayout, detect_layout
from orban_desktop.config.paths import AppPaths
from orban_desktop.errors import ConfigError

SEED_TOML = """\
# config.toml
[agent]
agent_id = "agent-tw-a1b2c3d4"
platform_url = "wss://platform.orban.ai"
private_key_path = "/etc/orban/agent.key"

[availability]
hours_per_day = 24
reliability_score = 0.98

[resources]
max_concurrent_tasks = 2
reserved_vram_gb = 2  # 預留給系統的 VRAM

[logging]
level = "info"
file = "/var/log/orban-agent.log"
"""

# What upstream's `toml::to_string_pretty(&Config)` writes, plus a key it would ignore.
UPSTREAM_TOML = """\
agent_id = "agent-rig01"
platform_url = "https://platform.orban.ai"
private_key_path = "/home/alice/.local/share/agent/agent.key"
data_dir = "/home/alice/.local/share/agent"
log_level = "WARN"
future_option = "ignored"

[gpu]
max_concurrent_tasks = 3
reserved_vram_gb = 1.5
allowed_gpu_indices = [1, 0]

[network]
heartbeat_interval_secs = 15
connection_timeout_secs = 20
max_retries = 3

[availability]
always_on = false
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def full_config(tmp_path: Path) -> AgentConfig:
    """A config with a non-default value in every section."""
    return AgentConfig.from_toml_data(
        {
            "agent": {
                "agent_id": "agent-0123abcd",
                "platform_url": "wss://platform.example.com:8443",
                "private_key_path": str(tmp_path / "keys" / "agent.key"),
                "data_dir": str(tmp_path / "data"),
            },
            "gpu": {
                "max_concurrent_tasks": 4,
                "reserved_vram_gb": 3.5,
                "allowed_gpu_indices": [0, 2],
                "disabled_gpu_indices": [1],
                "temperature_limit_c": 78,
                "simulate_gpus": 2,
            },
            "network": {"heartbeat_interval_secs": 45, "max_retries": 7},
            "availability": {"always_on": False, "hours_per_day": 12.5, "reliability_score": 0.5},
            "schedule": {"allowed_hours": ["22:00-07:00", "12:00-13:30"]},
            "sandbox": {"preference": "docker", "task_cpu_limit": 1.5, "task_pids_limit": 128},
            "cache": {"max_size_gb": 20.0, "dir": "models"},
            "energy": {"electricity_price_per_kwh": "0.1234567", "currency": "TWD"},
            "logging": {"level": "debug", "file": "~/orban.log"},
            "ui": {"start_on_login": True, "language": "zh_TW", "theme": "dark"},
        }
    )


# --- defaults and missing files ---------------------------------------------------------


def test_defaults_point_at_the_local_platform() -> None:
    config = AgentConfig()

    assert LOCAL_PLATFORM_PORT == 8740
    assert LOCAL_PLATFORM_URL == "ws://127.0.0.1:8740"
    assert PRODUCTION_PLATFORM_URL == "wss://platform.orban.ai"
    assert config.agent.platform_url == LOCAL_PLATFORM_URL
    assert config.agent.agent_id is None
    assert config.gpu.max_concurrent_tasks is None  # one per usable GPU
    assert config.gpu.simulate_gpus == 0
    assert (config.ui.notify_task_done, config.ui.notify_problems) == (True, True)
    assert config.network.max_retries is None
    assert config.energy.electricity_price.micros == 0


@pytest.mark.parametrize(
    ("setting", "usable_gpus", "limit"),
    [(None, 4, 4), (None, 1, 1), (None, 0, 1), (2, 4, 2), (3, 0, 3)],
)
def test_tasks_at_once_is_one_per_usable_gpu_unless_set(
    setting: int | None, usable_gpus: int, limit: int
) -> None:
    gpu = AgentConfig.from_toml_data(
        {} if setting is None else {"gpu": {"max_concurrent_tasks": setting}}
    ).gpu
    assert gpu.tasks_at_once(usable_gpus) == limit


def test_missing_file_gives_defaults_and_is_not_created(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path)

    assert AgentConfig.load(paths=paths) == AgentConfig()
    assert AgentConfig.load(tmp_path / "nope.toml") == AgentConfig()
    assert not paths.config_file.exists()
    assert list(tmp_path.iterdir()) == []


# --- the three layouts ------------------------------------------------------------------


def test_seed_layout_loads(tmp_path: Path) -> None:
    path = write(tmp_path, SEED_TOML)
    config = AgentConfig.load(path)

    assert detect_layout(tomllib.loads(SEED_TOML)) is ConfigLayout.SEED
    assert config.agent.agent_id == "agent-tw-a1b2c3d4"
    assert config.agent.platform_url == "wss://platform.orban.ai"
    assert config.agent.private_key_path == Path("/etc/orban/agent.key")
    assert config.availability.hours_per_day == 24
    assert config.availability.reliability_score == 0.98
    assert config.gpu.max_concurrent_tasks == 2
    assert config.gpu.reserved_vram_gb == 2.0
    assert config.logging.level == "info"
    assert config.logging.file == Path("/var/log/orban-agent.log")


def test_seed_layout_ignores_keys_we_do_not_use(tmp_path: Path) -> None:
    text = SEED_TOML + "\n[monitoring]\nport = 9100\n"
    text = text.replace("[resources]\n", '[resources]\ngpu_type = "rtx4090"\n')

    assert AgentConfig.load(write(tmp_path, text)).gpu.max_concurrent_tasks == 2


def test_upstream_layout_loads(tmp_path: Path) -> None:
    config = AgentConfig.load(write(tmp_path, UPSTREAM_TOML))

    assert detect_layout(tomllib.loads(UPSTREAM_TOML)) is ConfigLayout.UPSTREAM
    assert config.agent.agent_id == "agent-rig01"
    assert config.agent.platform_url == "wss://platform.orban.ai"
    assert config.agent.private_key_path == Path("/home/alice/.local/share/agent/agent.key")
    assert config.agent.data_dir == Path("/home/alice/.local/share/agent")
    assert config.logging.level == "warning"
    assert config.gpu.max_concurrent_tasks == 3
    assert config.gpu.reserved_vram_gb == 1.5
    assert config.gpu.allowed_gpu_indices == [0, 1]
    assert config.network.heartbeat_interval_secs == 15
    assert config.network.connection_timeout_secs == 20
    assert config.network.max_retries == 3
    assert config.availability.always_on is False


def test_upstream_minimal_file_loads(tmp_path: Path) -> None:
    config = AgentConfig.load(write(tmp_path, 'platform_url = "https://platform.orban.ai/"\n'))

    assert config.agent.platform_url == "wss://platform.orban.ai"
    assert config.gpu == AgentConfig().gpu


def test_our_layout_is_what_save_writes(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    full_config(tmp_path).save(path)

    assert detect_layout(tomllib.loads(path.read_text())) is ConfigLayout.OURS


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        (SEED_TOML.replace("max_concurrent_tasks = 2", "max_concurrent_tasks = 100"),
         "resources.max_concurrent_tasks", "must be at most 64 (got 100)"),
        (SEED_TOML.replace('level = "info"', 'level = "loud"'), "logging.level", "must be one of"),
        (UPSTREAM_TOML.replace('log_level = "WARN"', 'log_level = "loud"'), "log_level",
         "must be one of"),
        (UPSTREAM_TOML.replace("max_retries = 3", "max_retries = -1"), "network.max_retries",
         "must be at least 0"),
        (UPSTREAM_TOML.replace("https://platform", "http://platform"), "platform_url",
         "unencrypted"),
    ],
)  # fmt: skip
def test_foreign_layout_errors_name_the_files_own_keys(
    tmp_path: Path, text: str, key: str, fragment: str
) -> None:
    path = write(tmp_path, text)

    with pytest.raises(ConfigError) as caught:
        AgentConfig.load(path)

    assert f"{key}: " in caught.value.message
    assert fragment in caught.value.context["errors"][key]
    assert str(path) in caught.value.message


def test_our_file_with_a_stray_top_level_key_is_not_taken_for_upstream(tmp_path: Path) -> None:
    path = write(tmp_path, 'platform_url = "wss://a.example"\n[agent]\nagent_id = "agent-1"\n')

    with pytest.raises(ConfigError, match=r"platform_url: unknown key"):
        AgentConfig.load(path)


# --- save and round trip ----------------------------------------------------------------


def test_round_trip_keeps_every_value(tmp_path: Path) -> None:
    config = full_config(tmp_path)
    path = tmp_path / "config.toml"
    config.save(path)

    assert AgentConfig.load(path) == config


def test_default_round_trip_leaves_none_out(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    AgentConfig().save(path)
    text = path.read_text()
    data = tomllib.loads(text)

    assert AgentConfig.load(path) == AgentConfig()
    assert "agent_id" not in data["agent"]
    assert "max_retries" not in data["network"]
    assert "dir" not in data["cache"]
    assert "file" not in data["logging"]
    assert text.startswith("# Orban Agent settings")


def test_save_is_atomic_and_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "config"
    path = folder / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("old = true\n")
    path.chmod(0o644)

    full_config(tmp_path).save(path)

    assert [entry.name for entry in folder.iterdir()] == ["config.toml"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "old" not in path.read_text()


def test_save_creates_missing_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "config.toml"
    AgentConfig().save(path)

    assert path.is_file()


def test_save_failure_is_a_config_error_and_leaves_no_temp_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")

    with pytest.raises(ConfigError, match="Cannot write"):
        AgentConfig().save(blocker / "config.toml")
    target = tmp_path / "config.toml"
    target.mkdir()  # replacing a folder with a file fails after the temp file is written
    with pytest.raises(ConfigError, match="Cannot write"):
        AgentConfig().save(target)
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["config.toml", "not-a-folder"]


# --- platform URL rules -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("wss://platform.orban.ai", "wss://platform.orban.ai"),
        ("https://platform.orban.ai", "wss://platform.orban.ai"),
        ("https://platform.orban.ai/", "wss://platform.orban.ai"),
        ("wss://platform.orban.ai/agent/v1/connect", "wss://platform.orban.ai"),
        ("wss://platform.orban.ai/agent/v1/connect/", "wss://platform.orban.ai"),
        ("wss://Platform.Orban.AI:8443/orban/", "wss://platform.orban.ai:8443/orban"),
        ("WSS://platform.orban.ai", "wss://platform.orban.ai"),
        ("  wss://platform.orban.ai  ", "wss://platform.orban.ai"),
        ("ws://127.0.0.1:8740", "ws://127.0.0.1:8740"),
        ("ws://127.5.6.7:8740/", "ws://127.5.6.7:8740"),
        ("ws://localhost:8740/agent/v1/connect", "ws://localhost:8740"),
        ("ws://[::1]:8740", "ws://[::1]:8740"),
        ("http://127.0.0.1:8740", "ws://127.0.0.1:8740"),
        ("http://localhost", "ws://localhost"),
    ],
)
def test_platform_url_accepted(given: str, expected: str) -> None:
    assert normalize_platform_url(given) == expected
    assert AgentConfig.from_toml_data({"agent": {"platform_url": given}}).agent.platform_url == (
        expected
    )


@pytest.mark.parametrize(
    ("given", "fragment"),
    [
        ("ws://platform.orban.ai", "plain ws:// sends your traffic unencrypted; use wss://"),
        ("ws://10.0.0.5:8740", "plain ws:// sends your traffic unencrypted; use wss://"),
        ("ws://localhost.evil.com", "plain ws:// sends your traffic unencrypted"),
        ("http://platform.orban.ai", "plain http:// sends your traffic unencrypted"),
        ("ftp://platform.orban.ai", "unsupported scheme ftp://"),
        ("platform.orban.ai", "is not a URL"),
        ("wss://", "is not a URL"),
        ("wss://:8443", "no host"),
        ("wss://platform.orban.ai:99999", "not a valid URL"),
        ("wss://user:pw@platform.orban.ai", "user name or password"),
        ("wss://platform.orban.ai/?token=1", "query"),
    ],
)
def test_platform_url_refused(given: str, fragment: str) -> None:
    with pytest.raises(ValueError) as caught:
        normalize_platform_url(given)
    assert fragment in str(caught.value)
    errors = AgentConfig.validation_errors({"agent": {"platform_url": given}})
    assert fragment in errors["agent.platform_url"]


# --- file errors ------------------------------------------------------------------------


def test_invalid_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[agent]\nagent_id = "ok"\nplatform_url = wss://nope\n')

    with pytest.raises(ConfigError) as caught:
        AgentConfig.load(path)

    assert str(path) in caught.value.message
    assert "line 3" in caught.value.message
    assert caught.value.context["line"] == 3
    assert isinstance(caught.value.__cause__, tomllib.TOMLDecodeError)


def test_non_utf8_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[agent]\nagent_id = "\xff"\n')

    with pytest.raises(ConfigError, match="not UTF-8"):
        AgentConfig.load(path)


def test_unreadable_path_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Cannot read") as caught:
        AgentConfig.load(tmp_path)  # a folder, not a file
    assert str(tmp_path) in caught.value.message


# --- value validation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "key", "fragment"),
    [
        ({"gpu": {"max_concurrent_tasks": 100}}, "gpu.max_concurrent_tasks",
         "must be at most 64 (got 100)"),
        ({"gpu": {"max_concurrent_tasks": 0}}, "gpu.max_concurrent_tasks", "must be at least 1"),
        ({"gpu": {"max_concurrent_tasks": "2"}}, "gpu.max_concurrent_tasks",
         'must be a whole number (got "2")'),
        ({"gpu": {"max_concurrent_tasks": 2.0}}, "gpu.max_concurrent_tasks", "whole number"),
        ({"gpu": {"reserved_vram_gb": 2000}}, "gpu.reserved_vram_gb", "at most 1024"),
        ({"gpu": {"allowed_gpu_indices": [0, -1]}}, "gpu.allowed_gpu_indices[1]", "at least 0"),
        ({"gpu": {"allowed_gpu_indices": 0}}, "gpu.allowed_gpu_indices", "must be a list"),
        ({"gpu": {"temperature_limit_c": 120}}, "gpu.temperature_limit_c", "at most 110"),
        ({"gpu": {"simulate_gpus": 17}}, "gpu.simulate_gpus", "at most 16"),
        ({"network": {"heartbeat_interval_secs": 1}}, "network.heartbeat_interval_secs",
         "at least 5"),
        ({"network": {"connection_timeout_secs": 301}}, "network.connection_timeout_secs",
         "at most 300"),
        ({"availability": {"hours_per_day": 25}}, "availability.hours_per_day", "at most 24"),
        ({"availability": {"reliability_score": 1.5}}, "availability.reliability_score",
         "at most 1"),
        ({"availability": {"always_on": "yes"}}, "availability.always_on", "true or false"),
        ({"sandbox": {"preference": "vm"}}, "sandbox.preference", "must be one of"),
        ({"sandbox": {"docker_image": "bad image"}}, "sandbox.docker_image", "not a Docker image"),
        ({"sandbox": {"task_cpu_limit": 0}}, "sandbox.task_cpu_limit", "greater than 0"),
        ({"logging": {"level": "verbose"}}, "logging.level", "must be one of"),
        ({"logging": {"file": ""}}, "logging.file", "must not be empty"),
        ({"ui": {"language": "fr"}}, "ui.language", "must be one of"),
        ({"ui": {"theme": "blue"}}, "ui.theme", "must be one of"),
        ({"agent": {"agent_id": "agent id"}}, "agent.agent_id", "is not an agent id"),
        ({"agent": {"private_key_path": 5}}, "agent.private_key_path", "path"),
        ({"energy": {"currency": "US"}}, "energy.currency", "three-letter"),
        ({"gpu": 3}, "gpu", "must be a table"),
    ],
)  # fmt: skip
def test_bad_values_are_named_by_dotted_key(data: dict[str, Any], key: str, fragment: str) -> None:
    errors = AgentConfig.validation_errors(data)

    assert list(errors) == [key]
    assert fragment in errors[key]


def test_load_reports_every_bad_key_and_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[gpu]\nmax_concurrent_tasks = 100\n[network]\nmax_retries = -2\n")

    with pytest.raises(ConfigError) as caught:
        AgentConfig.load(path)

    message = caught.value.message
    assert "gpu.max_concurrent_tasks: must be at most 64 (got 100)" in message
    assert "network.max_retries: must be at least 0 (got -2)" in message
    assert str(path) in message
    assert "pydantic" not in message and "Input should" not in message


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"gpu": {"max_concurent_tasks": 2}}, "gpu.max_concurent_tasks"),
        ({"gpus": {"max_concurrent_tasks": 2}}, "gpus"),
        ({"agent": {"platform": "wss://a.example"}}, "agent.platform"),
    ],
)
def test_unknown_key_in_our_layout_is_refused(data: dict[str, Any], key: str) -> None:
    assert AgentConfig.validation_errors(data) == {key: "unknown key; check its spelling"}


def test_valid_data_has_no_errors(tmp_path: Path) -> None:
    assert AgentConfig.validation_errors(full_config(tmp_path).to_toml_data()) == {}
    assert AgentConfig.validation_errors(tomllib.loads(SEED_TOML)) == {}


def test_log_level_is_case_insensitive_and_indices_are_sorted() -> None:
    config = AgentConfig.from_toml_data(
        {"logging": {"level": "WARNING"}, "gpu": {"disabled_gpu_indices": [3, 1, 3]}}
    )

    assert config.logging.level == "warning"
    assert config.gpu.disabled_gpu_indices == [1, 3]


def test_config_is_immutable() -> None:
    config = AgentConfig()
    with pytest.raises(ValidationError):
        config.gpu.max_concurrent_tasks = 8  # type: ignore[misc]


# --- schedule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("window", "moment", "inside"),
    [
        ("22:00-07:00", "23:30", True),
        ("22:00-07:00", "00:00", True),
        ("22:00-07:00", "06:59", True),
        ("22:00-07:00", "07:00", False),
        ("22:00-07:00", "12:00", False),
        ("22:00-07:00", "21:59", False),
        ("09:00-17:30", "09:00", True),
        ("09:00-17:30", "17:29", True),
        ("09:00-17:30", "17:30", False),
        ("00:00-24:00", "23:59", True),
    ],
)
def test_time_window_contains(window: str, moment: str, inside: bool) -> None:
    parsed = TimeWindow.parse(window)

    assert parsed.contains(datetime.time.fromisoformat(moment)) is inside
    assert parsed.crosses_midnight is (window == "22:00-07:00")


@pytest.mark.parametrize(
    "window", ["9:00-17:00", "24:00-01:00", "10:00-10:00", "10:60-11:00", "10:00-24:30", "abc"]
)
def test_bad_time_windows_are_refused(window: str) -> None:
    errors = AgentConfig.validation_errors({"schedule": {"allowed_hours": ["08:00-09:00", window]}})

    assert list(errors) == ["schedule.allowed_hours[1]"]
    assert window in errors["schedule.allowed_hours[1]"]


def test_schedule_allows_only_inside_its_windows() -> None:
    schedule = AgentConfig.from_toml_data(
        {"schedule": {"allowed_hours": ["22:00-07:00", "12:00-13:00"]}}
    ).schedule

    assert schedule.allows(datetime.time(3, 0))
    assert schedule.allows(datetime.time(12, 30))
    assert not schedule.allows(datetime.time(9, 0))
    assert AgentConfig().schedule.allows(datetime.time(9, 0))


# --- money ------------------------------------------------------------------------------


def test_electricity_price_keeps_its_exact_text(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    config = AgentConfig.from_toml_data({"energy": {"electricity_price_per_kwh": "0.1234567"}})
    config.save(path)

    assert config.energy.electricity_price.text == "0.1234567"
    assert config.energy.electricity_price.micros == 123457
    assert 'electricity_price_per_kwh = "0.1234567"' in path.read_text()
    assert AgentConfig.load(path).energy.electricity_price_per_kwh == "0.1234567"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("abc", "decimal amount"),
        ("", "decimal amount"),
        ("-0.10", "must not be negative"),
        (0.15, "must be a quoted string"),
    ],
)
def test_bad_electricity_price_is_refused(value: object, fragment: str) -> None:
    errors = AgentConfig.validation_errors({"energy": {"electricity_price_per_kwh": value}})

    assert fragment in errors["energy.electricity_price_per_kwh"]


def test_currency_is_upper_cased() -> None:
    assert AgentConfig.from_toml_data({"energy": {"currency": "twd"}}).energy.currency == "TWD"


# --- resolved paths ---------------------------------------------------------------------


def test_resolved_defaults_come_from_app_paths(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path)
    resolved = AgentConfig().resolved(paths)

    assert resolved.data_dir == paths.data_dir
    assert resolved.key_file == paths.key_file
    assert resolved.ledger_db == paths.ledger_db
    assert resolved.outbox_db == paths.outbox_db
    assert resolved.model_cache_dir == paths.model_cache_dir
    assert resolved.log_file == paths.log_file
    assert resolved.pid_file == paths.pid_file


def test_resolved_applies_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    paths = AppPaths.under(tmp_path / "app")
    config = AgentConfig.from_toml_data(
        {
            "agent": {"data_dir": str(tmp_path / "elsewhere")},
            "cache": {"dir": "models"},
            "logging": {"file": "~/orban.log"},
        }
    )
    resolved = config.resolved(paths)

    assert resolved.data_dir == tmp_path / "elsewhere"
    assert resolved.key_file == tmp_path / "elsewhere" / "agent.key"
    assert resolved.ledger_db == tmp_path / "elsewhere" / "earnings.sqlite3"
    assert resolved.model_cache_dir == paths.config_dir / "models"
    assert resolved.log_file == tmp_path / "home" / "orban.log"
    assert config.resolved(paths).key_file == resolved.key_file

    explicit = AgentConfig.from_toml_data({"agent": {"private_key_path": "/etc/orban/agent.key"}})
    assert explicit.resolved(paths).key_file == Path("/etc/orban/agent.key")

"""Settings for a quick, real agent in UI tests: a fast local platform and short intervals."""

from __future__ import annotations

from pathlib import Path

from orban_desktop.config import AgentConfig
from orban_platform.settings import PlatformSettings


def fast_platform_settings(data_dir: Path) -> PlatformSettings:
    """A platform that hands out small jobs at once and confirms earnings quickly."""
    return PlatformSettings(
        workloads=("checksum",),  # canaries: fast; real work has its own tests
        data_dir=data_dir,
        ws_port=0,
        http_port=0,
        heartbeat_interval_s=5.0,
        tick_interval_s=0.05,
        queue_target=2,
        job_rate_per_s=20.0,
        job_seed=11,
        pow_on_register=False,
        pow_mean_interval_s=0.0,
        confirm_delay_s=0.5,
        payout_interval_s=0.0,
    )


def fast_agent_config() -> AgentConfig:
    """Heartbeats every 5 s (the least allowed), the process sandbox, no game detection."""
    return AgentConfig.from_toml_data(
        {
            "network": {"heartbeat_interval_secs": 5},
            "sandbox": {"preference": "process"},
            "schedule": {"pause_when_foreign_process": False},
        }
    )

"""AgentHost's rules: a missing key is an error that creates nothing; what each change needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from orban_desktop.agent.host import AgentHost
from orban_desktop.agent.host_rules import load_identity, plan_apply
from orban_desktop.config import AgentConfig
from orban_desktop.config.diff import Section
from orban_desktop.config.paths import AppPaths
from orban_desktop.errors import KeyFileError
from orban_desktop.events import EventBus
from orban_desktop.network.auth import Authenticator

REMOTE: dict[str, Any] = {"agent": {"platform_url": "wss://platform.example.com"}}


def config(**sections: dict[str, Any]) -> AgentConfig:
    data = {**REMOTE, **sections}
    if "agent" in sections:
        data["agent"] = {**REMOTE["agent"], **sections["agent"]}
    return AgentConfig.from_toml_data(data)


def test_a_missing_key_file_is_an_error_that_says_how_to_restore_it(tmp_path: Path) -> None:
    key_file = tmp_path / "data" / "agent.key"
    with pytest.raises(KeyFileError) as caught:
        load_identity(key_file, None)
    error = caught.value
    assert error.title == "Identity key missing"
    assert str(key_file) in error.message
    assert "backup" in error.message and "orban-agent keygen" in error.message
    assert "new agent id" in error.message
    assert not key_file.exists() and not key_file.parent.exists()  # nothing was created


def test_an_existing_key_is_loaded(tmp_path: Path) -> None:
    key_file = tmp_path / "agent.key"
    made = Authenticator.generate()
    made.save(key_file)
    assert load_identity(key_file, None).agent_id == made.agent_id


async def test_the_host_refuses_to_start_without_its_key_and_creates_nothing(
    tmp_path: Path,
) -> None:
    paths = AppPaths.under(tmp_path / "app")
    host = AgentHost(paths=paths, config=config(), bus=EventBus(), simulate_gpus=1)
    with pytest.raises(KeyFileError, match="There is no identity key at"):
        await host.start()
    assert not host.running and host.identity is None
    assert not paths.data_dir.exists()  # no key, no ledger, no outbox
    await host.stop()


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        ({"schedule": {"allowed_hours": ["22:00-07:00"]}}, {}),
        ({"gpu": {"disabled_gpu_indices": [1]}}, {}),
        ({"gpu": {"temperature_limit_c": 70, "max_concurrent_tasks": 3}}, {}),
        ({"ui": {"theme": "dark"}}, {}),
        ({"agent": {"platform_url": "wss://other.example.com"}}, {"reconnect": True}),
        ({"network": {"heartbeat_interval_secs": 60}}, {"reconnect": True}),
        ({"availability": {"hours_per_day": 8.0}}, {"reconnect": True}),
        ({"network": {"transfer_min_rate_kib_s": 0}}, {"swap_executor": True}),
        (
            {"sandbox": {"preference": "process"}},
            {"swap_executor": True, "reregister_after_swap": True},
        ),
        ({"cache": {"max_size_gb": 1.0}}, {"swap_executor": True}),
        ({"logging": {"level": "debug"}}, {"next_start": frozenset({Section.LOGGING})}),
        ({"agent": {"agent_id": "rig-7"}}, {"rebuild": True}),
        ({"agent": {"private_key_path": "/elsewhere/agent.key"}}, {"rebuild": True}),
        ({"gpu": {"simulate_gpus": 2}}, {"rebuild": True}),
    ],
)
def test_each_change_gets_the_least_it_needs(
    after: dict[str, Any], expected: dict[str, object]
) -> None:
    plan = plan_apply(config(), config(**after))
    flags = {
        "rebuild": plan.rebuild,
        "reconnect": plan.reconnect,
        "swap_executor": plan.swap_executor,
        "reregister_after_swap": plan.reregister_after_swap,
        "next_start": plan.next_start,
    }
    defaults: dict[str, object] = {
        "rebuild": False,
        "reconnect": False,
        "swap_executor": False,
        "reregister_after_swap": False,
        "next_start": frozenset(),
    }
    assert flags == {**defaults, **expected}
    assert plan.sections

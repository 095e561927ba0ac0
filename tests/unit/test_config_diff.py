"""``config.diff``: which sections two settings differ in, table-driven."""

from __future__ import annotations

from typing import Any

import pytest

from orban_desktop.config import AgentConfig
from orban_desktop.config.diff import Section, changed_keys, diff

BASE: dict[str, Any] = {"agent": {"platform_url": "wss://platform.example.com"}}


def config(**sections: dict[str, Any]) -> AgentConfig:
    return AgentConfig.from_toml_data({**BASE, **sections})


@pytest.mark.parametrize(
    ("after", "sections"),
    [
        ({}, set()),
        ({"ui": {"theme": "dark"}}, {Section.UI}),
        ({"schedule": {"allowed_hours": ["22:00-07:00"]}}, {Section.SCHEDULE}),
        ({"gpu": {"disabled_gpu_indices": [1]}}, {Section.GPU}),
        ({"gpu": {"temperature_limit_c": 70}}, {Section.GPU}),
        ({"agent": {"platform_url": "wss://other.example.com"}}, {Section.AGENT}),
        ({"network": {"heartbeat_interval_secs": 60}}, {Section.NETWORK}),
        ({"sandbox": {"preference": "process"}}, {Section.SANDBOX}),
        ({"cache": {"max_size_gb": 10.0}}, {Section.CACHE}),
        ({"logging": {"level": "debug"}}, {Section.LOGGING}),
        ({"energy": {"currency": "EUR"}}, {Section.ENERGY}),
        ({"availability": {"hours_per_day": 8.0}}, {Section.AVAILABILITY}),
        (
            {"ui": {"language": "en"}, "gpu": {"max_concurrent_tasks": 2}},
            {Section.UI, Section.GPU},
        ),
        ({"gpu": {"disabled_gpu_indices": []}}, set()),  # the default, written out
    ],
)
def test_diff_names_the_changed_sections(after: dict[str, Any], sections: set[Section]) -> None:
    before = config()
    assert diff(before, config(**after)) == frozenset(sections)
    assert diff(config(**after), before) == frozenset(sections)  # symmetric


def test_every_section_of_the_model_is_a_section() -> None:
    assert {s.value for s in Section} == set(AgentConfig.model_fields)


@pytest.mark.parametrize(
    ("after", "section", "keys"),
    [
        ({"agent": {"platform_url": "wss://other.example.com"}}, Section.AGENT, {"platform_url"}),
        (
            {"gpu": {"disabled_gpu_indices": [1], "temperature_limit_c": 70}},
            Section.GPU,
            {"disabled_gpu_indices", "temperature_limit_c"},
        ),
        ({"ui": {"theme": "dark"}}, Section.GPU, set()),
    ],
)
def test_changed_keys_names_the_keys_inside_a_section(
    after: dict[str, Any], section: Section, keys: set[str]
) -> None:
    assert changed_keys(config(), config(**after), section) == frozenset(keys)

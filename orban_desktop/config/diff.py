"""Which sections two settings differ in: the pure comparison live settings are applied from.

:func:`diff` compares two :class:`~orban_desktop.config.agent_config.AgentConfig` values section
by section and returns the :class:`Section` members whose values differ; :func:`changed_keys`
names the keys that differ inside one section (the agent host needs it where one key of a section
applies differently from the others, e.g. ``agent.platform_url`` against ``agent.agent_id``).
No I/O; imports nothing from the agent and nothing from Qt.
"""

from __future__ import annotations

from enum import StrEnum

from orban_desktop.config.agent_config import AgentConfig


class Section(StrEnum):
    """A section of ``config.toml`` (each value is the model's field name)."""

    AGENT = "agent"
    GPU = "gpu"
    NETWORK = "network"
    AVAILABILITY = "availability"
    SCHEDULE = "schedule"
    SANDBOX = "sandbox"
    CACHE = "cache"
    ENERGY = "energy"
    LOGGING = "logging"
    UI = "ui"


def diff(before: AgentConfig, after: AgentConfig) -> frozenset[Section]:
    """The sections whose values differ between ``before`` and ``after``.

    Returns:
        The changed sections; empty when the two settings are equal.
    """
    return frozenset(
        section
        for section in Section
        if getattr(before, section.value) != getattr(after, section.value)
    )


def changed_keys(before: AgentConfig, after: AgentConfig, section: Section) -> frozenset[str]:
    """The keys of ``section`` whose values differ (``"platform_url"``, ``"disabled_gpu_indices"``).

    Returns:
        The changed key names, without the section's prefix; empty when the section is equal.
    """
    old = getattr(before, section.value).model_dump()
    new = getattr(after, section.value).model_dump()
    return frozenset(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))

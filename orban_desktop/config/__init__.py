"""The agent's settings, as a package: the model, its sections, the layouts it reads, the paths.

``agent_config`` holds :class:`AgentConfig` (read from and written to ``config.toml``);
``sections`` the typed section models (``agent``, ``gpu``, ``network``, ...); ``layouts`` the
seed's and the upstream Rust agent's file layouts that :meth:`AgentConfig.load` also reads;
``paths`` where the agent's files live on each OS (:class:`AppPaths`); ``diff`` which sections
two settings differ in. The names most code needs are re-exported here. Nothing here imports Qt.
"""

from orban_desktop.config.agent_config import (
    CONNECT_PATH,
    LOCAL_PLATFORM_PORT,
    LOCAL_PLATFORM_URL,
    PRODUCTION_PLATFORM_URL,
    AgentConfig,
    AgentSection,
    AvailabilitySection,
    CacheSection,
    EnergySection,
    GpuIndex,
    GpuSection,
    LoggingSection,
    NetworkSection,
    ResolvedPaths,
    SandboxSection,
    ScheduleSection,
    TimeWindow,
    UiSection,
    UserPath,
    is_loopback_host,
    normalize_platform_url,
)

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

"""The agent host's rules: where the identity comes from, when to embed the platform, what a
settings change needs.

:func:`load_identity` reads the key the settings name and never makes one: a missing key file is
a :class:`~orban_desktop.errors.KeyFileError` that says where the key was expected and how to
get one back (only the desktop app's first run and ``orban-agent keygen`` create keys).
:func:`uses_local_platform` and the two ``*_platform_settings`` say when and how the local
reference platform runs inside the agent's process. :func:`plan_apply` turns the sections two
settings differ in (:func:`orban_desktop.config.diff.diff`) into an :class:`ApplyPlan`: what
applies live, what needs a new session, an idle executor, or a rebuilt agent. Pure functions
apart from reading the key; imports nothing from Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from orban_desktop.config import LOCAL_PLATFORM_URL, AgentConfig, normalize_platform_url
from orban_desktop.config.diff import Section, changed_keys, diff
from orban_desktop.errors import KeyFileError
from orban_desktop.network.auth import Authenticator

if TYPE_CHECKING:
    from orban_platform.settings import PlatformSettings

#: Keys of the ``agent`` section that make another agent (identity, ledger): a rebuild.
IDENTITY_KEYS = frozenset({"agent_id", "private_key_path", "data_dir"})
#: Keys of the ``network`` section the executor's transfers use.
TRANSFER_KEYS = frozenset({"transfer_min_rate_kib_s", "transfer_rate_window_secs"})


def missing_key_error(key_file: Path) -> KeyFileError:
    """The error of an agent whose settings name a key file that is not there."""
    return KeyFileError(
        f"There is no identity key at {key_file}, so the agent does not start. If this agent "
        f"had a key, copy your backup of it back to {key_file}. To start as a new agent "
        "instead, run `orban-agent keygen` (or the desktop app's first run); the earnings of "
        "the new key go to a new agent id.",
        title="Identity key missing",
        reason="key_missing",  # ui/error_text.py words it in the owner's language
        context={"path": str(key_file)},
    )


def load_identity(key_file: Path, agent_id: str | None) -> Authenticator:
    """The identity in ``key_file`` (blocking: run it in a thread).

    Raises:
        KeyFileError: There is no key file (:func:`missing_key_error`: nothing is created), or
            it cannot be used (unsafe permissions, wrong size, ...).
    """
    if not key_file.exists() and not key_file.is_symlink():
        raise missing_key_error(key_file)
    return Authenticator.from_private_key_file(key_file, agent_id)


def uses_local_platform(config: AgentConfig) -> bool:
    """Whether the settings name the local reference platform (the desktop app embeds it)."""
    return normalize_platform_url(config.agent.platform_url) == LOCAL_PLATFORM_URL


def demo_platform_settings(data_dir: Path) -> PlatformSettings:
    """The desktop app's embedded platform: ephemeral ports, quick confirmations and payouts."""
    from orban_platform.settings import PlatformSettings

    return PlatformSettings(
        data_dir=data_dir / "local-platform",
        ws_port=0,
        http_port=0,
        confirm_delay_s=20.0,
        payout_interval_s=300.0,
    )


def headless_platform_settings(data_dir: Path) -> PlatformSettings:
    """``run --headless --local-platform``'s platform: ephemeral ports, default timers."""
    from orban_platform.settings import PlatformSettings

    return PlatformSettings(data_dir=data_dir / "local-platform", ws_port=0, http_port=0)


@dataclass(frozen=True)
class ApplyPlan:
    """What a settings change needs of the running agent.

    Attributes:
        sections: Every section that changed.
        rebuild: The identity, data folder or GPU simulation changed: stop and rebuild the
            agent (running tasks are handed back); nothing below applies then.
        reconnect: Platform, network or availability changed: a new session, tasks go on.
        swap_executor: Sandbox, cache or transfer settings changed: a new executor once no
            task runs.
        reregister_after_swap: The sandbox changed, so REGISTER's "real tasks here" may differ.
        next_start: Sections the faces read only when the agent starts (logging).
    """

    sections: frozenset[Section]
    rebuild: bool = False
    reconnect: bool = False
    swap_executor: bool = False
    reregister_after_swap: bool = False
    next_start: frozenset[Section] = frozenset()


def plan_apply(before: AgentConfig, after: AgentConfig) -> ApplyPlan:
    """The :class:`ApplyPlan` for going from ``before`` to ``after`` (both as saved).

    Schedule, GPU switches, temperature limit, reserved memory, concurrency, energy and UI need
    nothing beyond :meth:`~orban_desktop.agent.runtime.AgentRuntime.reconfigure`.
    """
    sections = diff(before, after)
    agent_keys = changed_keys(before, after, Section.AGENT)
    gpu_keys = changed_keys(before, after, Section.GPU)
    network_keys = changed_keys(before, after, Section.NETWORK)
    return ApplyPlan(
        sections=sections,
        rebuild=bool(agent_keys & IDENTITY_KEYS) or "simulate_gpus" in gpu_keys,
        reconnect="platform_url" in agent_keys
        or bool(network_keys - TRANSFER_KEYS)
        or Section.AVAILABILITY in sections,
        swap_executor=bool({Section.SANDBOX, Section.CACHE} & sections)
        or bool(network_keys & TRANSFER_KEYS),
        reregister_after_swap=Section.SANDBOX in sections,
        next_start=sections & {Section.LOGGING},
    )

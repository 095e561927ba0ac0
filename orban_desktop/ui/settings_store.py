"""Saving settings from the window and applying them to the running agent.

:class:`SettingsStore` writes ``config.toml`` (atomically, owner-only, off the event loop),
creates or removes the start-on-login entry, and hands the new settings to
:meth:`AgentHost.apply`, which applies them section by section (schedule and GPU switches at
once, no running task handed back); ``applied`` then fires with the host's ``SettingsApplied``.
Imports QtCore for the signal.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from orban_desktop.agent.host import AgentHost
from orban_desktop.config import AgentConfig
from orban_desktop.events import SettingsApplied
from orban_desktop.ui.autostart import Autostart

logger = logging.getLogger(__name__)


def with_gpu_enabled(config: AgentConfig, index: int, enabled: bool) -> AgentConfig:
    """``config`` with GPU ``index`` enabled or disabled for tasks."""
    disabled = set(config.gpu.disabled_gpu_indices)
    allowed = config.gpu.allowed_gpu_indices
    if enabled:
        disabled.discard(index)
        if allowed is not None and index not in allowed:
            allowed = sorted({*allowed, index})
    else:
        disabled.add(index)
    gpu = config.gpu.model_copy(
        update={"disabled_gpu_indices": sorted(disabled), "allowed_gpu_indices": allowed}
    )
    return config.model_copy(update={"gpu": gpu})


class SettingsStore(QObject):
    """Saves settings and applies them; ``applied(SettingsApplied)`` fires after each save."""

    applied = Signal(object)  # SettingsApplied

    def __init__(
        self,
        host: AgentHost,
        config_file: Path,
        autostart: Autostart,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.host = host
        self.config_file = config_file
        self.autostart = autostart

    @property
    def config(self) -> AgentConfig:
        return self.host.config

    async def save_and_apply(self, config: AgentConfig) -> SettingsApplied:
        """Save ``config``, update start on login, apply it to the agent.

        Returns:
            What the agent did with it (which sections, whether it had to restart).

        Raises:
            ConfigError: The file cannot be written.
            KeyFileError: New key settings name a key file that is not there.
            OSError: The start-on-login entry cannot be written.
        """
        before = self.host.config
        await asyncio.to_thread(config.save, self.config_file)
        if config.ui.start_on_login != before.ui.start_on_login:
            await asyncio.to_thread(self.autostart.set_enabled, config.ui.start_on_login)
        applied = await self.host.apply(config)
        self.applied.emit(applied)
        return applied

    async def set_gpu_enabled(self, index: int, enabled: bool) -> SettingsApplied:
        return await self.save_and_apply(with_gpu_enabled(self.config, index, enabled))

"""Saving settings from the window and applying them to the running agent.

:class:`SettingsStore` writes ``config.toml`` (atomically, owner-only, off the event loop),
creates or removes the start-on-login entry, and restarts the agent through
:meth:`AgentSession.apply` when anything but the ``ui`` section changed; ``applied`` then fires
with whether the agent restarted. Imports QtCore for the signal.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from orban_desktop.config import AgentConfig
from orban_desktop.ui.autostart import Autostart
from orban_desktop.ui.session import AgentSession

logger = logging.getLogger(__name__)


def needs_restart(before: AgentConfig, after: AgentConfig) -> bool:
    """Whether the agent must restart to use ``after`` (any change outside ``ui``)."""
    return before.model_copy(update={"ui": after.ui}) != after


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
    """Saves settings and applies them; ``applied(restarted)`` fires after each save."""

    applied = Signal(bool)

    def __init__(
        self,
        session: AgentSession,
        config_file: Path,
        autostart: Autostart,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.config_file = config_file
        self.autostart = autostart

    @property
    def config(self) -> AgentConfig:
        return self.session.config

    async def save_and_apply(self, config: AgentConfig) -> bool:
        """Save ``config``, update start on login, restart the agent if needed.

        Returns:
            Whether the agent restarted.

        Raises:
            ConfigError: The file cannot be written.
            OSError: The start-on-login entry cannot be written.
        """
        before = self.session.config
        await asyncio.to_thread(config.save, self.config_file)
        if config.ui.start_on_login != before.ui.start_on_login:
            await asyncio.to_thread(self.autostart.set_enabled, config.ui.start_on_login)
        restart = needs_restart(before, config)
        if restart:
            logger.info("settings changed; restarting the agent to apply them")
            await self.session.apply(config)
        else:
            self.session.config = config
        self.applied.emit(restart)
        return restart

    async def set_gpu_enabled(self, index: int, enabled: bool) -> bool:
        return await self.save_and_apply(with_gpu_enabled(self.config, index, enabled))

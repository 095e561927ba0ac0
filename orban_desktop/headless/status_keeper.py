"""Keeps ``status.json`` current for whichever face runs the agent, and says which face it is.

:class:`FacedStatusCollector` is a :class:`~orban_desktop.headless.status_writer.StatusCollector`
whose snapshots name the face (``"desktop"`` or ``"headless"``). :class:`StatusKeeper` runs its
:class:`~orban_desktop.headless.status_writer.StatusFileWriter` on the running loop while the
agent runs (the writes happen in worker threads), and starts again on the new runtime when the
desktop app rebuilds the agent (``SettingsApplied`` with ``restarted``: another key or data
folder). Both faces use it with an :class:`~orban_desktop.headless.agent_lock.AgentLock`.
Imports nothing from Qt.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from orban_desktop.events import SettingsApplied
from orban_desktop.headless.agent_lock import AgentFace
from orban_desktop.headless.status_file import STATUS_INTERVAL_S, StatusSnapshot
from orban_desktop.headless.status_writer import StatusCollector, StatusFileWriter

if TYPE_CHECKING:
    from orban_desktop.agent.host import AgentHost
    from orban_desktop.agent.runtime import AgentRuntime

logger = logging.getLogger(__name__)


class FacedStatusCollector(StatusCollector):
    """A :class:`StatusCollector` whose snapshots carry ``face``."""

    def __init__(
        self,
        runtime: AgentRuntime,
        *,
        started_at: float,
        face: AgentFace,
        metrics_url: str | None = None,
    ) -> None:
        super().__init__(runtime, started_at=started_at, metrics_url=metrics_url)
        self.face = face

    async def snapshot(self) -> StatusSnapshot:
        return replace(await super().snapshot(), face=self.face.value)


class StatusKeeper:
    """Writes ``host``'s agent to ``path`` from :meth:`start` until :meth:`stop`.

    Args:
        host: The started agent host (its runtime must exist when :meth:`start` runs).
        path: The status file (``AgentLock.status_file``; its folder exists once locked).
        face: Which face runs the agent.
        interval_s: The regular period of the writes.
    """

    def __init__(
        self,
        host: AgentHost,
        path: Path,
        face: AgentFace,
        *,
        interval_s: float = STATUS_INTERVAL_S,
    ) -> None:
        self.host, self.path, self.face, self.interval_s = host, path, face, interval_s
        self.started_at = time.time()
        self.collector = FacedStatusCollector(host.runtime, started_at=self.started_at, face=face)
        self._task: asyncio.Task[None] | None = None
        self._restarts: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Write the first snapshot now, then keep the file current in a task."""
        writer = StatusFileWriter(self.collector, self.path, interval_s=self.interval_s)
        await writer.write_once()
        self._task = asyncio.create_task(writer.run(), name="status-file")
        self.host.bus.subscribe(SettingsApplied, self._on_applied)

    def _on_applied(self, event: SettingsApplied) -> None:
        if event.restarted and self._task is not None:
            restart = asyncio.get_running_loop().create_task(self._follow_new_runtime())
            self._restarts.add(restart)
            restart.add_done_callback(self._restarts.discard)

    async def _follow_new_runtime(self) -> None:
        await self._stop_writer()
        metrics_url = self.collector.metrics_url
        self.collector = FacedStatusCollector(
            self.host.runtime, started_at=self.started_at, face=self.face, metrics_url=metrics_url
        )
        try:
            await self.start()
        except OSError as exc:
            logger.warning("cannot write the status file %s: %s", self.path, exc)

    async def _stop_writer(self) -> None:
        self.host.bus.unsubscribe(SettingsApplied, self._on_applied)
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        self.collector.close()

    async def stop(self) -> None:
        """Stop writing (a write in progress finishes first); the lock removes the file."""
        await asyncio.gather(*self._restarts, return_exceptions=True)
        await self._stop_writer()

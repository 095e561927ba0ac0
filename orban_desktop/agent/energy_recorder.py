"""Keeps each task's measured energy in the ledger, so earnings can be shown net of electricity.

:class:`EnergyRecorder` listens for :class:`~orban_desktop.events.TaskFinished` and stores the
energy the task's GPU drew (``energy_kwh`` and where it came from) with
:meth:`~orban_desktop.earnings.AsyncEarningsLedger.record_task_energy`, on the ledger's worker
thread. A task that reported no energy is stored nowhere: the Earnings page and the CLI then say
"not measured" instead of counting it as free. A failed write is logged; the earning itself is
never touched. Imports nothing from Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from orban_desktop.earnings import AsyncEarningsLedger
from orban_desktop.earnings.net import EnergySource, TaskEnergy
from orban_desktop.errors import OrbanError
from orban_desktop.events import EventBus, TaskFinished

logger = logging.getLogger(__name__)


class EnergyRecorder:
    """Subscribes to ``bus`` until :meth:`close`."""

    def __init__(self, bus: EventBus, ledger: AsyncEarningsLedger) -> None:
        self._bus = bus
        self._ledger = ledger
        self._writes: set[asyncio.Task[None]] = set()
        bus.subscribe(TaskFinished, self._on_finished)

    def _on_finished(self, event: TaskFinished) -> None:
        if event.energy_kwh is None or event.energy_source not in ("counter", "power"):
            return
        source: EnergySource = "counter" if event.energy_source == "counter" else "power"
        energy = TaskEnergy.from_kwh(event.task_id, event.energy_kwh, source, event.gpu_index)
        task = asyncio.get_running_loop().create_task(self._write(energy))
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _write(self, energy: TaskEnergy) -> None:
        try:
            await self._ledger.record_task_energy(energy)
        except OrbanError as exc:
            logger.warning("cannot store the energy of task %s: %s", energy.task_id, exc.message)

    async def close(self) -> None:
        """Stop listening and finish the writes already started."""
        self._bus.unsubscribe(TaskFinished, self._on_finished)
        if self._writes:
            with contextlib.suppress(Exception):
                await asyncio.gather(*self._writes, return_exceptions=True)

"""Coroutines started from Qt slots, kept alive and logged when they fail.

A slot cannot ``await``; :class:`BackgroundTasks` starts a coroutine as a task on the running
loop (qasync's in the app, the test's in tests), holds a strong reference until it ends, logs an
exception instead of losing it, and cancels whatever is left on :meth:`cancel_all`. Each owner
(a model, a view) has its own instance. Imports no Qt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger(__name__)


class BackgroundTasks:
    """The tasks one owner started."""

    def __init__(self, owner: str) -> None:
        self._owner = owner
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coroutine: Coroutine[Any, Any, Any], what: str) -> asyncio.Task[Any] | None:
        """Run ``coroutine`` on the running loop; ``None`` (and closed) when there is no loop."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            coroutine.close()
            logger.debug("%s: no running loop for %s", self._owner, what)
            return None
        task = loop.create_task(coroutine, name=f"{self._owner}: {what}")
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning("%s failed", task.get_name(), exc_info=task.exception())

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def wait_idle(self) -> None:
        """Wait until every task started so far has ended (tests use it)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

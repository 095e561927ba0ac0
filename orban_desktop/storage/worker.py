"""The event loop's facade over a SQLite store: every call runs, in order, on one worker thread.

:class:`StoreWorker` owns a single-thread executor; the store (and so its SQLite connection) is
created on that thread and used only there, and calls run one at a time in the order they were
made, so no SQLite work runs on the event loop. A call returns only after the store's method
returned (for a write: after its COMMIT). If the awaiting task is cancelled, the call still
completes on the worker (a write cannot be torn in half). Subclasses add one ``async`` method per
store method, each a :meth:`StoreWorker._call`. Imports only the standard library,
``orban_desktop.errors`` and :mod:`.store`; nothing from Qt.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Generic, ParamSpec, Self, TypeVar

from orban_desktop.errors import StorageError
from orban_desktop.storage.store import SqliteStore

_P = ParamSpec("_P")
_T = TypeVar("_T")
_Store = TypeVar("_Store", bound=SqliteStore)


class StoreWorker(Generic[_Store]):
    """Async facade over a :class:`SqliteStore`: make it with ``open``, end it with :meth:`close`.

    Subclasses set :attr:`store_name` and define ``open(path)`` as a call to :meth:`_start`.
    """

    #: The store in the message for a call after :meth:`close`, e.g. ``"earnings ledger"``.
    store_name: ClassVar[str]

    def __init__(self, store: _Store, executor: ThreadPoolExecutor) -> None:
        """Wrap a store created on ``executor``'s only thread (use the subclass's ``open``)."""
        self._store = store
        self._executor = executor
        self._closed = False

    @classmethod
    async def _start(
        cls, open_store: Callable[[Path], _Store], path: Path, thread_name: str
    ) -> Self:
        """Make the store with ``open_store(path)`` on a new worker thread named ``thread_name``."""
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=thread_name)
        try:
            store = await asyncio.get_running_loop().run_in_executor(executor, open_store, path)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(store, executor)

    @property
    def path(self) -> Path:
        return self._store.path

    async def _call(self, method: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        if self._closed:
            raise StorageError(f"The {self.store_name} is closed; reopen it before using it.")
        call = functools.partial(method, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def close(self) -> None:
        """Finish queued calls, close the connection on its thread, stop the thread."""
        if self._closed:
            return
        self._closed = True
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._store.close)
        finally:
            self._executor.shutdown(wait=False)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

"""A task's private folder, and filling it with the task's model and input.

:class:`TaskFolder` creates ``<work_root>/task-<id>-<random>/`` (mode 0700) holding
``workspace/`` (what the sandbox sees: the input and the output folder) and ``private/`` (logs
and the result copy, never shown to the workload), and removes it all on exit, cancellation
included, even when the workload left read-only folders behind. :func:`fetch_artifacts`
downloads the model through the cache and the input into the workspace at the same time.
:func:`remove_stale_task_folders` clears what a crashed agent left. Blocking file work runs in
worker threads. Imports compute modules only, and nothing from Qt.
"""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import aiohttp

from orban_desktop.compute.cache import ModelCache, ModelLease
from orban_desktop.compute.http import TransferSettings
from orban_desktop.compute.reporting import StageProgress
from orban_desktop.compute.sandbox.base import INPUT_NAME
from orban_desktop.compute.task import PreparedTask
from orban_desktop.compute.transfer import download
from orban_desktop.fsutil import remove_tree

log = logging.getLogger(__name__)
TASK_FOLDER_PREFIX = "task-"


def remove_stale_task_folders(work_root: Path) -> int:
    """Remove every ``task-*`` folder in ``work_root`` (call before any task starts). Blocking."""
    if not work_root.is_dir():
        return 0
    stale = [p for p in work_root.iterdir() if p.name.startswith(TASK_FOLDER_PREFIX)]
    for folder in stale:
        remove_tree(folder)
    return len(stale)


class TaskFolder:
    """``async with TaskFolder(work_root, task_id) as folder:``; removed on exit."""

    def __init__(self, work_root: Path, task_id: str) -> None:
        self._work_root = work_root
        self._label = re.sub(r"[^A-Za-z0-9._-]", "_", task_id)[:64]
        self.path = work_root
        self.workspace = work_root
        self.private = work_root

    def _create(self) -> None:
        self._work_root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path = Path(
            tempfile.mkdtemp(prefix=f"{TASK_FOLDER_PREFIX}{self._label}-", dir=self._work_root)
        )
        self.workspace = self.path / "workspace"
        self.private = self.path / "private"
        self.workspace.mkdir(mode=0o700)
        self.private.mkdir(mode=0o700)

    async def __aenter__(self) -> TaskFolder:
        await asyncio.to_thread(self._create)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.path != self._work_root:
            await asyncio.shield(asyncio.to_thread(remove_tree, self.path))


async def fetch_artifacts(
    session: aiohttp.ClientSession,
    cache: ModelCache,
    prepared: PreparedTask,
    workspace: Path,
    progress: StageProgress,
    settings: TransferSettings,
) -> ModelLease:
    """Get the model (through ``cache``) and the input (into ``workspace``) concurrently.

    A runner task's model is an archive: the lease is its unpacked, read-only folder.

    Returns:
        The model's lease; the caller releases it.

    Raises:
        DownloadFailed: Either download failed (the other one is cancelled).
    """
    spec = prepared.spec
    received = {"model": 0, "input": 0}
    total = max(1, spec.model_size_bytes + spec.input_size_bytes)

    def counter(name: str) -> Callable[[int, int | None], None]:
        def seen(done: int, _expected: int | None) -> None:
            received[name] = done
            progress.within(sum(received.values()) / total)

        return seen

    async def fill(partial: Path) -> str:
        done = await download(
            session,
            prepared.model_url,
            partial,
            max_bytes=spec.model_size_bytes,
            exact_size=spec.model_size_bytes,
            expected_sha256=prepared.model_sha256,
            on_progress=counter("model"),
            settings=settings,
        )
        return done.sha256_hex

    if spec.runner is not None:  # a model archive: unpacked once into a shared folder
        acquiring = cache.acquire_folder(
            prepared.model_sha256,
            spec.model_size_bytes,
            fill,
            max_unpacked_bytes=spec.model_size_bytes,
        )
    else:
        acquiring = cache.acquire(prepared.model_sha256, spec.model_size_bytes, fill)
    model = asyncio.create_task(acquiring)
    data = asyncio.create_task(
        download(
            session,
            prepared.input_url,
            workspace / INPUT_NAME,
            max_bytes=spec.input_size_bytes,
            exact_size=spec.input_size_bytes,
            on_progress=counter("input"),
            settings=settings,
        )
    )
    try:
        await asyncio.gather(model, data)
    except BaseException:
        for task in (model, data):
            task.cancel()
        await asyncio.wait([model, data])
        if not model.cancelled() and model.exception() is None:
            await cache.release(model.result())
        if not data.cancelled():
            data.exception()  # retrieved: the first failure is the one raised
        raise
    return model.result()

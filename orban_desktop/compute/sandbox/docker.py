"""The Docker sandbox: each workload in a fresh hardened container, killed and removed at the end.

:meth:`DockerSandbox.connect` reaches the engine (raising :class:`DockerUnavailable`, with what
to do, when it is missing or not running) and removes containers an agent that is gone left
behind (label ``orban.agent=1``, whose ``orban.agent.pid`` no longer runs); the selector makes
sure a task's image is present through :attr:`DockerSandbox.images` (pulled once, not per task).
:meth:`DockerSandbox.run` creates the container from
:func:`~.docker_config.container_config`, starts it, waits for it in a dedicated thread, and at
the deadline sends SIGTERM, then SIGKILL after the grace period; the container is always
removed, also when the run is cancelled. Every Docker SDK call runs in a worker thread. Imports
the Docker SDK and the sandbox modules only, and nothing from Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from docker.errors import DockerException, NotFound

from orban_desktop.compute.sandbox.base import (
    LOG_TAIL_BYTES,
    Sandbox,
    SandboxJob,
    SandboxRun,
    grant_workspace,
    sandbox_user,
)
from orban_desktop.compute.sandbox.docker_client import DockerUnavailable, docker_from_env
from orban_desktop.compute.sandbox.docker_config import (
    AGENT_LABEL,
    AGENT_PID_LABEL,
    container_config,
)
from orban_desktop.compute.sandbox.images import RunnerImages
from orban_desktop.errors import SandboxError

log = logging.getLogger(__name__)
_FILE_LIMIT_EXIT = 128 + 25  # SIGXFSZ, as init reports a child killed by it
_DOCKER_ERRORS = (DockerException, OSError)  # requests' errors are OSErrors


def _agent_alive(pid_label: str | None) -> bool:
    """Whether the agent process named by a container's pid label still runs."""
    if not pid_label or not pid_label.isdigit():
        return False
    try:
        os.kill(int(pid_label), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # exists, owned by someone else / not a pid we can judge: leave it
    return True


def remove_leftovers(client: Any) -> int:
    """Force-remove containers labelled ``orban.agent=1`` whose agent process is gone.

    Containers of agents still running (another instance, or this process) are left alone.
    Blocking; returns how many were removed.
    """
    removed = 0
    for container in client.containers.list(all=True, filters={"label": f"{AGENT_LABEL}=1"}):
        if _agent_alive(container.labels.get(AGENT_PID_LABEL)):
            continue
        with contextlib.suppress(NotFound):
            container.remove(force=True)
            removed += 1
            log.info("removed leftover task container %s", container.short_id)
    return removed


def _tail(data: bytes) -> str:
    return data[-LOG_TAIL_BYTES:].decode("utf-8", "replace")


class DockerSandbox(Sandbox):
    """Runs workloads in hardened containers of ``image`` through ``client``."""

    name = "docker"

    def __init__(self, client: Any, image: str) -> None:
        self.client = client
        self.image = image
        self.images = RunnerImages(client)

    @classmethod
    async def connect(
        cls, image: str, *, client_factory: Callable[[], Any] = docker_from_env
    ) -> DockerSandbox:
        """Reach the engine and remove leftovers (images are checked per task: :attr:`images`).

        Raises:
            DockerUnavailable: No engine, or it does not answer.
        """

        def connect_sync() -> Any:
            client = client_factory()
            try:
                client.ping()
            except BaseException:
                client.close()
                raise
            return client

        try:
            client = await asyncio.to_thread(connect_sync)
        except _DOCKER_ERRORS as exc:
            raise DockerUnavailable(
                "Docker is not running or not installed: start it (Linux: `sudo systemctl start "
                f"docker`; macOS/Windows: open Docker Desktop). Details: {exc}"
            ) from exc
        try:
            removed = await asyncio.to_thread(remove_leftovers, client)
            if removed:
                log.info("removed %d leftover task container(s)", removed)
        except BaseException:
            await asyncio.to_thread(client.close)
            raise
        return cls(client, image)

    async def answers(self) -> bool:
        """Whether the engine still answers a ping."""
        try:
            await asyncio.to_thread(self.client.ping)
        except _DOCKER_ERRORS:
            return False
        return True

    async def close(self) -> None:
        with contextlib.suppress(*_DOCKER_ERRORS):
            await asyncio.to_thread(self.client.close)

    async def run(self, job: SandboxJob) -> SandboxRun:
        uid, gid = sandbox_user()
        await asyncio.to_thread(grant_workspace, job, uid, gid)
        config = container_config(job, self.image, user=(uid, gid))
        try:
            container = await asyncio.to_thread(self.client.containers.create, **config)
        except _DOCKER_ERRORS as exc:
            raise SandboxError(f"Docker could not create the task container: {exc}") from exc
        waiter_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="docker-wait")
        waiter: asyncio.Future[Any] | None = None
        try:
            started = time.monotonic()
            await asyncio.to_thread(container.start)
            waiter = asyncio.get_running_loop().run_in_executor(waiter_pool, container.wait)
            waiter.add_done_callback(lambda done: done.cancelled() or done.exception())
            timed_out = False
            try:
                status = await asyncio.wait_for(asyncio.shield(waiter), job.timeout_s)
            except TimeoutError:
                timed_out = True
                status = await _stop(container, waiter, job.kill_grace_s)
            seconds = time.monotonic() - started
            return await asyncio.to_thread(_ending, container, status, timed_out, seconds)
        except _DOCKER_ERRORS as exc:
            raise SandboxError(f"Docker failed while running the task: {exc}") from exc
        finally:
            if waiter is not None and not waiter.done():  # cancelled or failed: kill it first
                await asyncio.shield(asyncio.to_thread(_kill_quietly, container))
            await asyncio.shield(asyncio.to_thread(_remove_quietly, container))
            waiter_pool.shutdown(wait=False)


async def _stop(container: Any, waiter: asyncio.Future[Any], grace_s: float) -> Any:
    """SIGTERM, wait ``grace_s``, then SIGKILL; return the wait result."""
    with contextlib.suppress(*_DOCKER_ERRORS):
        await asyncio.to_thread(container.kill, signal="SIGTERM")
    try:
        return await asyncio.wait_for(asyncio.shield(waiter), grace_s)
    except TimeoutError:
        await asyncio.to_thread(_kill_quietly, container)
        return await waiter


def _kill_quietly(container: Any) -> None:
    with contextlib.suppress(*_DOCKER_ERRORS):
        container.kill()


def _remove_quietly(container: Any) -> None:
    try:
        container.remove(force=True)
    except NotFound:
        pass
    except _DOCKER_ERRORS as exc:
        log.warning("could not remove task container %s: %s", container.short_id, exc)


def _logs(container: Any, *, stdout: bool) -> str:
    try:
        return _tail(container.logs(stdout=stdout, stderr=not stdout, tail=200))
    except _DOCKER_ERRORS as exc:  # removed behind our back: the exit status still counts
        log.warning("no logs from task container %s: %s", container.short_id, exc)
        return ""


def _ending(container: Any, status: Any, timed_out: bool, seconds: float) -> SandboxRun:
    try:
        container.reload()
        state = container.attrs.get("State", {})
    except _DOCKER_ERRORS as exc:
        log.warning("task container %s vanished after it ended: %s", container.short_id, exc)
        state = {}
    exit_code = int(status.get("StatusCode", state.get("ExitCode", -1)))
    stdout = _logs(container, stdout=True)
    stderr = _logs(container, stdout=False)
    failed = exit_code != 0
    return SandboxRun(
        sandbox=DockerSandbox.name,
        exit_code=exit_code,
        signal=None,
        timed_out=timed_out,
        oom_killed=bool(state.get("OOMKilled")) and not timed_out,
        file_limit_hit=failed and (exit_code == _FILE_LIMIT_EXIT or "too large" in stderr),
        duration_s=seconds,
        stdout_tail=stdout,
        stderr_tail=stderr,
    )

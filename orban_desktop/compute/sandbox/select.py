"""Which sandbox runs a task: the owner's policy, the task's permission, and whether Docker runs.

:class:`SandboxPolicy` mirrors the ``[sandbox]`` section of the config with plain values (the
compute layer does not import the config). :class:`SandboxSelector` connects to Docker lazily
and keeps the connection; preference ``"auto"`` uses Docker and, when the engine is missing or
not running, falls back to the process sandbox if both the policy
(``allow_process_fallback``) and the task (``JobSpec.allow_process_sandbox``) allow it, logging
plainly that it does so. ``"docker"`` never falls back; ``"process"`` never uses Docker (and
still needs the task's permission). Imports the sandboxes, the job spec and the error tree, and
nothing from Qt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import docker

from orban_desktop.compute.sandbox.base import ResourceLimits, Sandbox
from orban_desktop.compute.sandbox.docker import DockerSandbox, DockerUnavailable
from orban_desktop.compute.sandbox.process import ProcessSandbox
from orban_desktop.errors import SandboxError
from orban_desktop.jobspec import JobSpec

log = logging.getLogger(__name__)
MIB = 1024 * 1024


@dataclass(frozen=True)
class SandboxPolicy:
    """The owner's sandbox settings (``[sandbox]`` in config.toml), as plain values.

    Attributes:
        preference: ``"auto"`` (Docker, else the process sandbox if allowed), ``"docker"``
            (Docker only) or ``"process"``.
        allow_process_fallback: Whether ``"auto"`` may use the process sandbox without Docker.
        docker_image: The image the workloads run in (needs ``sh``, ``awk``, ``sha256sum``...).
        memory_limit_mb: RAM per task.
        cpu_limit: CPU cores per task.
        pids_limit: Processes and threads per task.
        max_timeout_secs: The longest run a task may ask for.
        tmpfs_mb: Size of a container's ``/tmp``.
        log_limit_bytes: Log kept per container.
        kill_grace_s: Seconds between SIGTERM and SIGKILL at a deadline.
    """

    preference: Literal["auto", "docker", "process"] = "auto"
    allow_process_fallback: bool = True
    docker_image: str = "orban/task-runner:latest"
    memory_limit_mb: int = 8192
    cpu_limit: float = 2.0
    pids_limit: int = 256
    max_timeout_secs: int = 7200
    tmpfs_mb: int = 64
    log_limit_bytes: int = MIB
    kill_grace_s: float = 5.0

    @classmethod
    def from_section(cls, section: Any) -> SandboxPolicy:
        """From a ``config.SandboxSection`` (read by attribute; not imported here)."""
        return cls(
            preference=section.preference,
            allow_process_fallback=section.allow_process_fallback,
            docker_image=section.docker_image,
            memory_limit_mb=section.task_memory_limit_mb,
            cpu_limit=section.task_cpu_limit,
            pids_limit=section.task_pids_limit,
            max_timeout_secs=section.task_timeout_secs,
        )

    def limits(self, max_output_bytes: int) -> ResourceLimits:
        """The resource limits of one run that may write ``max_output_bytes``."""
        return ResourceLimits(
            memory_bytes=self.memory_limit_mb * MIB,
            cpu_cores=self.cpu_limit,
            pids=self.pids_limit,
            max_output_bytes=max_output_bytes,
            tmpfs_bytes=self.tmpfs_mb * MIB,
            log_bytes=self.log_limit_bytes,
        )


class SandboxSelector:
    """Picks and keeps the sandboxes; one per agent.

    Args:
        policy: The owner's settings.
        docker_client_factory: Makes a Docker client (``docker.from_env``; tests replace it).
    """

    def __init__(
        self, policy: SandboxPolicy, *, docker_client_factory: Callable[[], Any] = docker.from_env
    ) -> None:
        self.policy = policy
        self._factory = docker_client_factory
        self._docker: DockerSandbox | None = None
        self._process = ProcessSandbox()
        self._lock = asyncio.Lock()

    async def choose(self, spec: JobSpec) -> Sandbox:
        """The sandbox for a task described by ``spec``.

        Raises:
            SandboxError: Docker is needed but unusable, or only the process sandbox is
                possible and the policy or the task does not allow it.
        """
        policy = self.policy
        if policy.preference == "process":
            if not spec.allow_process_sandbox:
                raise SandboxError(
                    'This task must run in Docker, but sandbox.preference is "process": set '
                    'it to "auto" or "docker" and make sure Docker is running.'
                )
            return self._process
        try:
            return await self._docker_sandbox()
        except DockerUnavailable as exc:
            if policy.preference == "docker":
                raise
            if not policy.allow_process_fallback:
                raise DockerUnavailable(
                    f"{exc.message} The process sandbox is switched off "
                    "(sandbox.allow_process_fallback = false)."
                ) from exc
            if not spec.allow_process_sandbox:
                raise DockerUnavailable(
                    f"{exc.message} This task does not allow the process sandbox."
                ) from exc
            log.warning(
                "Docker is not available, so this task runs in the process sandbox, which "
                "does not isolate the network or the file system (%s)",
                exc.message,
            )
            return self._process

    async def _docker_sandbox(self) -> DockerSandbox:
        async with self._lock:
            if self._docker is not None and not await self._docker.answers():
                log.warning("the Docker engine stopped answering; connecting again")
                await self.close()
            if self._docker is None:
                self._docker = await DockerSandbox.connect(
                    self.policy.docker_image, client_factory=self._factory
                )
            return self._docker

    async def close(self) -> None:
        """Close the Docker connection, if one was made."""
        if self._docker is not None:
            await self._docker.close()
            self._docker = None

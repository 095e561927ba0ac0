"""Which sandbox runs a task: the owner's policy, the task's permission, and what works here.

:class:`SandboxPolicy` mirrors the ``[sandbox]`` section of the config with plain values (the
compute layer does not import the config). :class:`SandboxSelector` connects to Docker lazily
and keeps the connection. A **canary** runs in Docker (the canary image) with preference
``"auto"`` or ``"docker"``; a **runner task** in Docker with its runner image, which must be
allowed (``allowed_runner_images``) and present (pulled once). ``"auto"`` falls back to the
process sandbox when Docker or the image is missing, if both the policy
(``allow_process_fallback``) and the task (``allow_process_sandbox``) allow it and, for a
runner task, a runner environment (``runner_python``) is set; it says so once per change of
state (a fallback and its cause; Docker working again), not per task. ``"docker"`` never falls
back; ``"process"`` never uses Docker (and still needs the task's permission). Imports the
sandboxes, the job spec and the error tree, nothing from Qt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from orban_desktop.compute.sandbox.base import ResourceLimits, Sandbox
from orban_desktop.compute.sandbox.docker_client import DockerUnavailable, docker_from_env
from orban_desktop.compute.sandbox.images import (
    DEFAULT_ALLOWED_RUNNER_IMAGES,
    ImageRef,
    ImageUnavailable,
    check_runner_image,
)
from orban_desktop.compute.sandbox.process import ProcessSandbox
from orban_desktop.errors import SandboxError
from orban_desktop.protocol.jobspec import JobSpec

if TYPE_CHECKING:
    from orban_desktop.compute.sandbox.docker import DockerSandbox

log = logging.getLogger(__name__)
MIB = 1024 * 1024
#: Open files a runner may hold (PyTorch opens many libraries).
RUNNER_OPEN_FILES = 4096


@dataclass(frozen=True)
class SandboxPolicy:
    """The owner's sandbox settings (``[sandbox]`` in config.toml), as plain values.

    Attributes:
        preference: ``"auto"`` (Docker, else the process sandbox if allowed), ``"docker"``
            (Docker only) or ``"process"``.
        allow_process_fallback: Whether ``"auto"`` may use the process sandbox without Docker.
        docker_image: The image the canary workloads run in (``sh``, ``sha256sum``, ``wc``).
        allowed_runner_images: Runner images a task may name (repository, ``repo:tag`` or
            ``repo@sha256:...``).
        runner_python: The runner environment's Python (process sandbox); ``None``: none.
        memory_limit_mb: RAM per task.
        cpu_limit: CPU cores per task.
        pids_limit: Processes and threads per task.
        max_timeout_secs: The longest run a task may ask for.
        tmpfs_mb: Size of a container's ``/tmp``.
        log_limit_bytes: Log kept per container.
        kill_grace_s: Seconds between SIGTERM and SIGKILL at a deadline.
        task_nice: CPU priority of the task processes (19 lowest, 0 normal).
    """

    preference: Literal["auto", "docker", "process"] = "auto"
    allow_process_fallback: bool = True
    docker_image: str = "orban/task-runner:latest"
    allowed_runner_images: tuple[str, ...] = DEFAULT_ALLOWED_RUNNER_IMAGES
    runner_python: str | None = None
    memory_limit_mb: int = 8192
    cpu_limit: float = 2.0
    pids_limit: int = 256
    max_timeout_secs: int = 7200
    tmpfs_mb: int = 64
    log_limit_bytes: int = MIB
    kill_grace_s: float = 5.0
    task_nice: int = 19

    @classmethod
    def from_section(cls, section: Any) -> SandboxPolicy:
        """From a ``config.SandboxSection`` (read by attribute; not imported here)."""
        runner_python = getattr(section, "runner_python", None)
        return cls(
            preference=section.preference,
            allow_process_fallback=section.allow_process_fallback,
            docker_image=section.docker_image,
            allowed_runner_images=tuple(
                getattr(section, "allowed_runner_images", DEFAULT_ALLOWED_RUNNER_IMAGES)
            ),
            runner_python=str(runner_python) if runner_python else None,
            memory_limit_mb=section.task_memory_limit_mb,
            cpu_limit=section.task_cpu_limit,
            pids_limit=section.task_pids_limit,
            max_timeout_secs=section.task_timeout_secs,
            task_nice=getattr(section, "task_nice", 19),
        )

    def limits(self, max_output_bytes: int, *, runner: bool = False) -> ResourceLimits:
        """The resource limits of one run that may write ``max_output_bytes``."""
        return ResourceLimits(
            memory_bytes=self.memory_limit_mb * MIB,
            cpu_cores=self.cpu_limit,
            pids=self.pids_limit,
            max_output_bytes=max_output_bytes,
            tmpfs_bytes=self.tmpfs_mb * MIB,
            log_bytes=self.log_limit_bytes,
            open_files=RUNNER_OPEN_FILES if runner else 256,
            nice=self.task_nice,
        )


class SandboxSelector:
    """Picks and keeps the sandboxes; one per agent.

    Args:
        policy: The owner's settings.
        docker_client_factory: Makes a Docker client (``docker.from_env`` when an engine may
            answer; tests replace it).
    """

    def __init__(
        self, policy: SandboxPolicy, *, docker_client_factory: Callable[[], Any] = docker_from_env
    ) -> None:
        self.policy = policy
        self._factory = docker_client_factory
        self._docker: DockerSandbox | None = None
        self._process = ProcessSandbox()
        self._lock = asyncio.Lock()
        #: "runner"/"canary" -> why that kind of task runs in the process sandbox now.
        self._fallen_back: dict[str, str] = {}

    async def choose(self, spec: JobSpec) -> Sandbox:
        """The sandbox for a task described by ``spec``.

        Raises:
            ValidationFailed: A runner task names an image the owner does not allow.
            SandboxError: Docker is needed but unusable, or only the process sandbox is
                possible and the policy, the task or a missing runner environment forbids it.
        """
        policy = self.policy
        runner = spec.runner
        image = (
            check_runner_image(runner.image, policy.allowed_runner_images)
            if runner is not None
            else ImageRef.parse(policy.docker_image)
        )
        if policy.preference == "process":
            if not spec.allow_process_sandbox:
                raise SandboxError(
                    'This task must run in Docker, but sandbox.preference is "process": set '
                    'it to "auto" or "docker" and make sure Docker is running.'
                )
            self._check_runner_env(spec, 'sandbox.preference is "process"')
            return self._process
        try:
            sandbox = await self._docker_sandbox()
            await sandbox.images.ensure(image)
            self._docker_works(spec)
            return sandbox
        except (DockerUnavailable, ImageUnavailable) as exc:
            if policy.preference == "docker":
                raise
            return self._fallback(spec, exc)

    def _fallback(self, spec: JobSpec, cause: SandboxError) -> Sandbox:
        if not self.policy.allow_process_fallback:
            raise DockerUnavailable(
                f"{cause.message} The process sandbox is switched off "
                "(sandbox.allow_process_fallback = false)."
            ) from cause
        if not spec.allow_process_sandbox:
            raise DockerUnavailable(
                f"{cause.message} This task does not allow the process sandbox."
            ) from cause
        self._check_runner_env(spec, cause.message)
        kind = _kind(spec)
        if self._fallen_back.get(kind) != cause.message:
            said_for_other = cause.message in self._fallen_back.values()
            self._fallen_back[kind] = cause.message
            if not said_for_other:
                what = "tasks" if isinstance(cause, DockerUnavailable) else f"{kind} tasks"
                log.warning(
                    "Docker cannot run %s here, so they run in the process sandbox, which does "
                    "not isolate the network or the file system (%s)",
                    what,
                    cause.message,
                )
        return self._process

    def _docker_works(self, spec: JobSpec) -> None:
        if self._fallen_back.pop(_kind(spec), None) is not None:
            log.info("Docker runs %s tasks again (no longer the process sandbox)", _kind(spec))

    def _check_runner_env(self, spec: JobSpec, why_not_docker: str) -> None:
        if spec.runner is not None and not self.policy.runner_python:
            raise SandboxError(
                "Real tasks need Docker or a runner environment: "
                f"{why_not_docker}; and no runner environment is set (sandbox.runner_python; "
                "`make runner-env` makes one)."
            )

    async def _docker_sandbox(self) -> DockerSandbox:
        async with self._lock:
            if self._docker is not None and not await self._docker.answers():
                log.warning("the Docker engine stopped answering; connecting again")
                await self.close()
            if self._docker is None:
                from orban_desktop.compute.sandbox.docker import DockerSandbox  # the SDK: only now

                self._docker = await DockerSandbox.connect(
                    self.policy.docker_image, client_factory=self._factory
                )
            return self._docker

    async def close(self) -> None:
        """Close the Docker connection, if one was made."""
        if self._docker is not None:
            await self._docker.close()
            self._docker = None


def _kind(spec: JobSpec) -> str:
    return "runner" if spec.runner is not None else "canary"

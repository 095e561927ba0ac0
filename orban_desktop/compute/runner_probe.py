"""Whether this host can run real (runner) tasks: a runner image in Docker, or a runner environment.

:class:`RunnerSupport` finds out once, off the event loop, and keeps the answer: Docker counts
when the engine answers and holds an allowed runner image (``orban/runner``: any tag); the
runner environment counts when ``runner_python -m orban_runner probe`` answers within
:data:`PROBE_TIMEOUT_S` and, on a host with a real NVIDIA GPU, sees CUDA (the runner never
falls back to the CPU, so a CPU-only environment cannot serve that GPU). The answer decides
whether AGENT_REGISTER lists ``pytorch`` and is shown in words ("Real tasks need Docker or a
runner environment: ..."). Imports the Docker SDK, the sandbox policy and the events, nothing
from Qt.
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from orban_desktop.compute.sandbox.docker_client import docker_from_env
from orban_desktop.compute.sandbox.images import ImageRef
from orban_desktop.compute.sandbox.select import SandboxPolicy
from orban_desktop.events import RealWorkChecked

log = logging.getLogger(__name__)
PROBE_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class RunnerAvailability:
    """What can run runner tasks here, and why not when nothing can."""

    docker_image: str | None
    environment: str | None
    environment_cuda: bool
    reason: str | None

    @property
    def usable(self) -> bool:
        return self.docker_image is not None or self.environment is not None

    def event(self) -> RealWorkChecked:
        """The same answer as a core event, for the window."""
        if self.docker_image is not None:
            return RealWorkChecked("docker", self.docker_image)
        if self.environment is not None:
            return RealWorkChecked("environment", self.environment, self.environment_cuda)
        return RealWorkChecked("none", self.reason or "")

    def describe(self) -> str:
        """One line for the window, ``status -v`` and the log."""
        if self.docker_image is not None:
            return f"Real tasks run in Docker ({self.docker_image})."
        if self.environment is not None:
            where = "the GPU" if self.environment_cuda else "the CPU"
            return f"Real tasks run in the runner environment ({self.environment}) on {where}."
        return f"Real tasks need Docker or a runner environment: {self.reason}"


def _docker_image(policy: SandboxPolicy, factory: Callable[[], Any]) -> tuple[str | None, str]:
    if policy.preference == "process":
        return None, 'sandbox.preference is "process"'
    try:
        client = factory()
    except Exception as exc:  # DockerException or OSError subclasses
        return None, f"Docker is not running or not installed ({exc})"
    try:
        client.ping()
        for entry in policy.allowed_runner_images:
            ref = ImageRef.parse(entry)
            for image in client.images.list(name=ref.repo):
                tags = [str(t) for t in image.tags] or [ref.repo]
                return tags[0], ""
        names = ", ".join(policy.allowed_runner_images) or "none allowed"
        return None, f"Docker has no runner image ({names}; `make runner-image` builds one)"
    except Exception as exc:
        return None, f"Docker is not running or not installed ({exc})"
    finally:
        client.close()


def _environment(policy: SandboxPolicy, needs_cuda: bool) -> tuple[str | None, bool, str]:
    python = policy.runner_python
    if not python:
        return None, False, "no runner environment is set (sandbox.runner_python)"
    if policy.preference == "docker":
        return None, False, 'sandbox.preference is "docker"'
    env = {"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"}
    if not needs_cuda:
        env["CUDA_VISIBLE_DEVICES"] = ""  # a CPU-only host: the probe needs no GPU
    try:
        done = subprocess.run(
            [python, "-m", "orban_runner", "probe"],
            capture_output=True,
            timeout=PROBE_TIMEOUT_S,
            check=False,
            env=env,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return None, False, f"the runner environment {python} does not start ({exc})"
    if done.returncode != 0:
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
        return None, False, f"the runner environment {python} fails its probe: {last[:300]}"
    try:
        answer = json.loads(done.stdout)
        cuda = bool(answer.get("cuda_available"))
    except (ValueError, AttributeError):
        return None, False, f"the runner environment {python} gave an unreadable probe"
    if needs_cuda and not cuda:
        return None, False, f"the runner environment {python} has no CUDA for this NVIDIA GPU"
    return python, cuda, ""


def probe(
    policy: SandboxPolicy, *, has_nvidia_gpu: bool, docker_factory: Callable[[], Any]
) -> RunnerAvailability:
    """Find out what can run runner tasks (blocking: a Docker call and a subprocess)."""
    image, docker_why = _docker_image(policy, docker_factory)
    environment, cuda, env_why = (None, False, "")
    if image is None or policy.runner_python:
        environment, cuda, env_why = _environment(policy, has_nvidia_gpu)
    reason = None if image or environment else f"{docker_why}; and {env_why}."
    return RunnerAvailability(image, environment, cuda, reason)


class RunnerSupport:
    """Probes once (in a worker thread) and keeps the answer."""

    def __init__(
        self,
        policy: SandboxPolicy,
        *,
        has_nvidia_gpu: bool,
        docker_factory: Callable[[], Any] = docker_from_env,
    ) -> None:
        self._policy = policy
        self._has_nvidia_gpu = has_nvidia_gpu
        self._factory = docker_factory
        self._task: asyncio.Task[RunnerAvailability] | None = None
        self.latest: RunnerAvailability | None = None

    def start(self) -> None:
        """Begin probing in the background (call on the running loop)."""
        if self._task is None:
            self._task = asyncio.create_task(self._probe())

    async def _probe(self) -> RunnerAvailability:
        result = await asyncio.to_thread(
            probe, self._policy, has_nvidia_gpu=self._has_nvidia_gpu, docker_factory=self._factory
        )
        self.latest = result
        (log.info if result.usable else log.warning)("%s", result.describe())
        return result

    async def get(self) -> RunnerAvailability:
        """The answer (probing first if it has not started)."""
        self.start()
        assert self._task is not None
        return await asyncio.shield(self._task)

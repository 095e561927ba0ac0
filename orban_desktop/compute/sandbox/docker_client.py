"""Reaching the Docker engine, without importing the Docker SDK where no engine can answer.

The SDK and ``requests`` cost a desktop agent about 18 MB of memory for good, and most desktops
run no Docker: :func:`docker_from_env` imports them only when ``DOCKER_HOST`` is set or the
engine's socket exists (what ``docker.from_env`` would use), and otherwise fails at once with an
``OSError`` saying so, as the SDK's own connection error would after the import. Also home of
:class:`DockerUnavailable`, which the selector needs without the SDK. Imports the error tree only.
"""

from __future__ import annotations

import os
from typing import Any

from orban_desktop.errors import SandboxError

#: Where ``docker.from_env`` looks for the engine without ``DOCKER_HOST`` (Linux and macOS).
DEFAULT_SOCKET = "/var/run/docker.sock"


class DockerUnavailable(SandboxError):
    """The Docker engine is missing or not running (the process sandbox may stand in)."""

    title = "Docker is not running"


def engine_may_answer(socket: str | None = None) -> bool:
    """Whether a Docker engine could answer here: ``DOCKER_HOST`` is set or ``socket`` exists.

    ``socket`` defaults to :data:`DEFAULT_SOCKET`. Always true on Windows (the engine is a
    named pipe). Blocking (a ``stat``), but cheap.
    """
    if os.name == "nt" or os.environ.get("DOCKER_HOST"):
        return True
    return os.path.exists(socket or DEFAULT_SOCKET)


def docker_from_env() -> Any:
    """``docker.from_env()``, importing the SDK only when :func:`engine_may_answer`.

    Raises:
        FileNotFoundError: No engine socket and no ``DOCKER_HOST``.
        docker.errors.DockerException: What the SDK raises.
    """
    if not engine_may_answer():
        raise FileNotFoundError(
            f"no Docker engine here: {DEFAULT_SOCKET} does not exist and DOCKER_HOST is not set"
        )
    import docker  # here: the SDK is heavy and most desktops have no engine

    return docker.from_env()

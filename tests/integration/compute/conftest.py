"""Fixtures for the compute integration tests: the artifact server, an HTTP session, Docker."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from orban_desktop.compute.http import create_http_session
from tests.integration.compute.artifact_server import ArtifactServer
from tests.integration.compute.docker_fixtures import docker_client, test_image  # noqa: F401
from tests.integration.compute.runner_fixtures import (  # noqa: F401
    model_archive,
    runner_image,
    runner_python,
)


@pytest.fixture
async def server() -> AsyncIterator[ArtifactServer]:
    artifacts = ArtifactServer()
    await artifacts.start()
    yield artifacts
    await artifacts.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    http = create_http_session(read_timeout_s=10)
    yield http
    await http.close()

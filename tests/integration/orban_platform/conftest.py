"""Fixtures: a local platform on ephemeral ports with short timers, and an HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

from orban_platform.server import LocalPlatform
from orban_platform.settings import PlatformSettings

PlatformFactory = Callable[..., Awaitable[LocalPlatform]]


@pytest.fixture
def settings(tmp_path: Path) -> PlatformSettings:
    """Fast timers, no random PoW, no demo jobs unless a test asks, upstream frames checked."""
    return PlatformSettings(
        workloads=("checksum",),  # canaries: fast; real work has its own tests
        data_dir=tmp_path / "platform",
        ws_port=0,
        http_port=0,
        heartbeat_interval_s=30.0,
        tick_interval_s=0.05,
        queue_target=0,
        job_seed=7,
        pow_on_register=False,
        pow_mean_interval_s=0.0,
        pow_difficulty=8,
        confirm_delay_s=3600.0,
        payout_interval_s=0.0,
        check_upstream_frames=True,
    )


@pytest.fixture
async def start_platform() -> AsyncIterator[PlatformFactory]:
    """Start platforms (``await start_platform(settings, **kwargs)``); all stopped at the end."""
    started: list[LocalPlatform] = []

    async def start(settings: PlatformSettings, **kwargs: object) -> LocalPlatform:
        platform = LocalPlatform(settings, **kwargs)  # type: ignore[arg-type]
        await platform.start()
        started.append(platform)
        return platform

    yield start
    for platform in reversed(started):
        if platform.running:
            await platform.stop()


@pytest.fixture
async def platform(settings: PlatformSettings, start_platform: PlatformFactory) -> LocalPlatform:
    return await start_platform(settings)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session

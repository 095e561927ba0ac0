"""Waiting in UI tests: poll a condition on the running loop, with a guard against hanging.

The guard is not a speed check: it only turns a hang into a failure that names what never
happened.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

GUARD_S = 60.0


async def wait_until(condition: Callable[[], object], what: str, guard_s: float = GUARD_S) -> None:
    """Let the loop run until ``condition()`` is true; fail naming ``what`` after ``guard_s``."""
    deadline = time.monotonic() + guard_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"never happened: {what}")
        await asyncio.sleep(0.05)


def read_platform_status(http_url: str) -> dict[str, Any]:
    """The platform's public ``GET /status`` document."""
    with urllib.request.urlopen(f"{http_url}/status", timeout=10) as response:
        data: dict[str, Any] = json.loads(response.read())
    return data


async def platform_agent(http_url: str, agent_id: str) -> dict[str, Any] | None:
    """This agent's entry in the platform's status document (read off the loop)."""
    status = await asyncio.to_thread(read_platform_status, http_url)
    return next((a for a in status["agents"] if a["agent_id"] == agent_id), None)


async def wait_for(
    check: Callable[[], Awaitable[bool]],
    what: str | Callable[[], str],
    guard_s: float = GUARD_S,
) -> None:
    """Like :func:`wait_until`, for a condition that must await (an HTTP read, say).

    ``what`` may be a callable, to describe the last state seen when it fails.
    """
    deadline = time.monotonic() + guard_s
    while not await check():
        if time.monotonic() > deadline:
            pytest.fail(f"never happened: {what() if callable(what) else what}")
        await asyncio.sleep(0.2)

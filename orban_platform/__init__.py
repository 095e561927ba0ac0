"""The local reference platform: the server side of Orban protocol v1, with real demo jobs.

``LocalPlatform(PlatformSettings(data_dir=...))`` serves ``/agent/v1/connect`` (WebSocket) and
artifacts, uploads and ``/status`` (HTTP) on loopback; ``orban-agent platform`` runs it. The
protocol logic is sans-I/O (``session.py``, ``hub.py`` and the services) behind a thin
websockets/aiohttp adapter (``server.py``, ``artifacts.py``). Nothing here imports Qt.
"""

from __future__ import annotations

from orban_platform.server import LocalPlatform
from orban_platform.settings import PlatformSettings, PricingPolicy

__all__ = ["LocalPlatform", "PlatformSettings", "PricingPolicy"]

"""Where agent and platform meet: the endpoint path, the reference platform's default port.

Both sides read these: the client appends :data:`CONNECT_PATH` to the configured platform URL
and the reference platform (``orban_platform``) serves it; :data:`LOCAL_PLATFORM_PORT` is where
``orban-agent platform`` listens by default and what a first run connects to.
"""

from __future__ import annotations

#: The WebSocket endpoint of Orban protocol v1, appended to the platform's base URL.
CONNECT_PATH = "/agent/v1/connect"
#: The local reference platform's default WebSocket port.
LOCAL_PLATFORM_PORT = 8740
#: The Orban platform's production address.
PRODUCTION_PLATFORM_URL = "wss://platform.orban.ai"

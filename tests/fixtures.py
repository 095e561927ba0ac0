"""Paths to the test data copied into the repository from the shared fixtures.

``tests/data/`` holds copies of ``../shared/fixtures`` (golden protocol frames, real GPU tool
outputs, an upstream user's data directory) so a clean checkout tests without anything beside it.
"""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
PROTOCOL_FIXTURES = DATA / "protocol"


def protocol_frame(relative: str) -> str:
    """The text of one golden frame, e.g. ``"agent-sends/heartbeat.json"``."""
    return (PROTOCOL_FIXTURES / relative).read_text(encoding="utf-8").strip()


def protocol_keys() -> dict[str, object]:
    data: dict[str, object] = json.loads((PROTOCOL_FIXTURES / "keys.json").read_text("utf-8"))
    return data

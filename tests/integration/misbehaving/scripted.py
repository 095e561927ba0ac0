"""A scripted, misbehaving platform on a real loopback WebSocket, for a real agent to talk to."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from websockets.asyncio.server import ServerConnection, serve
from websockets.typing import Subprotocol

from orban_desktop.protocol import messages as m
from orban_desktop.protocol.framing import SUBPROTOCOL_JSON, FrameCodec
from tests.fixtures import protocol_frame


@dataclass
class ScriptedPlatform:
    """Logs every agent in (no checks), acks its registration, then lets the test send frames."""

    url: str = ""
    challenge: str | None = None  # None: a fresh valid one each time
    received: list[m.Message] = field(default_factory=list)
    sessions: int = 0
    ws: ServerConnection | None = None
    registered: asyncio.Event = field(default_factory=asyncio.Event)

    async def handler(self, ws: ServerConnection) -> None:
        codec = FrameCodec.for_subprotocol(ws.subprotocol)
        self.sessions += 1
        challenge = self.challenge
        if challenge is None:
            challenge = base64.b64encode(os.urandom(32)).decode()
        await ws.send(codec.encode(m.AuthChallenge(challenge=challenge, extensions=[])))
        try:
            self.received.append(codec.decode(await ws.recv()))
            await ws.send(protocol_frame("platform-sends/auth-success.json"))
            async for frame in ws:
                message = codec.decode(frame)
                self.received.append(message)
                if isinstance(message, m.AgentRegister):
                    await ws.send(protocol_frame("platform-sends/register-ack.json"))
                    self.ws = ws
                    self.registered.set()
        except Exception:
            return

    async def send_raw(self, frame: dict[str, object] | str) -> None:
        assert self.ws is not None
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    def of_type(self, cls: type[m.Message]) -> list[m.Message]:
        return [message for message in self.received if isinstance(message, cls)]


def golden(name: str, **changes: object) -> dict[str, object]:
    """A platform-sends golden frame as a dict, with fields changed and a fresh message id."""
    frame: dict[str, object] = json.loads(protocol_frame(f"platform-sends/{name}.json"))
    frame["message_id"] = os.urandom(8).hex()
    frame.update(changes)
    return frame


@asynccontextmanager
async def scripted_platform(**settings: object) -> AsyncIterator[ScriptedPlatform]:
    platform = ScriptedPlatform(**settings)  # type: ignore[arg-type]
    async with serve(
        platform.handler, "127.0.0.1", 0, subprotocols=[Subprotocol(SUBPROTOCOL_JSON)]
    ) as server:
        port = server.sockets[0].getsockname()[1]
        platform.url = f"ws://127.0.0.1:{port}"
        yield platform

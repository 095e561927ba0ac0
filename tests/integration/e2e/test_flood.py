"""A flood of TASK_ASSIGN beyond capacity is refused at once, never queued without bound."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from pathlib import Path

from websockets.asyncio.server import ServerConnection, serve
from websockets.typing import Subprotocol

from orban_desktop.events import ConnectionState
from orban_desktop.protocol import messages as m
from orban_desktop.protocol.framing import SUBPROTOCOL_JSON, FrameCodec
from orban_desktop.protocol.jobspec import WORKLOAD_CHECKSUM, JobSpec
from tests.fixtures import protocol_frame
from tests.integration.e2e.harness import running_agent, wait_for

FLOOD = 200


async def test_assignments_beyond_capacity_are_rejected(tmp_path: Path) -> None:
    replies: list[m.Message] = []
    done = asyncio.Event()
    codec = FrameCodec()
    golden = json.loads(protocol_frame("platform-sends/task-assign.json"))
    dead = "http://127.0.0.1:9/never"  # valid for the agent; nothing listens there
    golden["payload"] = {
        "model_url": dead,
        "model_hash": "sha256:" + "0" * 64,
        "input_data_url": dead,
        "output_url": dead,
        "config": JobSpec(WORKLOAD_CHECKSUM, model_size_bytes=1, input_size_bytes=1).to_config(),
    }
    golden["requirements"] = {
        "min_vram_gb": 0,
        "min_compute_capability": "",
        "framework": "",
        "fp16": False,
    }

    async def platform(ws: ServerConnection) -> None:
        challenge = base64.b64encode(os.urandom(32)).decode()
        await ws.send(codec.encode(m.AuthChallenge(challenge=challenge)))
        await ws.recv()
        await ws.send(codec.encode(m.AuthSuccess(jwt_token="t", expires_in=60)))
        while not isinstance(codec.decode(await ws.recv()), m.AgentRegister):
            pass
        await ws.send(protocol_frame("platform-sends/register-ack.json"))
        for n in range(FLOOD):  # all at once, without waiting for answers
            frame = dict(golden, task_id=f"flood-{n}", message_id=f"m-{n}")
            await ws.send(json.dumps(frame))
        async for frame in ws:
            reply = codec.decode(frame)
            if isinstance(reply, m.TaskAccept | m.TaskReject):
                replies.append(reply)
                if len(replies) == FLOOD:
                    done.set()

    async with serve(platform, "127.0.0.1", 0, subprotocols=[Subprotocol(SUBPROTOCOL_JSON)]) as srv:
        url = f"ws://127.0.0.1:{srv.sockets[0].getsockname()[1]}"
        async with running_agent(tmp_path, url, gpus=2, concurrent=2) as agent:
            service = agent.runtime.service
            await asyncio.wait_for(done.wait(), 30)
            accepted = [r for r in replies if isinstance(r, m.TaskAccept)]
            rejected = [r for r in replies if isinstance(r, m.TaskReject)]
            assert len(accepted) <= 2
            assert len(accepted) + len(rejected) == FLOOD
            assert accepted
            assert {r.reason for r in rejected} <= {"at_capacity", "gpu_not_available"}
            assert len(service.runner.active) <= 2
            await wait_for(lambda: service.state is not ConnectionState.CONNECTING, 5)

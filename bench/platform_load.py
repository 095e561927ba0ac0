"""Load on the local platform: how many agents one process holds with heartbeat p99 under 1 s.

For each N, the platform runs alone in a child process (its own core); this process plays N
simulated agents, plain protocol clients (websockets + the codec, no GUI, no OrbanClient): each
logs in (Ed25519, v1 or with every JSON extension), registers, answers the PoW challenge,
heartbeats every interval (random phase) and completes trivial checksum tasks for real
(downloads both artifacts, computes, uploads, TASK_COMPLETE, ACKs the earning). After the ramp
it waits ``--duration`` seconds and reads ``/status``: heartbeat lag is the time from each
HEARTBEAT's own timestamp to the platform handling it (client send delay included), over the
last minute. Memory per connection is the platform's RSS growth from idle to N registered
agents, divided by N. Run: ``.venv/bin/python -m bench.platform_load [--agents 250,500,1000]``.
Prints figures; asserts nothing. Imports nothing from Qt.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import multiprocessing
import random
import struct
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from orban_desktop.network.auth import Authenticator, AuthScheme, platform_origin
from orban_desktop.protocol import messages as m
from orban_desktop.protocol.codec import decode_json, encode_json
from orban_desktop.protocol.enums import AgentStatus, GPUVendor
from orban_desktop.protocol.timestamps import WireTime
from orban_desktop.protocol.types import (
    Availability,
    Capabilities,
    CPUInfo,
    ExecutionMetrics,
    GPUInfo,
    GpuSignature,
    HardwareInfo,
    HeartbeatGpuStatus,
    Location,
    ProofOfWork,
    TaskResult,
)
from orban_platform.server import LocalPlatform
from orban_platform.settings import PlatformSettings

JSON_EXTENSIONS = ("ack", "auth-v2", "task-cancel")


# ---------------------------------------------------------------- the platform process
def _serve(settings: PlatformSettings, pipe: Connection) -> None:
    async def main() -> None:
        platform = LocalPlatform(settings)
        await platform.start()
        pipe.send((platform.ws_url, platform.http_url))
        await asyncio.get_running_loop().run_in_executor(None, pipe.recv)  # until told to stop
        await platform.stop()

    asyncio.run(main())


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


# ---------------------------------------------------------------- one simulated agent
@dataclasses.dataclass
class Counters:
    registered: int = 0
    login_s: list[float] = dataclasses.field(default_factory=list)
    tasks_done: int = 0
    earnings: int = 0
    errors: dict[str, int] = dataclasses.field(default_factory=dict)
    dropped: int = 0


def _register(agent_id: str) -> m.AgentRegister:
    gpu = GPUInfo(
        index=0,
        vendor=GPUVendor.NVIDIA,
        model="Simulated",
        vram_gb=8,
        compute_capability="8.6",
        cuda_cores=None,
        pcie_bandwidth_gbps=16,
    )
    return m.AgentRegister(
        agent_id=agent_id,
        hardware=HardwareInfo(
            gpus=[gpu],
            cpu=CPUInfo(model="sim", cores=4, threads=8),
            memory_gb=16,
            storage_available_gb=50,
        ),
        capabilities=Capabilities(
            supported_frameworks=["pytorch"], max_batch_size=8, fp16_support=True, int8_support=True
        ),
        location=Location(country="TW", region="local", latency_to_platform_ms=1),
        availability=Availability(hours_per_day=24, reliability_score=0.97),
    )


def _solve(nonce: bytes, difficulty: int) -> tuple[int, str]:
    n = 0
    while True:
        digest = hashlib.sha256(nonce + struct.pack("<Q", n)).digest()
        if int.from_bytes(digest, "big") >> (256 - difficulty) == 0:
            return n, digest.hex()
        n += 1


class SimAgent:
    def __init__(self, url: str, http: aiohttp.ClientSession, counters: Counters, ack: bool):
        self.url, self.http, self.counters, self.ack = url, http, counters, ack
        self.identity = Authenticator.generate()
        self.ws: ClientConnection | None = None
        self.started = time.monotonic()
        self.running: set[asyncio.Task[None]] = set()

    async def send(self, message: m.Message) -> None:
        assert self.ws is not None
        await self.ws.send(encode_json(message))

    async def join(self, deflate: bool) -> None:
        begin = time.monotonic()
        self.ws = await connect(
            self.url + "/agent/v1/connect",
            subprotocols=[Subprotocol("agent.orban.v1")],
            compression="deflate" if deflate else None,
            open_timeout=120,
            proxy=None,
        )
        challenge = decode_json(await self.ws.recv())
        assert isinstance(challenge, m.AuthChallenge)
        taken = sorted(set(challenge.extensions or ()) & set(JSON_EXTENSIONS)) if self.ack else []
        scheme = AuthScheme.V2 if "auth-v2" in taken else AuthScheme.V1
        answer = self.identity.respond_to_challenge(
            challenge.challenge, scheme, platform_origin(self.url)
        )
        await self.send(
            m.AuthResponse(
                agent_id=answer.agent_id,
                signature=answer.signature_b64,
                public_key=answer.public_key_b64,
                extensions=taken or None,
            )
        )
        assert isinstance(decode_json(await self.ws.recv()), m.AuthSuccess)
        await self.send(_register(self.identity.agent_id))
        self.counters.login_s.append(time.monotonic() - begin)

    async def heartbeat_forever(self, interval: float) -> None:
        await asyncio.sleep(random.uniform(0, interval))
        status = HeartbeatGpuStatus(
            index=0,
            utilization=0.5,
            memory_used_gb=1.0,
            memory_total_gb=8.0,
            temperature_c=60.0,
            power_draw_w=150.0,
            fan_speed_percent=40.0,
        )
        while True:
            await self.send(
                m.Heartbeat(
                    agent_id=self.identity.agent_id,
                    status=AgentStatus.IDLE,
                    current_task_id=None,
                    gpu_status=[status],
                    uptime_sec=int(time.monotonic() - self.started),
                )
            )
            await asyncio.sleep(interval)

    async def serve(self) -> None:
        assert self.ws is not None
        async for frame in self.ws:
            message = decode_json(frame)
            if isinstance(message, m.RegisterAck):
                self.counters.registered += 1
            elif isinstance(message, m.TaskAssign):
                job = asyncio.create_task(self.run_task(message))
                self.running.add(job)
                job.add_done_callback(self.running.discard)
            elif isinstance(message, m.PowChallenge):
                n, digest = _solve(message.nonce_bytes(), message.difficulty)
                await self.send(
                    m.PowResponse(
                        challenge_id=message.challenge_id,
                        response=digest,
                        computation_time_ms=1,
                        gpu_signature=GpuSignature(device_uuid="sim"),
                        solution_nonce=n,
                    )
                )
            elif isinstance(message, m.EarningsRecord):
                self.counters.earnings += 1
                if self.ack:
                    await self.send(m.Ack(acked_message_id=message.message_id))
            elif isinstance(message, m.Error):
                self.counters.errors[message.code] = self.counters.errors.get(message.code, 0) + 1

    async def run_task(self, task: m.TaskAssign) -> None:
        agent_id = self.identity.agent_id
        await self.send(
            m.TaskAccept(
                task_id=task.task_id,
                agent_id=agent_id,
                gpu_allocated=0,
                estimated_completion=WireTime.now(),
            )
        )
        async with self.http.get(task.payload.model_url) as response:
            model = await response.read()
        async with self.http.get(task.payload.input_data_url) as response:
            data = await response.read()
        lines = [
            hashlib.sha256(model).hexdigest(),
            hashlib.sha256(data).hexdigest(),
            hashlib.sha256(model + data).hexdigest(),
            str(len(data)),
            str(data.count(b"\n")),
        ]
        result = ("\n".join(lines) + "\n").encode()
        digest = hashlib.sha256(result).hexdigest()
        headers = {"X-Orban-SHA256": digest}
        async with self.http.put(task.payload.output_url, data=result, headers=headers) as put:
            put.raise_for_status()
        await self.send(
            m.TaskComplete(
                task_id=task.task_id,
                result=TaskResult(
                    output_url=task.payload.output_url,
                    output_hash=f"sha256:{digest}",
                    execution_time_sec=1,
                    gpu_time_sec=1,
                ),
                proof_of_work=ProofOfWork(
                    method="gpu_hash_challenge", challenge_id="", response=b"", gpu_signature="sim"
                ),
                metrics=ExecutionMetrics(avg_gpu_utilization=0.5, peak_memory_gb=1, energy_kwh=0),
            )
        )
        self.counters.tasks_done += 1


# ---------------------------------------------------------------- one run
async def _status(http: aiohttp.ClientSession, http_url: str) -> dict[str, Any]:
    async with http.get(http_url + "/status") as response:
        status: dict[str, Any] = await response.json()
        return status


async def run_once(n: int, args: argparse.Namespace, data_dir: Path) -> dict[str, Any]:
    settings = PlatformSettings(
        workloads=("checksum",),  # canaries: fast; real work has its own tests
        data_dir=data_dir,
        ws_port=0,
        http_port=0,
        heartbeat_interval_s=args.heartbeat,
        queue_target=max(1, min(n, 50)),
        job_rate_per_s=args.task_rate,
        checksum_max_bytes=1024,
        pow_difficulty=8,
        pow_mean_interval_s=0.0,
        confirm_delay_s=30.0,
        payout_interval_s=0.0,
    )
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    child = context.Process(target=_serve, args=(settings, theirs), daemon=True)
    child.start()
    ws_url, http_url = await asyncio.get_running_loop().run_in_executor(None, ours.recv)
    assert child.pid is not None
    await asyncio.sleep(1.0)
    idle_kib = _rss_kib(child.pid)
    counters = Counters()
    limits = aiohttp.TCPConnector(limit=64)
    async with aiohttp.ClientSession(connector=limits) as http:
        agents = [SimAgent(ws_url, http, counters, args.extensions) for _ in range(n)]
        gate = asyncio.Semaphore(32)

        async def start(agent: SimAgent) -> None:
            async with gate:
                await agent.join(not args.no_deflate)

        ramp_begin = time.monotonic()
        await asyncio.gather(*(start(agent) for agent in agents))
        workers = [asyncio.create_task(a.serve()) for a in agents]
        workers += [asyncio.create_task(a.heartbeat_forever(args.heartbeat)) for a in agents]
        while counters.registered < n and time.monotonic() - ramp_begin < 600:
            await asyncio.sleep(0.2)
        ramp_s = time.monotonic() - ramp_begin
        await asyncio.sleep(5.0)
        loaded_kib = _rss_kib(child.pid)
        tasks_before = counters.tasks_done
        await asyncio.sleep(args.duration)
        status = await _status(http, http_url)
        for worker in workers:
            worker.cancel()
        done = await asyncio.gather(*workers, return_exceptions=True)
        counters.dropped = sum(isinstance(r, ConnectionClosed) for r in done)
        for agent in agents:
            if agent.ws is not None:
                await agent.ws.close()
    ours.send("stop")
    await asyncio.get_running_loop().run_in_executor(None, child.join, 30)
    logins = sorted(counters.login_s)
    beats = status["heartbeats"]
    return {
        "n": n,
        "online": sum(1 for a in status["agents"] if a["online"]),
        "ramp_s": ramp_s,
        "login_p99_ms": logins[int(0.99 * (len(logins) - 1))] * 1000,
        "kib_per_conn": (loaded_kib - idle_kib) / n,
        "idle_mib": idle_kib / 1024,
        "loaded_mib": loaded_kib / 1024,
        "heartbeats": beats.get("count", 0),
        "lag_p50_ms": beats.get("lag_ms_p50", float("nan")),
        "lag_p99_ms": beats.get("lag_ms_p99", float("nan")),
        "lag_max_ms": beats.get("lag_ms_max", float("nan")),
        "tasks_per_s": (counters.tasks_done - tasks_before) / args.duration,
        "completed": status["tasks"]["completed"],
        "errors": dict(counters.errors),
        "dropped": counters.dropped,
    }


def _print(row: dict[str, Any]) -> None:
    ok = row["online"] == row["n"] and row["lag_p99_ms"] < 1000 and not row["dropped"]
    print(
        f"N={row['n']:>5}  online {row['online']:>5}  ramp {row['ramp_s']:6.1f} s "
        f"(login p99 {row['login_p99_ms']:7.1f} ms)  RSS {row['idle_mib']:.0f} -> "
        f"{row['loaded_mib']:.0f} MiB = {row['kib_per_conn']:.0f} KiB/conn  "
        f"heartbeats {row['heartbeats']:>5} lag p50 {row['lag_p50_ms']:.1f} / p99 "
        f"{row['lag_p99_ms']:.1f} / max {row['lag_max_ms']:.1f} ms  "
        f"tasks {row['tasks_per_s']:.1f}/s "
        f"({row['completed']} done)  errors {row['errors'] or 'none'}  "
        f"{'HOLDS' if ok else 'FAILS'}",
        flush=True,
    )


async def main(args: argparse.Namespace) -> None:
    counts = [int(n) for n in args.agents.split(",")]
    extensions = "ack+auth-v2+task-cancel" if args.extensions else "none"
    print(
        f"platform load: heartbeat every {args.heartbeat:g} s, {args.duration:g} s measured, "
        f"tasks offered at {args.task_rate:g}/s, extensions {extensions}, "
        f"permessage-deflate {'off' if args.no_deflate else 'on'}",
        flush=True,
    )
    best = 0
    for n in counts:
        with tempfile.TemporaryDirectory(prefix="platform-load-") as folder:
            row = await run_once(n, args, Path(folder))
        _print(row)
        if row["online"] == n and row["lag_p99_ms"] < 1000 and not row["dropped"]:
            best = max(best, n)
    print(f"largest N held with heartbeat p99 < 1 s: {best}", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agents", default="250,500,1000", help="comma-separated N values")
    parser.add_argument("--heartbeat", type=float, default=30.0, help="interval (s)")
    parser.add_argument("--duration", type=float, default=65.0, help="measured seconds")
    parser.add_argument("--task-rate", type=float, default=5.0, help="demo tasks made per second")
    parser.add_argument("--extensions", action="store_true", help="take up ack, auth-v2, cancel")
    parser.add_argument("--no-deflate", action="store_true", help="no permessage-deflate")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))

"""A small protocol client that plays the agent against the local platform, for tests.

It speaks the wire directly (websockets + the codec + ``Authenticator``), so a test controls
every frame: it logs in (v1 or auth-v2, with any extensions), registers, heartbeats, runs a task
(downloads both artifacts over HTTP, checks their sha256, computes the result with its own few
lines per ``orban_desktop/jobspec.py``, uploads it) and reports it. Every frame it receives is
kept in ``frames`` so a test can check them all against upstream's required fields.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import random
import struct
from collections.abc import Iterable
from typing import TypeVar

import aiohttp
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from orban_desktop.network.auth import Authenticator, AuthScheme, platform_origin
from orban_desktop.protocol import messages as m
from orban_desktop.protocol.binary import decode_binary, encode_binary
from orban_desktop.protocol.codec import decode_json, encode_json
from orban_desktop.protocol.enums import AgentStatus, Extension, GPUVendor
from orban_desktop.protocol.timestamps import WireTime
from orban_desktop.protocol.types import (
    Availability,
    Capabilities,
    CPUInfo,
    ExecutionMetrics,
    GPUInfo,
    HardwareInfo,
    Location,
    ProofOfWork,
    TaskMetrics,
    TaskRequirements,
    TaskResult,
)
from orban_platform.jobs import DemoJob, JobFactory

M = TypeVar("M", bound=m.Message)
SHA256_HEADER = "X-Orban-SHA256"


def compute_result(workload: str, model: bytes, data: bytes) -> bytes:
    """The result of a demo task, written from the jobspec docstring (not the platform's code)."""
    if workload == "orban/checksum:1":
        fields = [
            hashlib.sha256(model).hexdigest(),
            hashlib.sha256(data).hexdigest(),
            hashlib.sha256(model + data).hexdigest(),
            str(len(data)),
            str(data.count(b"\n")),
        ]
        return ("\n".join(fields) + "\n").encode()
    a = [list(map(int, row.split())) for row in model.decode().splitlines()]
    b = [list(map(int, row.split())) for row in data.decode().splitlines()]
    product = [
        [sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))]
        for i in range(len(a))
    ]
    return "".join(" ".join(map(str, row)) + "\n" for row in product).encode()


def solve_pow(nonce: bytes, difficulty: int) -> tuple[int, str]:
    n = 0
    while True:
        digest = hashlib.sha256(nonce + struct.pack("<Q", n)).digest()
        if int.from_bytes(digest, "big") >> (256 - difficulty) == 0:
            return n, digest.hex()
        n += 1


def register_message(agent_id: str, gpus: int = 1, vram_gb: int = 24) -> m.AgentRegister:
    return m.AgentRegister(
        agent_id=agent_id,
        hardware=HardwareInfo(
            gpus=[
                GPUInfo(
                    index=i,
                    vendor=GPUVendor.NVIDIA,
                    model="NVIDIA GeForce RTX 4090",
                    vram_gb=vram_gb,
                    compute_capability="8.9",
                    cuda_cores=16384,
                    pcie_bandwidth_gbps=32,
                )
                for i in range(gpus)
            ],
            cpu=CPUInfo(model="test cpu", cores=2, threads=2),
            memory_gb=16,
            storage_available_gb=100,
        ),
        capabilities=Capabilities(
            supported_frameworks=["pytorch"], max_batch_size=8, fp16_support=True, int8_support=True
        ),
        location=Location(country="TW", region="local", latency_to_platform_ms=1),
        availability=Availability(hours_per_day=24, reliability_score=0.99),
    )


class TestAgent:
    """One agent connection.

    Args:
        platform_url: ``ws://host:port`` of the platform.
        identity: The key (a new one by default).
        extensions: Extensions to take up if offered (none: behave exactly as upstream).
    """

    __test__ = False  # not a pytest class

    def __init__(
        self,
        platform_url: str,
        identity: Authenticator | None = None,
        extensions: Iterable[Extension] = (),
    ) -> None:
        self.platform_url = platform_url
        self.identity = identity or Authenticator.generate()
        self.wanted = frozenset(extensions)
        self.binary = False
        self.taken: frozenset[Extension] = frozenset()
        self.frames: list[str | bytes] = []
        self.backlog: list[m.Message] = []
        self.ws: ClientConnection | None = None
        self.challenge: m.AuthChallenge | None = None
        self._syncs = 0

    @property
    def agent_id(self) -> str:
        return self.identity.agent_id

    async def open(self) -> m.AuthChallenge:
        offer = ["agent.orban.v1"]
        if Extension.BINARY in self.wanted:
            offer.insert(0, "agent.orban.v1+proto")
        self.ws = await connect(
            self.platform_url + "/agent/v1/connect",
            subprotocols=[Subprotocol(p) for p in offer],
            max_size=None,
            proxy=None,
        )
        self.binary = self.ws.subprotocol == "agent.orban.v1+proto"
        self.challenge = await self.expect(m.AuthChallenge)
        return self.challenge

    def answer(self, challenge: m.AuthChallenge) -> m.AuthResponse:
        offered = set(challenge.extensions or ())
        self.taken = frozenset(e for e in self.wanted if e.value in offered)
        scheme = AuthScheme.V2 if Extension.AUTH_V2 in self.taken else AuthScheme.V1
        signed = self.identity.respond_to_challenge(
            challenge.challenge, scheme, platform_origin(self.platform_url)
        )
        return m.AuthResponse(
            agent_id=signed.agent_id,
            signature=signed.signature_b64,
            public_key=signed.public_key_b64,
            extensions=sorted(e.value for e in self.taken) if challenge.extensions else None,
        )

    async def login(self) -> m.AuthSuccess:
        challenge = await self.open()
        await self.send(self.answer(challenge))
        return await self.expect(m.AuthSuccess)

    async def register(self, gpus: int = 1, vram_gb: int = 24) -> m.RegisterAck:
        await self.send(register_message(self.agent_id, gpus, vram_gb))
        return await self.expect(m.RegisterAck)

    async def join(self, gpus: int = 1, vram_gb: int = 24) -> m.RegisterAck:
        await self.login()
        return await self.register(gpus, vram_gb)

    # ---- frames ----
    async def send(self, message: m.Message) -> None:
        assert self.ws is not None
        await self.ws.send(encode_binary(message) if self.binary else encode_json(message))

    async def send_raw(self, data: str | bytes) -> None:
        assert self.ws is not None
        await self.ws.send(data)

    async def recv(self, timeout: float = 10.0) -> m.Message:
        """The next message (from the backlog first)."""
        if self.backlog:
            return self.backlog.pop(0)
        assert self.ws is not None
        frame = await asyncio.wait_for(self.ws.recv(), timeout)
        self.frames.append(frame)
        return decode_binary(frame) if isinstance(frame, bytes) else decode_json(frame)

    async def expect(self, cls: type[M], timeout: float = 10.0, **fields: object) -> M:
        """The next message of type ``cls`` (with these field values); others go to the backlog."""
        for index, kept in enumerate(self.backlog):
            if isinstance(kept, cls) and all(getattr(kept, k) == v for k, v in fields.items()):
                return self.backlog.pop(index)  # type: ignore[return-value]
        assert self.ws is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await asyncio.wait_for(self.ws.recv(), max(0.01, deadline - loop.time()))
            self.frames.append(frame)
            message = decode_binary(frame) if isinstance(frame, bytes) else decode_json(frame)
            if isinstance(message, cls) and all(
                getattr(message, k) == v for k, v in fields.items()
            ):
                return message
            self.backlog.append(message)

    async def sync(self) -> None:
        """Wait until the platform has handled every frame sent before (needs REGISTER_ACK).

        A TASK_PROGRESS for a task nobody has is answered in order with ERROR UNKNOWN_TASK.
        """
        self._syncs += 1
        marker = f"sync-{self._syncs}"
        await self.send(
            m.TaskProgress(
                task_id=marker,
                progress=0.0,
                stage="sync",
                metrics=TaskMetrics(gpu_utilization=0.0, memory_used_gb=0.0),
            )
        )
        await self.expect(m.Error, code="UNKNOWN_TASK", context={"task_id": marker})

    async def closed(self, timeout: float = 10.0) -> tuple[int | None, str]:
        """Read until the platform closes; returns its close code and reason."""
        assert self.ws is not None
        try:
            async with asyncio.timeout(timeout):
                while True:
                    frame = await self.ws.recv()
                    self.frames.append(frame)
                    self.backlog.append(
                        decode_binary(frame) if isinstance(frame, bytes) else decode_json(frame)
                    )
        except ConnectionClosed as exc:
            rcvd = exc.rcvd
            return (rcvd.code, rcvd.reason) if rcvd is not None else (None, "")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    # ---- agent behaviour ----
    def heartbeat(self, task_id: str | None = None) -> m.Heartbeat:
        return m.Heartbeat(
            agent_id=self.agent_id,
            status=AgentStatus.WORKING if task_id else AgentStatus.IDLE,
            current_task_id=task_id,
            gpu_status=[],
            uptime_sec=1,
        )

    def accept(self, task: m.TaskAssign) -> m.TaskAccept:
        return m.TaskAccept(
            task_id=task.task_id,
            agent_id=self.agent_id,
            gpu_allocated=0,
            estimated_completion=WireTime.now(),
        )

    async def upload_result(
        self, http: aiohttp.ClientSession, task: m.TaskAssign, tamper: bool = False
    ) -> str:
        """Download, compute, upload; returns ``sha256:<hex>`` of what was uploaded."""
        async with http.get(task.payload.model_url) as response:
            model = await response.read()
        async with http.get(task.payload.input_data_url) as response:
            data = await response.read()
        assert task.payload.model_hash == "sha256:" + hashlib.sha256(model).hexdigest()
        workload = str(task.payload.config["workload"])
        result = compute_result(workload, model, data)
        if tamper:
            result = (b"1" if result[:1] == b"0" else b"0") + result[1:]
        digest = hashlib.sha256(result).hexdigest()
        headers = {SHA256_HEADER: digest}
        async with http.put(task.payload.output_url, data=result, headers=headers) as response:
            assert response.status == 201, await response.text()
        return f"sha256:{digest}"

    def complete(self, task: m.TaskAssign, output_hash: str, gpu_sec: int = 120) -> m.TaskComplete:
        return m.TaskComplete(
            task_id=task.task_id,
            result=TaskResult(
                output_url=task.payload.output_url,
                output_hash=output_hash,
                execution_time_sec=gpu_sec,
                gpu_time_sec=gpu_sec,
            ),
            proof_of_work=ProofOfWork(
                method="gpu_hash_challenge", challenge_id="", response=b"", gpu_signature="GPU-0"
            ),
            metrics=ExecutionMetrics(avg_gpu_utilization=0.9, peak_memory_gb=1.0, energy_kwh=0.01),
        )

    async def run_task(self, http: aiohttp.ClientSession, task: m.TaskAssign) -> m.TaskComplete:
        """Accept, compute, upload and report ``task``; returns the TASK_COMPLETE sent."""
        await self.send(self.accept(task))
        done = self.complete(task, await self.upload_result(http, task))
        await self.send(done)
        return done


def make_job(
    job_id: str,
    workload: str = "orban/checksum:1",
    seed: int = 1,
    min_vram_gb: int = 0,
    framework: str = "",
) -> DemoJob:
    """A demo job of ``workload`` (drawn from a seeded factory) with chosen requirements."""
    factory = JobFactory(random.Random(seed), 4096)
    job = factory.make(job_id)
    requirements = TaskRequirements(
        min_vram_gb=min_vram_gb, min_compute_capability="", framework=framework, fp16=False
    )
    return dataclasses.replace(job, requirements=requirements)

"""Frame sizes and encode+decode throughput: JSON, JSON with permessage-deflate, protobuf.

Three messages: a HEARTBEAT of 8 GPUs with realistic, varying readings, the golden METRICS_BATCH
and the golden TASK_ASSIGN. Sizes are frame payloads (the 2-14 byte WebSocket header is left
out). permessage-deflate is websockets' own ``PerMessageDeflate`` with its client defaults
(window 2^15, memLevel 5): once without context takeover (one frame alone), once with it (the
mean over a stream of 100 such messages with changing ids, times and values). "protobuf,
upstream fields" is our frame with our lossless companions cleared, i.e. what upstream's schema
alone would carry (lossy: float money, f32 hours). Throughput is the best of a few runs over the
100-message stream, encode and decode (model -> frame -> model). Run it as
``.venv/bin/python -m bench.protocol_sizes``; it prints figures and asserts nothing.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from collections.abc import Callable, MutableSequence
from decimal import Decimal
from typing import Any

from google.protobuf.message import Message as ProtoMessage
from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.frames import Frame, Opcode

from orban_desktop.money import Money
from orban_desktop.protocol import messages as m
from orban_desktop.protocol import orban_pb2
from orban_desktop.protocol import types as t
from orban_desktop.protocol.binary import decode_binary, encode_binary
from orban_desktop.protocol.binary_fields import COMPANION_SUFFIXES
from orban_desktop.protocol.codec import MAX_FRAME_BYTES, decode_json, encode_json
from orban_desktop.protocol.enums import AgentStatus
from orban_desktop.protocol.timestamps import NANOS, WireTime
from tests.fixtures import protocol_frame

STREAM_LENGTH = 100
RUNS = 5
PASSES = 5  # times through the stream in one timed run
START = WireTime.parse("2025-11-28T10:49:33.512345678Z")


def _with(message: m.Message, **changes: Any) -> m.Message:
    return type(message).model_validate({**dict(message), **changes})


def _envelope(rng: random.Random, i: int, every_s: int) -> dict[str, Any]:
    return {
        "message_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "timestamp": WireTime(START.ns + i * every_s * NANOS + rng.randrange(NANOS)),
    }


def heartbeat(rng: random.Random, i: int) -> m.Message:
    """An 8-GPU rig's heartbeat, with readings as NVML gives them (MiB, mW, whole percents).

    Like the other makers: ``i`` is the position in the stream; ``-1`` asks for the one message
    of the size table (the golden frame, where there is one).
    """
    gpus = [
        t.HeartbeatGpuStatus(
            index=index,
            utilization=rng.randint(55, 100) / 100,
            memory_used_gb=rng.randint(3000, 23500) / 1024,
            memory_total_gb=24564 / 1024,
            temperature_c=rng.randint(52, 84),
            power_draw_w=rng.randint(90_000, 450_000) / 1000,
            fan_speed_percent=rng.randint(30, 95),
        )
        for index in range(8)
    ]
    return m.Heartbeat(
        **_envelope(rng, i, 30),
        agent_id="agent-c41596764907121a20ce5b193bf4969f",
        status=AgentStatus.WORKING,
        current_task_id=f"task-2025-{rng.randrange(10**6):06d}",
        gpu_status=gpus,
        uptime_sec=86_400 + 30 * i,
    )


def metrics_batch(rng: random.Random, i: int) -> m.Message:
    golden = decode_json(protocol_frame("agent-sends/metrics-batch.json"))
    if i < 0:
        return golden
    start = WireTime(START.ns - START.ns % (300 * NANOS) + i * 300 * NANOS)
    return _with(
        golden,
        **_envelope(rng, i, 300),
        time_range=t.TimeRange(start=start, end=WireTime(start.ns + 300 * NANOS)),
        aggregated_metrics=t.AggregatedMetrics(
            tasks_completed=rng.randint(0, 6),
            tasks_failed=rng.randint(0, 1),
            total_gpu_hours=rng.randint(0, 1800) / 3600,
            avg_gpu_utilization=rng.randint(40, 100) / 100,
            total_energy_kwh=rng.uniform(0.01, 0.2),
            earnings_usd=Money.from_micros(rng.randint(0, 900_000)),
        ),
    )


def task_assign(rng: random.Random, i: int) -> m.Message:
    golden = decode_json(protocol_frame("platform-sends/task-assign.json"))
    if i < 0:
        return golden
    assert isinstance(golden, m.TaskAssign)
    job = f"job-inference-{rng.getrandbits(24):06x}"
    base = "https://artifacts.example/jobs"
    payload = t.TaskPayload(
        model_url=golden.payload.model_url,
        model_hash=f"sha256:{rng.getrandbits(256):064x}",
        input_data_url=f"{base}/{job}/input.json",
        output_url=f"{base}/{job}/output/",
        config={"max_tokens": rng.choice([256, 512, 1024]), "temperature": Decimal("0.7")},
    )
    return _with(
        golden, **_envelope(rng, i, 7), task_id=f"task-2025-{i:06d}", job_id=job, payload=payload
    )


MESSAGES: dict[str, Callable[[random.Random, int], m.Message]] = {
    "HEARTBEAT (8 GPUs)": heartbeat,
    "METRICS_BATCH": metrics_batch,
    "TASK_ASSIGN": task_assign,
}


# ---------------------------------------------------------------- sizes
def _deflate(no_context_takeover: bool) -> PerMessageDeflate:
    return PerMessageDeflate(
        remote_no_context_takeover=no_context_takeover,
        local_no_context_takeover=no_context_takeover,
        remote_max_window_bits=15,
        local_max_window_bits=15,
        compress_settings={"memLevel": 5},
    )


def _deflated(frames: list[bytes], opcode: Opcode, no_context_takeover: bool) -> float:
    extension = _deflate(no_context_takeover)
    return statistics.fmean(len(extension.encode(Frame(opcode, data)).data) for data in frames)


def _strip_companions(message: ProtoMessage) -> None:
    """Clear our lossless companions, leaving what upstream's schema alone would carry."""
    for field, value in message.ListFields():
        if field.name.endswith(COMPANION_SUFFIXES) or field.name == "timestamp_nanos":
            message.ClearField(field.name)
        elif isinstance(value, ProtoMessage):
            _strip_companions(value)
        elif isinstance(value, MutableSequence):
            for item in value:
                if isinstance(item, ProtoMessage):
                    _strip_companions(item)


def _upstream_size(data: bytes) -> int:
    envelope = orban_pb2.Message.FromString(data)
    _strip_companions(envelope)
    return len(envelope.SerializeToString())


def sizes(first: m.Message, stream: list[m.Message]) -> dict[str, float]:
    texts = [encode_json(message).encode() for message in stream]
    binaries = [encode_binary(message) for message in stream]
    one_text, one_binary = encode_json(first).encode(), encode_binary(first)
    return {
        "json": len(one_text),
        "json_deflate_1": _deflated([one_text], Opcode.TEXT, no_context_takeover=True),
        "json_deflate_ctx": _deflated(texts, Opcode.TEXT, no_context_takeover=False),
        "proto": len(one_binary),
        "proto_upstream": _upstream_size(one_binary),
        "proto_deflate_ctx": _deflated(binaries, Opcode.BINARY, no_context_takeover=False),
    }


# ---------------------------------------------------------------- throughput
def _best_rate(round_trip: Callable[[m.Message], object], stream: list[m.Message]) -> float:
    best = 0.0
    for _ in range(RUNS):
        began = time.perf_counter()
        for _ in range(PASSES):
            for message in stream:
                round_trip(message)
        best = max(best, PASSES * len(stream) / (time.perf_counter() - began))
    return best


def throughput(stream: list[m.Message]) -> dict[str, float]:
    sender, receiver = _deflate(False), _deflate(False)

    def json_deflate(message: m.Message) -> object:
        frame = sender.encode(Frame(Opcode.TEXT, encode_json(message).encode()))
        return decode_json(bytes(receiver.decode(frame, max_size=MAX_FRAME_BYTES).data))

    return {
        "json": _best_rate(lambda message: decode_json(encode_json(message)), stream),
        "json_deflate": _best_rate(json_deflate, stream),
        "proto": _best_rate(lambda message: decode_binary(encode_binary(message)), stream),
    }


# ---------------------------------------------------------------- report
def _cell(value: float, reference: float) -> str:
    return f"{value:7.0f} ({value / reference:4.2f})"


def _span(percents: list[float]) -> str:
    low, high, mean = min(percents), max(percents), statistics.fmean(percents)
    return f"{low:.0f}-{high:.0f}% (mean {mean:.0f}%)"


def main() -> None:
    began = time.perf_counter()
    print("Frame payload bytes (ratio to JSON); deflate = websockets PerMessageDeflate, memLevel 5")
    header = (
        f"{'message':<20}{'JSON':>8}{'JSON+defl 1 frame':>19}{'JSON+defl stream':>19}"
        f"{'protobuf':>15}{'proto upstream':>16}{'proto+defl stream':>19}"
    )
    print(header)
    all_sizes = []
    rates: dict[str, dict[str, float]] = {}
    for name, make in MESSAGES.items():
        rng = random.Random(name)
        first = make(rng, -1)
        stream = [make(rng, i) for i in range(STREAM_LENGTH)]
        size = sizes(first, stream)
        json = size["json"]
        print(
            f"{name:<20}{json:>8.0f}{_cell(size['json_deflate_1'], json):>19}"
            f"{_cell(size['json_deflate_ctx'], json):>19}{_cell(size['proto'], json):>15}"
            f"{_cell(size['proto_upstream'], json):>16}{_cell(size['proto_deflate_ctx'], json):>19}"
        )
        all_sizes.append(size)
        rates[name] = throughput(stream)
    print()
    print("Encode+decode throughput, messages/s (ratio to JSON), best of", RUNS, "runs")
    print(f"{'message':<20}{'JSON':>10}{'JSON+deflate':>20}{'protobuf':>20}")
    for name, rate in rates.items():
        print(
            f"{name:<20}{rate['json']:>10.0f}{_cell(rate['json_deflate'], rate['json']):>20}"
            f"{_cell(rate['proto'], rate['json']):>20}"
        )
    ours = [100 * (1 - s["proto"] / s["json"]) for s in all_sizes]
    upstream = [100 * (1 - s["proto_upstream"] / s["json"]) for s in all_sizes]
    json_ctx = [100 * (1 - s["json_deflate_ctx"] / s["json"]) for s in all_sizes]
    print()
    print(
        f"Seed claim 'protobuf saves about 60% against JSON': measured {_span(ours)} with our "
        f"lossless frames, {_span(upstream)} with upstream's fields alone; JSON with "
        f"permessage-deflate (context takeover) saves {_span(json_ctx)}."
    )
    print(f"({time.perf_counter() - began:.1f} s)")


if __name__ == "__main__":
    main()
